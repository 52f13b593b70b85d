// The `scrub` processor removes or masks secrets and personal data before anything is stored,
// exported or sent: in each event's message, stack trace, structured exceptions' messages, url path, grouping title and culprit,
// attribute values (nested lists and maps too), and its short fields that become labels, titles
// and sample fields: exception type, span name, route, method, service, release and environment.
// The batch's span timings (service, span name: labels of the span metrics and span alerts) and
// SERVER/CONSUMER spans (service, name, route: the identity processor, after this one, copies them
// onto error events) are scrubbed with the same rules. An attribute whose key looks secret
// (`password`, `token`, `cookie`… see config.ts) loses its value whatever it is; other text is
// searched by the detectors in scrubber.ts. Secrets become `[redacted]`; personal data keeps its
// kind: `[email]`, `[ip]`, `[card]`. A class name or a route without secrets is left as it is, and
// every secret of a label becomes the same `[redacted]`, so scrubbing adds no label values.
//
// On by default (IMPLICIT_SCRUB runs first in pipelines that list no scrub); `enabled: false`
// passes events through. Metric: faultline_scrubbed_values_total{processor, kind}. Events and
// their attribute maps are shared with the decoded batch, so changed ones are new objects.
//
// Stack traces repeat thousands of times and are the longest text scanned, so their results (the
// scrubbed text and what was found in it, counted again on every hit) are kept in a bounded LRU
// cache of `cache_size` (0: none; default in config.ts) texts of up to 16 KiB: the output depends only on the text
// and this processor's config. Span names, routes and the other short fields repeat even more (one
// per span timing), so they have a cache of their own of the same size, and within a batch a plain
// map in front of it. Metrics: faultline_processor_cache_lookups_total{cache="stacktraces"|"fields",
// result} and faultline_processor_cache_evictions_total{cache}.

import type { BuiltProcessor, ProcessorContext } from '../../component.js';
import type { ScrubProcessorConfig } from './config.js';
import type { ErrorEvent, Extracted, ServerSpan, SpanTiming, StructuredException } from '../../extract/error-event.js';
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
  const newCache = (): ScrubCache | null =>
    config.cacheSize > 0 ? new LruCache(config.cacheSize, secondSighting(2 * config.cacheSize)) : null;
  const stacks = newCache();
  const fieldCache = newCache();
  const reportStacks = stacks === null ? () => {} : cacheReporter(context.registry, config.id, 'stacktraces', stacks);
  const reportFields = fieldCache === null ? () => {} : cacheReporter(context.registry, config.id, 'fields', fieldCache);
  return {
    processor: {
      process(batch: Extracted): Extracted {
        const counts = emptyCounts();
        const fields = createFieldScrubber(scrubber, counts, fieldCache);
        // Events from one span share its attribute map: scrub it once, keep it shared.
        const scrubbedMaps = new Map<Attributes, Attributes>();
        let events: ErrorEvent[] | null = null;
        for (let i = 0; i < batch.events.length; i++) {
          const event = batch.events[i];
          const next = scrubEvent(event, scrubber, counts, scrubbedMaps, stacks, fields);
          if (next !== event) events ??= batch.events.slice(0, i);
          events?.push(next);
        }
        const timings = scrubTimings(batch.timings, fields);
        const serverSpans = batch.serverSpans === undefined ? undefined : scrubServerSpans(batch.serverSpans, fields);
        for (const [kind, counter] of counters) if (counts[kind] > 0) counter.inc(counts[kind]);
        reportStacks();
        reportFields();
        if (events === null && timings === batch.timings && serverSpans === batch.serverSpans) return batch;
        return { ...batch, events: events ?? batch.events, timings, ...(serverSpans === undefined ? {} : { serverSpans }) };
      },
    },
  };
}

/** Scrubs a short field (a name, a route, a label value); the same string when nothing was found. */
export type FieldScrubber = (text: string) => string;

/**
 * A FieldScrubber for one batch: a map of the batch's texts in front of `cache` (the same span
 * name comes with every span of a route), so a repeat costs one lookup and no LRU reordering.
 */
export function createFieldScrubber(scrubber: Scrubber, counts: ScrubCounts, cache: ScrubCache | null): FieldScrubber {
  const seen = new Map<string, ScrubbedText>();
  return (text) => {
    if (text === '') return text;
    let entry = seen.get(text);
    if (entry === undefined) {
      entry = scrubbedEntry(text, scrubber, cache);
      seen.set(text, entry);
    }
    if (entry.found.length > 0) for (const [kind, count] of entry.found) counts[kind] += count;
    return entry.text;
  };
}

function scrubTimings(timings: readonly SpanTiming[], fields: FieldScrubber): readonly SpanTiming[] {
  let copy: SpanTiming[] | null = null;
  // The timings of one resource share its service string: once it is known clean, a repeat is free.
  let cleanService: string | null = null;
  for (let i = 0; i < timings.length; i++) {
    const timing = timings[i]!;
    const service: string = timing.service === cleanService ? cleanService : fields(timing.service);
    if (service === timing.service) cleanService = service;
    const spanName = fields(timing.spanName);
    const changed = service !== timing.service || spanName !== timing.spanName;
    if (changed) copy ??= timings.slice(0, i);
    copy?.push(changed ? { ...timing, service, spanName } : timing);
  }
  return copy ?? timings;
}

/** Their attributes stay unscrubbed and lazy: the identity processor reads only the method and status from them. */
function scrubServerSpans(spans: readonly ServerSpan[], fields: FieldScrubber): readonly ServerSpan[] {
  let copy: ServerSpan[] | null = null;
  let cleanService: string | null = null;
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    const service: string = span.service === cleanService ? cleanService : fields(span.service);
    if (service === span.service) cleanService = service;
    const name = fields(span.name);
    const httpRoute = fields(span.httpRoute);
    const changed = service !== span.service || name !== span.name || httpRoute !== span.httpRoute;
    if (changed) copy ??= spans.slice(0, i);
    copy?.push(changed ? { ...span, service, name, httpRoute } : span);
  }
  return copy ?? spans;
}

export function scrubEvent(
  event: ErrorEvent,
  scrubber: Scrubber,
  counts: ScrubCounts,
  scrubbedMaps: Map<Attributes, Attributes> = new Map(),
  stacks: ScrubCache | null = null,
  fields: FieldScrubber = createFieldScrubber(scrubber, counts, null),
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
  const type = fields(event.type);
  const exceptions = event.exceptions === undefined ? undefined : scrubExceptions(event.exceptions, scrubber, counts, fields);
  const spanName = fields(event.spanName);
  const httpRoute = fields(event.httpRoute);
  const httpMethod = fields(event.httpMethod);
  const service = fields(event.service);
  const serviceVersion = fields(event.serviceVersion);
  const environment = fields(event.environment);
  const unchanged =
    message === event.message &&
    stacktrace === event.stacktrace &&
    urlPath === event.urlPath &&
    attributes === event.attributes &&
    grouping === event.grouping &&
    type === event.type &&
    exceptions === event.exceptions &&
    spanName === event.spanName &&
    httpRoute === event.httpRoute &&
    httpMethod === event.httpMethod &&
    service === event.service &&
    serviceVersion === event.serviceVersion &&
    environment === event.environment;
  if (unchanged) return event;
  return {
    ...event,
    message,
    stacktrace,
    urlPath,
    attributes,
    grouping,
    type,
    ...(exceptions === undefined ? {} : { exceptions }),
    spanName,
    httpRoute,
    httpMethod,
    service,
    serviceVersion,
    environment,
  };
}

/** A structured chain's types and messages, as the event's own; the same list when nothing was found. */
function scrubExceptions(
  exceptions: readonly StructuredException[],
  scrubber: Scrubber,
  counts: ScrubCounts,
  fields: FieldScrubber,
): readonly StructuredException[] {
  let copy: StructuredException[] | null = null;
  for (let i = 0; i < exceptions.length; i++) {
    const exception = exceptions[i]!;
    const type = fields(exception.type);
    const message = scrubber.text(exception.message, counts);
    const changed = type !== exception.type || message !== exception.message;
    if (changed) copy ??= exceptions.slice(0, i);
    copy?.push(changed ? { ...exception, type, message } : exception);
  }
  return copy ?? exceptions;
}

/** scrubber.text(text, counts) through `cache`: the same text and the same counts. */
function cachedText(text: string, scrubber: Scrubber, counts: ScrubCounts, cache: ScrubCache): string {
  if (text === '' || text.length > MAX_CACHED_TEXT_CHARS) return scrubber.text(text, counts);
  const entry = scrubbedEntry(text, scrubber, cache);
  for (const [kind, count] of entry.found) counts[kind] += count;
  return entry.text;
}

/** What scrubbing `text` gives, from `cache` when it is there (and short enough to be kept). */
function scrubbedEntry(text: string, scrubber: Scrubber, cache: ScrubCache | null): ScrubbedText {
  const cacheable = cache !== null && text.length <= MAX_CACHED_TEXT_CHARS;
  let entry = cacheable ? cache.get(text) : undefined;
  if (entry === undefined) {
    const own = emptyCounts();
    const scrubbed = scrubber.text(text, own);
    const found = SCRUB_KINDS.filter((kind) => own[kind] > 0).map((kind) => Object.freeze([kind, own[kind]] as const));
    entry = Object.freeze({ text: scrubbed, found: Object.freeze(found) });
    if (cacheable) cache.set(text, entry);
  }
  return entry;
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
