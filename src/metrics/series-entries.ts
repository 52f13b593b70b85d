// The per-series entries prom-client keeps inside a Counter, Gauge or Histogram (`hashMap`), read
// directly so exposition.ts can write a large metric a few hundred series at a time: prom-client's
// get() builds every sample object of a metric in one synchronous call (~14 per histogram series),
// which blocked the event loop for ~100 ms at 10,000 histogram series. This leans on prom-client
// 15's internals (`hashMap`, `upperBounds`, entries of `{ labels, value, exemplar }` and
// `{ labels, bucketValues, bucketExemplars, sum, count }`); exposition.ts checks once that reading
// them renders exactly what get() does, and otherwise uses get() for everything. prom-client is
// pinned exactly; test/metrics/prom-client-internals.test.ts fails on a version where these changed.

import { Counter, Gauge, Histogram } from 'prom-client';

export type LabelSet = Readonly<Record<string, string | number>>;

export interface ExemplarEntry {
  readonly labelSet?: LabelSet;
  readonly value: number | null;
  readonly timestamp?: number;
}

export interface ValueEntry {
  readonly labels?: LabelSet;
  readonly value: number;
  readonly exemplar?: ExemplarEntry | null;
}

export interface HistogramSeriesEntry {
  readonly labels: LabelSet;
  readonly bucketValues: Readonly<Record<string, number>>;
  readonly bucketExemplars?: Readonly<Record<string, ExemplarEntry | null | undefined>>;
  readonly sum: number;
  readonly count: number;
}

/** A metric's series as of one read: the entries are prom-client's own, live objects. */
export type SeriesEntries =
  | { readonly type: 'counter' | 'gauge'; readonly entries: readonly ValueEntry[] }
  | { readonly type: 'histogram'; readonly upperBounds: readonly number[]; readonly entries: readonly HistogramSeriesEntry[] };

interface Internals {
  hashMap?: unknown;
  upperBounds?: unknown;
  collect?: () => unknown;
}

/**
 * Runs the metric's collect() callback (as get() would) and returns its entries; null for a metric
 * this does not read (another type, a subclass with its own get(), another copy of prom-client),
 * which the caller then renders through get().
 */
export async function readSeriesEntries(metric: unknown): Promise<SeriesEntries | null> {
  const type = readableType(metric);
  if (type === null) return null;
  const internals = metric as Internals;
  if (!isMap(internals.hashMap) || (type === 'histogram' && !Array.isArray(internals.upperBounds))) return null;
  if (typeof internals.collect === 'function') {
    const pending = internals.collect();
    if (pending instanceof Promise) await pending;
  }
  // Read after collect(): a callback may reset() the metric, which replaces the map.
  const entries = Object.values(internals.hashMap as object);
  if (type !== 'histogram') return { type, entries: entries as ValueEntry[] };
  return { type, upperBounds: internals.upperBounds as number[], entries: entries as HistogramSeriesEntry[] };
}

function isMap(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function readableType(metric: unknown): 'counter' | 'gauge' | 'histogram' | null {
  if (metric instanceof Counter) return (metric as Counter).get === Counter.prototype.get ? 'counter' : null;
  if (metric instanceof Gauge) return (metric as Gauge).get === Gauge.prototype.get ? 'gauge' : null;
  if (metric instanceof Histogram) {
    const histogram = metric as Histogram & { getForPromString?: unknown };
    const prototype = Histogram.prototype as Histogram & { getForPromString?: unknown };
    return histogram.get === prototype.get && histogram.getForPromString === prototype.getForPromString ? 'histogram' : null;
  }
  return null;
}
