// A cardinality limit and an expiry around one labelled prom-client metric — or around a counter
// and a histogram that always move together on the same labels (spans_total and
// span_duration_seconds), so one lookup serves both; bounding them jointly gives exactly what two
// independent bounds would, since both see the same label sets.
//
// Label sets live in a trie of Maps keyed by label value, so an update builds no label string and
// allocates nothing once its series exists. Counter increments and histogram observations are
// summed per series until flush(), so prom-client is touched once per label set per batch, not
// once per event (prom-client builds a label hash string on every observe). Histogram sums are
// added straight into prom-client's entry for the series (histogram-entry.ts); observations that
// carry an exemplar still go through observe().
//
// Limit: past `cardinalityLimit` live label sets, a new one is folded into a single series whose
// every label value is `__overflow__` (totals preserved) and counted in
// faultline_cardinality_overflow_total{metric}. Expiry: sweep(now) removes series not updated for
// `expirationMs` (0 or less: never) from prom-client and from here, counted in
// faultline_series_expired_total{metric}; the freed room takes new label sets again.

import { Counter, Histogram, type Registry } from 'prom-client';
import { attachHistogramEntry, HISTOGRAM_ENTRIES_WRITABLE, type AttachedEntry } from './histogram-entry.js';

export const OVERFLOW_LABEL_VALUE = '__overflow__';

/** Longest trace id put in an exemplar; prom-client throws past 128 characters of labels. */
const MAX_EXEMPLAR_TRACE_ID = 64;

/**
 * A series' exemplar is replaced at most this often (a scrape sees only the latest one), except
 * that a span slower than the current exemplar's always takes its place: the slow ones matter.
 * Exemplars are the dearest part of a prom-client update (a second label hash, an object, a time).
 */
export const EXEMPLAR_INTERVAL_MS = 1000;

export interface BoundedSeriesOptions {
  readonly registry: Registry;
  readonly labelNames: readonly string[];
  readonly counter?: { readonly name: string; readonly help: string; readonly exemplars: boolean };
  readonly histogram?: {
    readonly name: string;
    readonly help: string;
    readonly buckets: readonly number[];
    readonly exemplars: boolean;
  };
  readonly cardinalityLimit: number;
  readonly expirationMs: number;
  readonly overflowCounter: Counter<'metric'>;
  readonly expiredCounter: Counter<'metric'>;
}

export interface BoundedSeries {
  readonly counter: Counter<string> | null;
  readonly histogram: Histogram<string> | null;
  /**
   * One update of the label set `values` (in labelNames order; read, never kept): the counter
   * counts one, the histogram observes `seconds` (skipped unless finite; negatives count as 0).
   * `traceId` ('' for none) becomes the exemplar. Counter increments land at flush().
   */
  update(values: readonly string[], nowMs: number, traceId: string, seconds: number): void;
  /** Writes the batch's counter increments and overflow counts to prom-client. */
  flush(): void;
  /** Removes series idle for expirationMs; returns how many went. Flushes first. */
  sweep(nowMs: number): number;
  /** Live label sets, not counting the overflow series. */
  readonly size: number;
}

interface Series {
  readonly labels: Readonly<Record<string, string>>;
  lastUpdateMs: number;
  /** Counter increments not yet written. */
  pending: number;
  /** A trace id for the counter exemplar at the next flush, or ''. */
  traceId: string;
  counterExemplarAtMs: number;
  histogramExemplarAtMs: number;
  histogramExemplarSeconds: number;
  /** Whether the series is in `dirty` (touched since the last flush). */
  inBatch: boolean;
  /** Observations not yet written: per bucket (upper bounds in order), then sum and count. */
  readonly pendingBuckets: Float64Array | null;
  pendingSum: number;
  pendingCount: number;
  /** prom-client's entry for this series' histogram, once attached; null while none. */
  entry: AttachedEntry | null;
}

type TrieNode = Map<string, TrieNode | Series>;

export function createBoundedSeries(options: BoundedSeriesOptions): BoundedSeries {
  const { labelNames, cardinalityLimit, expirationMs, overflowCounter, expiredCounter } = options;
  const depth = labelNames.length;
  if (depth === 0) throw new Error('bounded series need at least one label');
  const registers = [options.registry];
  const counterSpec = options.counter;
  const histogramSpec = options.histogram;
  const counter = counterSpec
    ? new Counter({ name: counterSpec.name, help: counterSpec.help, labelNames, enableExemplars: counterSpec.exemplars, registers })
    : null;
  const histogram = histogramSpec
    ? new Histogram({
        name: histogramSpec.name,
        help: histogramSpec.help,
        labelNames,
        buckets: [...histogramSpec.buckets],
        enableExemplars: histogramSpec.exemplars,
        registers,
      })
    : null;
  const upperBounds = histogramSpec ? [...histogramSpec.buckets].sort((a, b) => a - b) : [];
  const counterExemplars = counterSpec?.exemplars === true;
  const histogramExemplars = histogramSpec?.exemplars === true;
  const metricLabels = [counterSpec, histogramSpec].filter((spec) => spec !== undefined).map((spec) => ({ metric: spec.name }));

  const root: TrieNode = new Map();
  const dirty: Series[] = [];
  let size = 0;
  let overflow: Series | null = null;
  let folded = 0;

  function createSeries(values: readonly string[], nowMs: number): Series {
    const labels: Record<string, string> = {};
    for (let i = 0; i < depth; i++) labels[labelNames[i]!] = values[i]!;
    return {
      labels,
      lastUpdateMs: nowMs,
      pending: 0,
      traceId: '',
      counterExemplarAtMs: -Infinity,
      histogramExemplarAtMs: -Infinity,
      histogramExemplarSeconds: -Infinity,
      inBatch: false,
      pendingBuckets: histogram ? new Float64Array(upperBounds.length) : null,
      pendingSum: 0,
      pendingCount: 0,
      entry: null,
    };
  }

  function find(values: readonly string[], nowMs: number): Series {
    let node = root;
    for (let i = 0; i < depth - 1; i++) {
      const next = node.get(values[i]!) as TrieNode | undefined;
      if (next === undefined) return insert(values, nowMs);
      node = next;
    }
    return (node.get(values[depth - 1]!) as Series | undefined) ?? insert(values, nowMs);
  }

  function insert(values: readonly string[], nowMs: number): Series {
    if (size >= cardinalityLimit) {
      folded++;
      overflow ??= createSeries(labelNames.map(() => OVERFLOW_LABEL_VALUE), nowMs);
      return overflow;
    }
    const series = createSeries(values, nowMs);
    let node = root;
    for (let i = 0; i < depth - 1; i++) {
      let next = node.get(values[i]!) as TrieNode | undefined;
      if (next === undefined) {
        next = new Map();
        node.set(values[i]!, next);
      }
      node = next;
    }
    node.set(values[depth - 1]!, series);
    size++;
    return series;
  }

  function flush(): void {
    for (let i = 0; i < dirty.length; i++) {
      const series = dirty[i]!;
      series.inBatch = false;
      if (counter && series.pending > 0) {
        if (!counterExemplars) counter.inc(series.labels, series.pending);
        else if (series.traceId === '') counter.inc({ labels: series.labels, value: series.pending });
        else {
          counter.inc({ labels: series.labels, value: series.pending, exemplarLabels: { trace_id: series.traceId } });
          series.counterExemplarAtMs = series.lastUpdateMs;
        }
      }
      series.pending = 0;
      series.traceId = '';
      if (series.pendingCount > 0) writeObservations(series);
    }
    dirty.length = 0;
    if (folded > 0) {
      for (const labels of metricLabels) overflowCounter.inc(labels, folded);
      folded = 0;
    }
  }

  /** Adds the series' pending observations to prom-client's histogram in one go. */
  function writeObservations(series: Series): void {
    const buckets = series.pendingBuckets!;
    const attached = (series.entry = attachHistogramEntry(histogram!, series.labels, series.entry));
    if (attached === null) {
      // prom-client's internals are not as histogram-entry.ts expects: one observe per value, at
      // its bucket's upper bound (counts and buckets exact; the sum is then approximate).
      const last = upperBounds.length > 0 ? upperBounds[upperBounds.length - 1]! : 1;
      let inBuckets = 0;
      for (let b = 0; b < upperBounds.length; b++) {
        for (let k = 0; k < buckets[b]!; k++) histogram!.observe(series.labels, upperBounds[b]!);
        inBuckets += buckets[b]!;
      }
      for (let k = inBuckets; k < series.pendingCount; k++) histogram!.observe(series.labels, last * 2);
    } else {
      const entry = attached.entry;
      for (let b = 0; b < upperBounds.length; b++) {
        if (buckets[b]! > 0) entry.bucketValues[upperBounds[b]!] += buckets[b]!;
      }
      entry.sum += series.pendingSum;
      entry.count += series.pendingCount;
    }
    buckets.fill(0);
    series.pendingSum = 0;
    series.pendingCount = 0;
  }

  function removeFromMetrics(series: Series): void {
    counter?.remove(series.labels);
    histogram?.remove(series.labels);
  }

  /** Depth-first removal of idle series; prunes Maps left empty so memory follows live sets. */
  function sweepNode(node: TrieNode, level: number, cutoffMs: number): number {
    let removed = 0;
    for (const [value, child] of node) {
      if (level === depth - 1) {
        if ((child as Series).lastUpdateMs <= cutoffMs) {
          removeFromMetrics(child as Series);
          node.delete(value);
          removed++;
        }
      } else {
        removed += sweepNode(child as TrieNode, level + 1, cutoffMs);
        if ((child as TrieNode).size === 0) node.delete(value);
      }
    }
    return removed;
  }

  return {
    counter,
    histogram,
    update(values, nowMs, traceId, seconds) {
      const series = find(values, nowMs);
      series.lastUpdateMs = nowMs;
      if (!series.inBatch) {
        series.inBatch = true;
        dirty.push(series);
      }
      if (counter) {
        series.pending++;
        if (counterExemplars && usableTraceId(traceId) && nowMs - series.counterExemplarAtMs >= EXEMPLAR_INTERVAL_MS) {
          series.traceId = traceId;
        }
      }
      if (histogram && Number.isFinite(seconds)) {
        const observed = seconds > 0 ? seconds : 0;
        if (
          histogramExemplars &&
          usableTraceId(traceId) &&
          (nowMs - series.histogramExemplarAtMs >= EXEMPLAR_INTERVAL_MS || observed > series.histogramExemplarSeconds)
        ) {
          series.histogramExemplarAtMs = nowMs;
          series.histogramExemplarSeconds = observed;
          histogram.observe({ labels: series.labels, value: observed, exemplarLabels: { trace_id: traceId } });
        } else if (!HISTOGRAM_ENTRIES_WRITABLE) {
          histogram.observe(series.labels, observed);
        } else {
          // The first bucket whose upper bound holds the value; past the last, only sum and count.
          for (let b = 0; b < upperBounds.length; b++) {
            if (observed <= upperBounds[b]!) {
              series.pendingBuckets![b]!++;
              break;
            }
          }
          series.pendingSum += observed;
          series.pendingCount++;
        }
      }
    },
    flush,
    sweep(nowMs) {
      flush();
      if (!(expirationMs > 0)) return 0;
      const cutoffMs = nowMs - expirationMs;
      let removed = sweepNode(root, 0, cutoffMs);
      size -= removed;
      if (overflow && overflow.lastUpdateMs <= cutoffMs) {
        removeFromMetrics(overflow);
        overflow = null;
        removed++;
      }
      if (removed > 0) for (const labels of metricLabels) expiredCounter.inc(labels, removed);
      return removed;
    },
    get size() {
      return size;
    },
  };
}

function usableTraceId(traceId: string): boolean {
  return traceId !== '' && traceId.length <= MAX_EXEMPLAR_TRACE_ID;
}
