// The scrub processor's stack-trace cache must change nothing but the cost: the leak corpus and
// the golden stack traces, scrubbed with the cache (a miss, then hits) and without it, give the
// same text and the same faultline_scrubbed_values_total counts.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { ErrorEvent, Extracted } from '../../src/extract/error-event.js';
import { IMPLICIT_SCRUB } from '../../src/processor/scrub/config.js';
import { createScrubProcessor, MAX_CACHED_TEXT_CHARS } from '../../src/processor/scrub/scrub-processor.js';
import { SCRUB_KINDS } from '../../src/processor/scrub/scrubber.js';
import { errorEvent, spanTiming } from '../metrics/metric-fixtures.js';
import { buildContext, metricValue } from './build-context.js';

const ROOT = new URL('../../../test/fixtures/', import.meta.url);

function corpusTexts(): string[] {
  const leaks = ['secrets', 'personal-data', 'near-misses'].flatMap(
    (name) => JSON.parse(readFileSync(new URL(`leaks/${name}.json`, ROOT), 'utf8')) as { text: string }[],
  );
  const stacks: string[] = [];
  const dir = new URL('stacktraces/', ROOT);
  for (const folder of readdirSync(dir).sort()) {
    if (!statSync(new URL(folder, dir)).isDirectory()) continue;
    const sub = new URL(`${folder}/`, dir);
    for (const file of readdirSync(sub).filter((name) => name.endsWith('.txt')).sort()) stacks.push(readFileSync(new URL(file, sub), 'utf8'));
  }
  // Each leak also inside a stack trace, as an exception message carries it.
  return [...leaks.map((leak) => leak.text), ...leaks.map((leak) => `Error: ${leak.text}\n    at handler (/srv/app/src/api.js:10:5)`), ...stacks];
}

function processorWith(cacheSize: number) {
  const context = buildContext();
  const { processor } = createScrubProcessor({ ...IMPLICIT_SCRUB, id: 'scrub', cacheSize }, context);
  const counts = async () => Promise.all(SCRUB_KINDS.map((kind) => metricValue(context, 'faultline_scrubbed_values_total', { processor: 'scrub', kind })));
  const lookups = (result: string) => metricValue(context, 'faultline_processor_cache_lookups_total', { processor: 'scrub', cache: 'stacktraces', result });
  return { processor, counts, lookups };
}

const batchOf = (events: readonly ErrorEvent[]): Extracted => ({ events, timings: [spanTiming()], skippedExceptions: 0 });

describe('the scrub processor stack-trace cache', () => {
  const texts = corpusTexts();
  const events = texts.map((stacktrace) => errorEvent({ stacktrace }));

  it('scrubs the leak corpus and the golden stack traces as it does without the cache, and counts the same', async () => {
    const uncached = processorWith(0);
    const cached = processorWith(4096);
    const expected = uncached.processor.process(batchOf(events)).events.map((event) => event.stacktrace);
    uncached.processor.process(batchOf(events));
    // A text is stored the second time it misses (second-sighting admission), then hits.
    for (let round = 0; round < 2; round++) {
      const actual = cached.processor.process(batchOf(events)).events.map((event) => event.stacktrace);
      assert.deepEqual(actual, expected);
    }
    assert.deepEqual(await cached.counts(), await uncached.counts());
    const cachable = texts.filter((text) => text !== '' && text.length <= MAX_CACHED_TEXT_CHARS);
    const [hits, misses] = [await cached.lookups('hit'), await cached.lookups('miss')];
    assert.equal(hits + misses, 2 * cachable.length);
    assert.deepEqual(cached.processor.process(batchOf(events)).events.map((event) => event.stacktrace), expected);
    assert.equal(await cached.lookups('hit'), hits + cachable.length, 'every cachable text hits once admitted');
    assert.equal(await cached.lookups('miss'), misses);
  });

  it('hands on the same event when a cached stack trace had nothing to scrub', () => {
    const { processor } = processorWith(16);
    const event = errorEvent({ stacktrace: 'Error: boom\n    at main (/srv/app/src/main.js:3:1)' });
    processor.process(batchOf([event]));
    assert.equal(processor.process(batchOf([event])).events[0], event);
  });
});
