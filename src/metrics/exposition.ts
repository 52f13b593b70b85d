// Writes a prom-client registry as Prometheus text 0.0.4 or OpenMetrics 1.0 without going through
// Registry.metrics(). Why our own writer: the metrics must live on an OpenMetrics registry to carry
// exemplars, and prom-client's OpenMetrics render renames every counter in place (drops `_total`
// from metric.name for good), so a later text render would expose `faultline_errors` — and two
// concurrent scrapes of different formats would race on that name. Here the format is an argument,
// nothing is mutated, and a large exposition yields to the event loop every 1,024 lines
// (prom-client#543: an 8 MB render blocked the loop for a second). Counters, gauges and histograms
// are read from prom-client's per-series entries (series-entries.ts) a series at a time, since
// get() builds all of a metric's samples in one call (~100 ms for a 10,000-series histogram); the
// first render checks that both give the same bytes, or get() is used throughout. A render is not
// a snapshot: a series written after a yield includes updates made during it (as between metrics
// before); each series is still read whole within one slice.

import { setImmediate as nextTurn } from 'node:timers/promises';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import {
  readSeriesEntries,
  type ExemplarEntry,
  type HistogramSeriesEntry,
  type LabelSet,
  type SeriesEntries,
  type ValueEntry,
} from './series-entries.js';

export type ExpositionFormat = 'text' | 'openmetrics';

export interface ExpositionOptions {
  /** false: every metric through prom-client's get(), the path before series-entries.ts. Default true. */
  readonly readEntries?: boolean;
}

/** Lines written between two yields to the event loop. */
const LINES_PER_SLICE = 1024;

/** The shape prom-client's get()/getForPromString() return; not exported by its typings. */
interface Snapshot {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly values?: readonly {
    readonly value: number;
    readonly labels?: LabelSet;
    readonly sharedLabels?: LabelSet;
    readonly metricName?: string;
    readonly exemplar?: ExemplarEntry | null;
  }[];
}

interface Collectable {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  get(): Promise<Snapshot>;
  getForPromString?(): Promise<Snapshot>;
}

let probed: Promise<boolean> | undefined;

/** Whether reading entries renders exactly what get() does here; probed once, at the first render. */
export function entriesReadable(): Promise<boolean> {
  return (probed ??= probeEntries());
}

/** Renders every metric of the registry; counters are always exposed as `<base>_total`. */
export async function renderExposition(
  registry: Registry,
  format: ExpositionFormat,
  options: ExpositionOptions = {},
): Promise<string> {
  const readEntries = options.readEntries !== false && (await entriesReadable());
  return render(registry.getMetricsAsArray() as unknown as Collectable[], format, readEntries);
}

async function render(metrics: readonly Collectable[], format: ExpositionFormat, readEntries: boolean): Promise<string> {
  const openMetrics = format === 'openmetrics';
  const out = new SlicedOutput();
  const sharedLabelText = new WeakMap<LabelSet, string>();
  for (const metric of metrics) {
    const read = readEntries ? await readSeriesEntries(metric) : null;
    if (read !== null) {
      // Listing a large metric's entries is a stretch of its own (~3 ms at 10,000 series).
      if (read.entries.length >= LINES_PER_SLICE / 4) await out.nextSlice();
      await writeEntries(out, metric, read, openMetrics);
      continue;
    }
    const snapshot = metric.getForPromString ? await metric.getForPromString() : await metric.get();
    const base = writeHeader(out, snapshot, openMetrics);
    const counter = snapshot.type === 'counter';
    for (const sample of snapshot.values ?? []) {
      const name = counter ? `${base}_total` : (sample.metricName ?? base);
      out.push(
        name +
          formatLabels(sample.sharedLabels, sample.labels, openMetrics, sharedLabelText) +
          ' ' +
          formatValue(sample.value) +
          exemplarText(sample.exemplar, openMetrics),
      );
      if (out.full) await out.nextSlice();
    }
  }
  if (openMetrics) out.push('# EOF');
  return out.finish();
}

/** HELP and TYPE; returns the base name (a counter's without `_total`). */
function writeHeader(out: SlicedOutput, metric: { readonly name: string; readonly help: string; readonly type: string }, openMetrics: boolean): string {
  const counter = metric.type === 'counter';
  // Counters are named from their base so a name that lost `_total` elsewhere still renders right.
  const base = counter ? metric.name.replace(/_total$/, '') : metric.name;
  const family = counter && !openMetrics ? `${base}_total` : base;
  out.push(`# HELP ${family} ${escapeHelp(metric.help, openMetrics)}`, `# TYPE ${family} ${metric.type}`);
  return base;
}

/** The lines get() would give for the same entries, in the same order, a slice at a time. */
async function writeEntries(out: SlicedOutput, metric: Collectable, read: SeriesEntries, openMetrics: boolean): Promise<void> {
  const base = writeHeader(out, metric, openMetrics);
  if (read.type === 'histogram') {
    await writeHistogram(out, base, read.upperBounds, read.entries, openMetrics);
    return;
  }
  const name = read.type === 'counter' ? `${base}_total` : base;
  const entries: readonly ValueEntry[] = read.entries;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    out.push(name + formatLabels(undefined, entry.labels, openMetrics) + ' ' + formatValue(entry.value) + exemplarText(entry.exemplar, openMetrics));
    if (out.full) await out.nextSlice();
  }
}

/** Per series: cumulative `_bucket` lines per upper bound, `le="+Inf"` (the count), `_sum`, `_count`. */
async function writeHistogram(
  out: SlicedOutput,
  base: string,
  upperBounds: readonly number[],
  entries: readonly HistogramSeriesEntry[],
  openMetrics: boolean,
): Promise<void> {
  const bucketName = `${base}_bucket`;
  const sumName = `${base}_sum`;
  const countName = `${base}_count`;
  const bounds = upperBounds.map((bound) => `le="${escapeLabelValue(openMetrics ? canonicalNumber(bound) : String(bound))}"`);
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    const labels = entry.labels as LabelSet | undefined;
    const shared = labels ? labelBody(labels) : '';
    const plain = shared ? `{${shared}}` : '';
    // A series label named `le` (possible only through zero()) hides the bound, as in formatLabels.
    const open = labels && Object.prototype.hasOwnProperty.call(labels, 'le') ? null : shared ? `{${shared},` : '{';
    const exemplars = entry.bucketExemplars;
    let cumulative = 0;
    for (let b = 0; b < upperBounds.length; b++) {
      const bound = upperBounds[b]!;
      cumulative += entry.bucketValues[bound]!;
      const exemplar = exemplars ? exemplars[bound] : null;
      out.push(bucketName + (open === null ? plain : open + bounds[b]! + '}') + ' ' + formatValue(cumulative) + exemplarText(exemplar, openMetrics));
    }
    out.push(
      bucketName + (open === null ? plain : open + 'le="+Inf"}') + ' ' + formatValue(entry.count) + exemplarText(exemplars ? exemplars['-1'] : null, openMetrics),
      sumName + plain + ' ' + formatValue(entry.sum),
      countName + plain + ' ' + formatValue(entry.count),
    );
    if (out.full) await out.nextSlice();
  }
}

/**
 * Lines gathered a slice at a time: a full slice is joined into one chunk before the render
 * yields, so no single join at the end walks every line.
 */
class SlicedOutput {
  private readonly chunks: string[] = [];
  private lines: string[] = [];

  push(...lines: string[]): void {
    for (const line of lines) this.lines.push(line);
  }

  get full(): boolean {
    return this.lines.length >= LINES_PER_SLICE;
  }

  nextSlice(): Promise<void> {
    this.seal();
    return nextTurn();
  }

  /** Every line, each ending in a newline. */
  finish(): string {
    this.seal();
    return this.chunks.join('');
  }

  private seal(): void {
    if (this.lines.length === 0) return;
    this.lines.push('');
    this.chunks.push(this.lines.join('\n'));
    this.lines = [];
  }
}

/** ` # {trace_id="…"} 0.25 1700000000.123` after a sample, in OpenMetrics only. */
function exemplarText(exemplar: ExemplarEntry | null | undefined, openMetrics: boolean): string {
  if (!openMetrics || !exemplar?.labelSet || exemplar.value === null || !hasKeys(exemplar.labelSet)) return '';
  let text = ` # ${formatLabels(exemplar.labelSet, undefined, true) || '{}'} ${formatValue(exemplar.value)}`;
  if (exemplar.timestamp !== undefined) text += ` ${exemplar.timestamp}`;
  return text;
}

/**
 * Checks on throw-away metrics (every line shape: escaping, numeric label values, exemplars on
 * buckets and +Inf, a collect() callback, a histogram without labels) that both paths agree.
 */
async function probeEntries(): Promise<boolean> {
  try {
    const registers: Registry[] = [];
    const labelNames = ['path', 'code'];
    const counter = new Counter({ name: 'probe_total', help: 'a "probe" \\ \n', labelNames, enableExemplars: true, registers });
    counter.inc({ labels: { path: 'a"b\\c\nd', code: 200 }, value: 2, exemplarLabels: { trace_id: 't"1' } });
    counter.inc({ labels: { path: 'x', code: 500 } });
    const gauge = new Gauge({
      name: 'probe_gauge',
      help: 'probe',
      labelNames,
      registers,
      collect() {
        this.set({ path: 'y', code: 1 }, -Infinity);
      },
    });
    const histogram = new Histogram({ name: 'probe_seconds', help: 'probe', labelNames, buckets: [0.5, 1, 2.5], enableExemplars: true, registers });
    histogram.observe({ labels: { path: 'a', code: 200 }, value: 0.7, exemplarLabels: { trace_id: 't' } });
    histogram.observe({ labels: { path: 'a', code: 200 }, value: 9, exemplarLabels: { trace_id: 'u' } });
    histogram.zero({ path: 'b', code: 404 });
    const unlabelled = new Histogram({ name: 'probe_unlabelled_seconds', help: 'probe', buckets: [1], registers });
    unlabelled.observe(0.25);
    const metrics = [counter, gauge, histogram, unlabelled] as unknown as Collectable[];
    for (const format of ['text', 'openmetrics'] as const) {
      const direct = await render(metrics, format, true);
      if (direct !== (await render(metrics, format, false))) return false;
    }
    return true;
  } catch {
    return false;
  }
}

function hasKeys(labels: LabelSet): boolean {
  for (const _ in labels) return true;
  return false;
}

/**
 * `{a="x",le="0.25"}`: the series labels first, then the sample's own (le, quantile). A histogram
 * hands the same series-labels object to each of its bucket lines, so its text is made once.
 */
function formatLabels(
  shared: LabelSet | undefined,
  own: LabelSet | undefined,
  openMetrics: boolean,
  cache?: WeakMap<LabelSet, string>,
): string {
  let body = '';
  if (shared) {
    const cached = cache?.get(shared);
    if (cached !== undefined) body = cached;
    else {
      body = labelBody(shared);
      cache?.set(shared, body);
    }
  }
  if (own) {
    for (const name in own) {
      if (shared && Object.prototype.hasOwnProperty.call(shared, name)) continue;
      const raw = own[name];
      const value = openMetrics && (name === 'le' || name === 'quantile') ? canonicalNumber(raw) : String(raw);
      body += `${body ? ',' : ''}${name}="${escapeLabelValue(value)}"`;
    }
  }
  return body ? `{${body}}` : '';
}

/** `a="x",b="y"`, in the object's key order. */
function labelBody(labels: LabelSet): string {
  let body = '';
  for (const name in labels) body += `${body ? ',' : ''}${name}="${escapeLabelValue(String(labels[name]))}"`;
  return body;
}

/** OpenMetrics wants bucket bounds as canonical floats: `1.0`, not `1`. */
function canonicalNumber(value: string | number): string {
  if (typeof value !== 'number') return value;
  if (Number.isInteger(value)) return `${value}.0`;
  return formatValue(value);
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return `${value}`;
}

const LABEL_SPECIAL = /[\\"\n]/g;
const HAS_LABEL_SPECIAL = /[\\"\n]/;
const HELP_SPECIAL = /[\\\n]/g;

function escapeChar(char: string): string {
  return char === '\n' ? '\\n' : `\\${char}`;
}

export function escapeLabelValue(value: string): string {
  return HAS_LABEL_SPECIAL.test(value) ? value.replace(LABEL_SPECIAL, escapeChar) : value;
}

function escapeHelp(help: string, openMetrics: boolean): string {
  return help.replace(openMetrics ? LABEL_SPECIAL : HELP_SPECIAL, escapeChar);
}
