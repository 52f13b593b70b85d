// The group processor's stack-trace cache must change nothing but the cost: every golden stack
// trace fixture grouped with the cache (first a miss, then hits) and without it gives the same
// groupings.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { ErrorEvent, Extracted } from '../../src/extract/error-event.js';
import { IMPLICIT_GROUP_PROCESSOR, type GroupProcessorConfig } from '../../src/group/config.js';
import { createGroupProcessor, MAX_CACHED_STACKTRACE_CHARS } from '../../src/group/group-processor.js';
import { parseStacktrace } from '../../src/group/stack/parse-stacktrace.js';
import { createInAppClassifier } from '../../src/group/stack/in-app.js';
import { ManualClock } from '../../src/internal/clock.js';
import { createRegistry } from '../../src/metrics/registry.js';
import { errorEvent } from './event-fixtures.js';

// dist/test/group → the repository's fixtures.
const FIXTURES = new URL('../../../test/fixtures/stacktraces/', import.meta.url);
const inApp = createInAppClassifier({ include: [], exclude: [] });

function fixtureTexts(): { name: string; text: string }[] {
  const texts: { name: string; text: string }[] = [];
  for (const folder of readdirSync(FIXTURES).sort()) {
    if (!statSync(new URL(folder, FIXTURES)).isDirectory()) continue;
    const dir = new URL(`${folder}/`, FIXTURES);
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.txt')).sort()) {
      texts.push({ name: `${folder}/${file}`, text: readFileSync(new URL(file, dir), 'utf8') });
    }
  }
  return texts;
}

/** Two services, so the same trace text also meets the cache under another key. */
function eventsOf(texts: readonly { text: string }[]): ErrorEvent[] {
  return texts.flatMap(({ text }, index) => {
    const top = parseStacktrace(text, inApp).exceptions[0];
    const type = top?.type || 'Error';
    const message = top?.message ?? '';
    return ['shop', 'billing'].map((service) => errorEvent({ service, type, message, stacktrace: text, spanId: `${index}`.padStart(16, '0') }));
  });
}

function processorWith(overrides: Partial<GroupProcessorConfig>) {
  const registry = createRegistry({ defaultMetrics: false });
  const { processor } = createGroupProcessor({ ...IMPLICIT_GROUP_PROCESSOR, ...overrides }, { registry, clock: new ManualClock() });
  const lookups = async (result: string) =>
    (await registry.getSingleMetric('faultline_processor_cache_lookups_total')?.get())?.values.find((v) => v.labels['result'] === result)?.value ?? 0;
  return { processor, lookups };
}

const batchOf = (events: readonly ErrorEvent[]): Extracted => ({ events, timings: [], skippedExceptions: 0 });

describe('the group processor stack-trace cache', () => {
  const texts = fixtureTexts();

  it('has golden fixtures to compare on', () => {
    assert.ok(texts.length >= 40, `only ${texts.length} fixtures`);
  });

  it('gives every golden stack trace the same grouping as without the cache, on a miss and on hits', async () => {
    const events = eventsOf(texts);
    const uncached = processorWith({ cacheSize: 0 }).processor.process(batchOf(events)).events;
    const { processor, lookups } = processorWith({ cacheSize: 4096 });
    // A trace is stored the second time it misses (second-sighting admission), then hits.
    for (let round = 0; round < 3; round++) {
      const grouped = processor.process(batchOf(events)).events;
      assert.equal(grouped.length, events.length);
      for (let i = 0; i < events.length; i++) assert.deepEqual(grouped[i]!.grouping, uncached[i]!.grouping, texts[Math.floor(i / 2)]!.name);
    }
    // Longer traces are not cached (not looked up either).
    const cachable = events.filter((e) => e.stacktrace.length <= MAX_CACHED_STACKTRACE_CHARS);
    assert.ok(cachable.length < events.length, 'some fixture is longer than the cache takes');
    const [hits, misses] = [await lookups('hit'), await lookups('miss')];
    assert.equal(hits + misses, 3 * cachable.length);
    processor.process(batchOf(events));
    assert.equal(await lookups('hit'), hits + cachable.length, 'every cachable trace hits once admitted');
    assert.equal(await lookups('miss'), misses);
  });

  it('gives the same grouping when the cache is too small to hold them', () => {
    const events = eventsOf(texts);
    const uncached = processorWith({ cacheSize: 0 }).processor.process(batchOf(events)).events;
    const { processor } = processorWith({ cacheSize: 3 });
    for (let round = 0; round < 2; round++) {
      const cached = processor.process(batchOf(events)).events;
      for (let i = 0; i < events.length; i++) assert.deepEqual(cached[i]!.grouping, uncached[i]!.grouping);
    }
  });

  it('keeps the message apart from what it caches: one frame, two messages, two groups', () => {
    const stacktrace = 'Error: boom\n    at main (/srv/app/src/main.js:3:1)';
    const { processor } = processorWith({ cacheSize: 16 });
    const [a, b] = processor.process(batchOf([errorEvent({ message: 'config file missing', stacktrace }), errorEvent({ message: 'port in use', stacktrace })])).events;
    assert.notEqual(a!.grouping!.fingerprint, b!.grouping!.fingerprint);
  });

  it('shares frozen frames between the events that hit it', () => {
    const { processor } = processorWith({ cacheSize: 16 });
    const events = eventsOf(texts.slice(0, 1));
    processor.process(batchOf(events)); // offered once: not stored yet
    const [first] = processor.process(batchOf(events)).events;
    const [again] = processor.process(batchOf(events)).events;
    assert.equal(again!.grouping!.frames, first!.grouping!.frames);
    assert.ok(Object.isFrozen(first!.grouping!.frames));
    assert.ok(first!.grouping!.frames.every((frame) => Object.isFrozen(frame)));
  });
});
