// Direct access to the per-series entry prom-client keeps inside a Histogram, so bounded-series.ts
// can add a batch of observations (bucket counts, sum, count) in one step: a Histogram's own
// observe() builds a label hash string and a few objects on every call, which dominated the cost
// of span timers. This leans on prom-client 15's internals (`hashMap`, `sortedLabelNames`,
// `lib/util.hashObject`, entries of `{ labels, bucketValues, sum, count }`); a probe at load time
// checks that they look as expected, and when they do not, callers observe value by value.
// package.json pins prom-client exactly; test/metrics/prom-client-internals.test.ts fails on a
// version where these internals changed.

import { createRequire } from 'node:module';
import { Histogram } from 'prom-client';

export interface HistogramEntry {
  readonly labels: object;
  readonly bucketValues: Record<string, number>;
  sum: number;
  count: number;
}

/** An entry and the key prom-client files it under. */
export interface AttachedEntry {
  readonly entry: HistogramEntry;
  readonly hash: string;
}

interface HistogramInternals {
  hashMap: Record<string, HistogramEntry | undefined>;
  sortedLabelNames: readonly string[];
}

type HashObject = (labels: object, labelNames: readonly string[]) => string;

const hashObject = loadHashObject();

function loadHashObject(): HashObject | null {
  try {
    const util = createRequire(import.meta.url)('prom-client/lib/util.js') as { hashObject?: unknown };
    return typeof util.hashObject === 'function' ? (util.hashObject as HashObject) : null;
  } catch {
    return null;
  }
}

/** Whether entries can be written directly: checked once on a throw-away, unregistered histogram. */
export const HISTOGRAM_ENTRIES_WRITABLE = probe();

function probe(): boolean {
  if (hashObject === null) return false;
  try {
    const histogram = new Histogram({ name: 'probe', help: 'probe', labelNames: ['a', 'b'], buckets: [1, 2], registers: [] });
    const labels = { a: 'x', b: 'y' };
    const attached = attach(histogram, labels);
    if (attached === null) return false;
    const entry = attached.entry;
    entry.bucketValues[2] += 3;
    entry.sum += 4.5;
    entry.count += 3;
    histogram.observe(labels, 0.5);
    const after = (histogram as unknown as HistogramInternals).hashMap[hashObject(labels, (histogram as unknown as HistogramInternals).sortedLabelNames)];
    return after === entry && entry.count === 4 && entry.sum === 5 && entry.bucketValues[1] === 1 && entry.bucketValues[2] === 3;
  } catch {
    return false;
  }
}

function attach(histogram: Histogram<string>, labels: Record<string, string>): AttachedEntry | null {
  const internals = histogram as unknown as Partial<HistogramInternals>;
  if (typeof internals.hashMap !== 'object' || internals.hashMap === null || !Array.isArray(internals.sortedLabelNames)) return null;
  const hash = hashObject!(labels, internals.sortedLabelNames);
  let entry = internals.hashMap[hash];
  if (entry === undefined) {
    histogram.zero(labels);
    entry = internals.hashMap[hash];
  }
  if (entry === undefined || typeof entry.bucketValues !== 'object' || typeof entry.sum !== 'number' || typeof entry.count !== 'number') return null;
  return { entry, hash };
}

/**
 * prom-client's entry for `labels` (created at zero when missing). `known` is the one found last
 * time: it is reused while prom-client still files it under its key (a reset or a remove replaces
 * it). Null when entries cannot be written directly.
 */
export function attachHistogramEntry(
  histogram: Histogram<string>,
  labels: Record<string, string>,
  known: AttachedEntry | null,
): AttachedEntry | null {
  if (!HISTOGRAM_ENTRIES_WRITABLE) return null;
  if (known !== null && (histogram as unknown as HistogramInternals).hashMap[known.hash] === known.entry) return known;
  return attach(histogram, labels);
}
