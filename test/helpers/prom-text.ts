// A small, strict reader of the Prometheus text format 0.0.4 and OpenMetrics 1.0 for tests: it
// throws on anything malformed (bad names, bad escapes, duplicate series, text after # EOF), so
// "it parses" is an assertion. Series keys are `name{a="x",b="y"}` with labels sorted by name and
// values escaped as in the exposition; a series without labels is just `name`.

export type Labels = Readonly<Record<string, string>>;

export interface Exemplar {
  readonly labels: Labels;
  readonly value: number;
  readonly timestamp: number | undefined;
}

export interface Sample {
  readonly name: string;
  readonly labels: Labels;
  readonly value: number;
  readonly timestamp: number | undefined;
  readonly exemplar: Exemplar | undefined;
}

export interface Exposition {
  readonly samples: readonly Sample[];
  /** Family name → type, from # TYPE lines. */
  readonly types: ReadonlyMap<string, string>;
  /** Family name → help text (unescaped), from # HELP lines. */
  readonly helps: ReadonlyMap<string, string>;
  /** Whether the text ended with `# EOF` (OpenMetrics). */
  readonly eof: boolean;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const helps = new Map<string, string>();
  const seen = new Set<string>();
  let eof = false;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    const where = `line ${index + 1}: ${JSON.stringify(line)}`;
    if (eof) throw new Error(`text after # EOF at ${where}`);
    if (line === '') continue;
    if (line.startsWith('#')) {
      if (line === '# EOF') {
        eof = true;
        continue;
      }
      const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*)(?: (.*))?$/.exec(line);
      if (!meta) continue; // a plain comment
      const [, kind, family, rest = ''] = meta;
      const table = kind === 'TYPE' ? types : helps;
      if (table.has(family!)) throw new Error(`second # ${kind} for ${family} at ${where}`);
      if (kind === 'TYPE' && !/^(counter|gauge|histogram|summary|untyped|unknown|info|stateset|gaugehistogram)$/.test(rest)) {
        throw new Error(`unknown type at ${where}`);
      }
      table.set(family!, kind === 'TYPE' ? rest : unescape(rest, false, where));
      continue;
    }
    const sample = parseSample(line, where);
    const key = seriesKey(sample.name, sample.labels);
    if (seen.has(key)) throw new Error(`duplicate series ${key} at ${where}`);
    seen.add(key);
    samples.push(sample);
  }
  return { samples, types, helps, eof };
}

/** Every sample's value by series key; throws when the text does not parse. */
export function parsePrometheusText(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const sample of parseExposition(text).samples) values.set(seriesKey(sample.name, sample.labels), sample.value);
  return values;
}

/** The value of one series, or undefined when the exposition does not have it. */
export function sampleValue(text: string | ReadonlyMap<string, number>, name: string, labels: Labels = {}): number | undefined {
  const values = typeof text === 'string' ? parsePrometheusText(text) : text;
  return values.get(seriesKey(name, labels));
}

/** Sum of every series of `name` whose labels include `match`. */
export function sumSamples(text: string | ReadonlyMap<string, number>, name: string, match: Labels = {}): number {
  const samples = typeof text === 'string' ? parseExposition(text).samples : [...text].map(([key, value]) => keyToSample(key, value));
  let sum = 0;
  for (const sample of samples) {
    if (sample.name !== name) continue;
    if (Object.entries(match).every(([label, value]) => sample.labels[label] === value)) sum += sample.value;
  }
  return sum;
}

export function seriesKey(name: string, labels: Labels): string {
  const names = Object.keys(labels).sort();
  if (names.length === 0) return name;
  return `${name}{${names.map((label) => `${label}="${escapeLabelValue(labels[label]!)}"`).join(',')}}`;
}

function keyToSample(key: string, value: number): Sample {
  const sample = parseSample(`${key} ${value}`, key);
  return { ...sample, value };
}

function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (char) => (char === '\n' ? '\\n' : `\\${char}`));
}

function parseSample(line: string, where: string): Sample {
  const nameMatch = METRIC_NAME.exec(line);
  if (!nameMatch) throw new Error(`bad metric name at ${where}`);
  const name = nameMatch[0];
  let position = name.length;
  let labels: Labels = {};
  if (line[position] === '{') {
    const parsed = parseLabels(line, position, where);
    labels = parsed.labels;
    position = parsed.end;
  }
  const rest = line.slice(position);
  const match = /^ +(\S+)(?: +(\S+))?(?: +# +(\{.*\}) +(\S+)(?: +(\S+))?)? *$/.exec(rest);
  if (!match) throw new Error(`bad value part at ${where}`);
  const [, valueText, timestampText, exemplarLabels, exemplarValue, exemplarTimestamp] = match;
  let exemplar: Exemplar | undefined;
  if (exemplarLabels !== undefined) {
    const parsed = parseLabels(exemplarLabels, 0, where);
    if (parsed.end !== exemplarLabels.length) throw new Error(`bad exemplar at ${where}`);
    exemplar = {
      labels: parsed.labels,
      value: parseNumber(exemplarValue!, where),
      timestamp: exemplarTimestamp === undefined ? undefined : parseNumber(exemplarTimestamp, where),
    };
  }
  return {
    name,
    labels,
    value: parseNumber(valueText!, where),
    timestamp: timestampText === undefined ? undefined : parseNumber(timestampText, where),
    exemplar,
  };
}

/** Reads `{a="x",b="y"}` starting at the `{`; returns the labels and the index after `}`. */
function parseLabels(line: string, start: number, where: string): { labels: Labels; end: number } {
  const labels: Record<string, string> = {};
  let position = start + 1;
  for (;;) {
    if (line[position] === '}') return { labels, end: position + 1 };
    const nameMatch = LABEL_NAME.exec(line.slice(position));
    if (!nameMatch) throw new Error(`bad label name at ${where}`);
    const label = nameMatch[0];
    if (Object.prototype.hasOwnProperty.call(labels, label)) throw new Error(`label ${label} twice at ${where}`);
    position += label.length;
    if (line[position] !== '=' || line[position + 1] !== '"') throw new Error(`expected ="… after ${label} at ${where}`);
    position += 2;
    let raw = '';
    for (;;) {
      const char = line[position];
      if (char === undefined) throw new Error(`unterminated label value at ${where}`);
      if (char === '"') break;
      if (char === '\\') {
        raw += line.slice(position, position + 2);
        position += 2;
      } else {
        raw += char;
        position++;
      }
    }
    labels[label] = unescape(raw, true, where);
    position++; // the closing quote
    if (line[position] === ',') position++;
    else if (line[position] !== '}') throw new Error(`expected , or } at ${where}`);
  }
}

function unescape(raw: string, labelValue: boolean, where: string): string {
  return raw.replace(/\\(.?)/g, (_, char: string) => {
    if (char === '\\') return '\\';
    if (char === 'n') return '\n';
    if (char === '"' && labelValue) return '"';
    if (!labelValue) return `\\${char}`; // text-format HELP keeps other backslashes as written
    throw new Error(`bad escape \\${char} at ${where}`);
  });
}

function parseNumber(text: string, where: string): number {
  const lower = text.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new Error(`bad number ${JSON.stringify(text)} at ${where}`);
  return value;
}
