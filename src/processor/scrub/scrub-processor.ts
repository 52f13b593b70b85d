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

import type { BuildContext, BuiltProcessor } from '../../component-factories.js';
import type { ScrubProcessorConfig } from '../../config/types.js';
import type { ErrorEvent, Extracted } from '../../extract/error-event.js';
import type { Attributes, AttributeValue } from '../../otlp/types.js';
import { createScrubMetrics } from './scrub-metrics.js';
import { createScrubber, emptyCounts, REDACTED, SCRUB_KINDS, type ScrubCounts, type Scrubber } from './scrubber.js';

/** Deeper values are replaced whole: nothing legitimate nests this far, and recursion stays bounded. */
const MAX_DEPTH = 16;

export function createScrubProcessor(config: ScrubProcessorConfig, context: BuildContext): BuiltProcessor {
  if (!config.enabled) return { processor: { process: (batch) => batch } };
  const { scrubbed } = createScrubMetrics(context.registry);
  const counters = SCRUB_KINDS.map((kind) => [kind, scrubbed.labels({ processor: config.id, kind })] as const);
  const scrubber = createScrubber(config);
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
          const next = scrubEvent(event, scrubber, counts, scrubbedMaps);
          if (next !== event) events ??= batch.events.slice(0, i);
          events?.push(next);
        }
        for (const [kind, counter] of counters) if (counts[kind] > 0) counter.inc(counts[kind]);
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
): ErrorEvent {
  const message = scrubber.text(event.message, counts);
  const stacktrace = scrubber.text(event.stacktrace, counts);
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
