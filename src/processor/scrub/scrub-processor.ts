// The `scrub` processor removes or masks secrets and personal data before anything is stored,
// exported or sent: in each event's message, stack trace, url path, grouping title and culprit, and
// attribute values (nested lists and maps too). An attribute whose key looks secret (`password`,
// `token`, `cookie`… see config.ts) loses its value whatever it is; other text is searched by the
// detectors in scrubber.ts. Secrets become `[redacted]`; personal data keeps its kind: `[email]`,
// `[ip]`, `[card]`. The exception type is kept: it names a class, and grouping needs it.
//
// On by default (IMPLICIT_SCRUB runs first in pipelines that list no scrub); `enabled: false`
// passes events through. Metric: faultline_scrubbed_values_total{processor, kind}. Events and
// their attribute maps are shared with the decoded batch, so changed ones are new objects.
//
// Stack traces repeat thousands of times and are the longest text scanned, so their results (the
// scrubbed text and what was found in it, counted again on every hit) are kept in a bounded LRU
// cache of `cache_size` (2048; 0: none) texts of up to 16 KiB: the output depends only on the text
// and this processor's config. Metrics: faultline_processor_cache_lookups_total{cache="stacktraces",
// result} and faultline_processor_cache_evictions_total{cache="stacktraces"}.

import type { BuiltProcessor, ProcessorContext } from '../../component.js';
import type { ScrubProcessorConfig } from './config.js';
import type { ErrorEvent, Extracted } from '../../extract/error-event.js';
import { LruCache, secondSighting } from '../../internal/lru-cache.js';
import type { Attributes, AttributeValue } from '../../otlp/types.js';
import { cacheReporter } from '../cache-metrics.js';
import { createScrubMetrics } from './scrub-metrics.js';
import { createScrubber, emptyCounts, REDACTED, SCRUB_KINDS, type ScrubCounts, type ScrubKind, type Scrubber } from './scrubber.js';
import type { ProcessorFactory } from '../../component.js';
import { SCRUB_DEFAULTS, scrubProcessorType } from './config.js';

/** Deeper values are replaced whole: nothing legitimate nests this far, and recursion stays bounded. */
const MAX_DEPTH = 16;
/** Longer stack traces are scrubbed each time, so the cache's memory stays bounded. */
export const MAX_CACHED_TEXT_CHARS = 16 * 1024;

/** A text's scrubbed form and what was found in it; frozen, since every hit shares it. */
interface ScrubbedText {
  readonly text: string;
  readonly found: readonly (readonly [ScrubKind, number])[];
}

export type ScrubCache = LruCache<string, ScrubbedText>;

export function createScrubProcessor(config: ScrubProcessorConfig, context: ProcessorContext): BuiltProcessor {
  if (!config.enabled) return { processor: { process: (batch) => batch } };
  const { scrubbed } = createScrubMetrics(context.registry);
  const counters = SCRUB_KINDS.map((kind) => [kind, scrubbed.labels({ processor: config.id, kind })] as const);
  const scrubber = createScrubber(config);
  const stacks: ScrubCache | null = config.cacheSize > 0 ? new LruCache(config.cacheSize, secondSighting(2 * config.cacheSize)) : null;
  const reportCache = stacks === null ? () => {} : cacheReporter(context.registry, config.id, 'stacktraces', stacks);
  return {
    processor: {
      process(batch: Extracted): Extracted {
        if (batch.events.length === 0) return batch;
        const counts = emptyCounts();
        // Events from one span share its attribute map: scrub it once, keep it shared.
        const scrubbedMaps = new Map<Attributes, Attributes>();
        let events: ErrorEvent[] | null = null;
        for (let i = 0; i < batch.events.length; i++) {
          const event = batch.events[i];
          const next = scrubEvent(event, scrubber, counts, scrubbedMaps, stacks);
          if (next !== event) events ??= batch.events.slice(0, i);
          events?.push(next);
        }
        for (const [kind, counter] of counters) if (counts[kind] > 0) counter.inc(counts[kind]);
        reportCache();
        return events === null ? batch : { ...batch, events };
      },
    },
  };
}

export function scrubEvent(
  event: ErrorEvent,
  scrubber: Scrubber,
  counts: ScrubCounts,
  scrubbedMaps: Map<Attributes, Attributes> = new Map(),
  stacks: ScrubCache | null = null,
): ErrorEvent {
  const message = scrubber.text(event.message, counts);
  const stacktrace = stacks === null ? scrubber.text(event.stacktrace, counts) : cachedText(event.stacktrace, scrubber, counts, stacks);
  const urlPath = scrubber.text(event.urlPath, counts);
  let attributes = scrubbedMaps.get(event.attributes);
  if (attributes === undefined) {
    attributes = scrubAttributes(event.attributes, scrubber, counts, 0) as Attributes;
    scrubbedMaps.set(event.attributes, attributes);
  }
  let grouping = event.grouping;
  if (grouping !== undefined) {
    const title = scrubber.text(grouping.title, counts);
    const culprit = scrubber.text(grouping.culprit, counts);
    if (title !== grouping.title || culprit !== grouping.culprit) grouping = { ...grouping, title, culprit };
  }
  const unchanged =
    message === event.message &&
    stacktrace === event.stacktrace &&
    urlPath === event.urlPath &&
    attributes === event.attributes &&
    grouping === event.grouping;
  return unchanged ? event : { ...event, message, stacktrace, urlPath, attributes, grouping };
}

/** scrubber.text(text, counts) through `cache`: the same text and the same counts. */
function cachedText(text: string, scrubber: Scrubber, counts: ScrubCounts, cache: ScrubCache): string {
  if (text === '' || text.length > MAX_CACHED_TEXT_CHARS) return scrubber.text(text, counts);
  let entry = cache.get(text);
  if (entry === undefined) {
    const own = emptyCounts();
    const scrubbed = scrubber.text(text, own);
    const found = SCRUB_KINDS.filter((kind) => own[kind] > 0).map((kind) => Object.freeze([kind, own[kind]] as const));
    entry = Object.freeze({ text: scrubbed, found: Object.freeze(found) });
    cache.set(text, entry);
  }
  for (const [kind, count] of entry.found) counts[kind] += count;
  return entry.text;
}

/** The same map when nothing in it changed, else a new one. */
function scrubAttributes(
  attributes: ReadonlyMap<string, AttributeValue>,
  scrubber: Scrubber,
  counts: ScrubCounts,
  depth: number,
): ReadonlyMap<string, AttributeValue> {
  let copy: Map<string, AttributeValue> | null = null;
  for (const [key, value] of attributes) {
    const next = scrubber.isSecretKey(key) ? redactWhole(value, counts) : scrubValue(value, scrubber, counts, depth);
    if (next !== value) {
      copy ??= new Map(attributes);
      copy.set(key, next);
    }
  }
  return copy ?? attributes;
}

function scrubValue(value: AttributeValue, scrubber: Scrubber, counts: ScrubCounts, depth: number): AttributeValue {
  if (typeof value === 'string') return scrubber.text(value, counts);
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  if (depth >= MAX_DEPTH) return redactWhole(value, counts);
  if (Array.isArray(value)) {
    const items = value as readonly AttributeValue[];
    let copy: AttributeValue[] | null = null;
    for (let index = 0; index < items.length; index++) {
      const next = scrubValue(items[index], scrubber, counts, depth + 1);
      if (next !== items[index]) copy ??= [...items];
      if (copy !== null) copy[index] = next;
    }
    return copy ?? value;
  }
  const entries = new Map(Object.entries(value as { readonly [key: string]: AttributeValue }));
  const scrubbed = scrubAttributes(entries, scrubber, counts, depth + 1);
  return scrubbed === entries ? value : Object.fromEntries(scrubbed);
}

/** A secret-keyed value: every string in it goes, keeping a list's length so its shape reads. */
function redactWhole(value: AttributeValue, counts: ScrubCounts): AttributeValue {
  if (value === null || value === '' || value === REDACTED) return value;
  counts.attribute_key++;
  if (Array.isArray(value)) return value.map(() => REDACTED);
  return REDACTED;
}

export const scrubProcessorFactory: ProcessorFactory<ScrubProcessorConfig> = {
  type: 'scrub',
  defaults: SCRUB_DEFAULTS,
  schema: scrubProcessorType,
  create: createScrubProcessor,
};
