// Writes a prom-client registry as Prometheus text 0.0.4 or OpenMetrics 1.0 without going through
// Registry.metrics(). Why our own writer: the metrics must live on an OpenMetrics registry to carry
// exemplars, and prom-client's OpenMetrics render renames every counter in place (drops `_total`
// from metric.name for good), so a later text render would expose `faultline_errors` — and two
// concurrent scrapes of different formats would race on that name. Here the format is an argument,
// nothing is mutated, and a large exposition yields to the event loop every few thousand lines
// (prom-client#543: an 8 MB render blocked the loop for a second).

import type { Registry } from 'prom-client';

export type ExpositionFormat = 'text' | 'openmetrics';

/** Lines written between two yields to the event loop. */
const LINES_PER_SLICE = 4096;

type LabelSet = Readonly<Record<string, string | number>>;

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
    readonly exemplar?: { readonly labelSet?: LabelSet; readonly value: number | null; readonly timestamp?: number } | null;
  }[];
}

interface Collectable {
  readonly name: string;
  readonly type: string;
  get(): Promise<Snapshot>;
  getForPromString?(): Promise<Snapshot>;
}

/** Renders every metric of the registry; counters are always exposed as `<base>_total`. */
export async function renderExposition(registry: Registry, format: ExpositionFormat): Promise<string> {
  const openMetrics = format === 'openmetrics';
  const lines: string[] = [];
  const sharedLabelText = new WeakMap<LabelSet, string>();
  let sinceYield = 0;
  for (const metric of registry.getMetricsAsArray() as unknown as Collectable[]) {
    const snapshot = metric.getForPromString ? await metric.getForPromString() : await metric.get();
    const type = snapshot.type;
    const counter = type === 'counter';
    // Counters are named from their base so a name that lost `_total` elsewhere still renders right.
    const base = counter ? snapshot.name.replace(/_total$/, '') : snapshot.name;
    const family = counter && !openMetrics ? `${base}_total` : base;
    lines.push(`# HELP ${family} ${escapeHelp(snapshot.help, openMetrics)}`, `# TYPE ${family} ${type}`);
    for (const sample of snapshot.values ?? []) {
      const name = counter ? `${base}_total` : (sample.metricName ?? base);
      let line = name + formatLabels(sample.sharedLabels, sample.labels, openMetrics, sharedLabelText) + ' ' + formatValue(sample.value);
      const exemplar = sample.exemplar;
      if (openMetrics && exemplar?.labelSet && exemplar.value !== null && hasKeys(exemplar.labelSet)) {
        line += ` # ${formatLabels(exemplar.labelSet, undefined, true) || '{}'} ${formatValue(exemplar.value)}`;
        if (exemplar.timestamp !== undefined) line += ` ${exemplar.timestamp}`;
      }
      lines.push(line);
      if (++sinceYield >= LINES_PER_SLICE) {
        sinceYield = 0;
        await yieldToEventLoop();
      }
    }
  }
  if (openMetrics) lines.push('# EOF');
  lines.push('');
  return lines.join('\n');
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
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
      for (const name in shared) body += `${body ? ',' : ''}${name}="${escapeLabelValue(String(shared[name]))}"`;
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
