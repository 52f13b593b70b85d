// The scalar value types of otel-config.yaml: each names what it expects, so a wrong value reads
// `expected a duration like 15m, got 900`.

import { parseDuration, parseSize } from './durations.js';
import { parseEndpoint } from './endpoints.js';
import { describe, INVALID, scalar, type Type } from './schema.js';

export const endpoint: Type<string> = scalar('host:port', (value) =>
  typeof value === 'string' && parseEndpoint(value) !== null ? value : undefined,
);

/** → milliseconds. */
export const duration: Type<number> = scalar('a duration like 15m', (value) =>
  typeof value === 'string' || value === 0 ? (parseDuration(String(value)) ?? undefined) : undefined,
);

/** → bytes; an integer or a size string like 4MiB. */
export const size: Type<number> = scalar('a size in bytes > 0 (an integer or like 4MiB)', (value) => {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  const bytes = parseSize(value);
  return bytes !== null && bytes > 0 ? bytes : undefined;
});

export const boolean: Type<boolean> = scalar('true or false', (value) =>
  typeof value === 'boolean' ? value : undefined,
);

export const text: Type<string> = scalar('a string', (value) => (typeof value === 'string' ? value : undefined));

export function integer(min: number, max = Number.MAX_SAFE_INTEGER): Type<number> {
  const expected = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
  return scalar(expected, (value) =>
    Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max ? (value as number) : undefined,
  );
}

/** A finite number within [min, max], or above min when `exclusiveMin`. */
export function number(range: { min: number; max?: number; exclusiveMin?: boolean }): Type<number> {
  const { min, max = Infinity, exclusiveMin = false } = range;
  const expected =
    max === Infinity ? `a number ${exclusiveMin ? '>' : '>='} ${min}` : `a number from ${min} to ${max}`;
  return scalar(expected, (value) =>
    typeof value === 'number' && Number.isFinite(value) && (exclusiveMin ? value > min : value >= min) && value <= max
      ? value
      : undefined,
  );
}

/** One of `values`, matched case-insensitively, after removing `prefix` (e.g. SPAN_KIND_). */
export function oneOf<T extends string>(values: readonly T[], prefix = ''): Type<T> {
  return scalar(`one of ${values.join(', ')}`, (value) => {
    if (typeof value !== 'string') return undefined;
    let upper = value.toUpperCase();
    if (prefix !== '' && upper.startsWith(prefix)) upper = upper.slice(prefix.length);
    return values.find((candidate) => candidate.toUpperCase() === upper);
  });
}

const SEVERITY_NAMES: Readonly<Record<string, number>> = { TRACE: 1, DEBUG: 5, INFO: 9, WARN: 13, ERROR: 17, FATAL: 21 };

/** An OTLP severity number 1–24, or a name (→ the lowest number of its range). */
export const severity: Type<number> = scalar(
  `a severity number from 1 to 24 or one of ${Object.keys(SEVERITY_NAMES).join(', ')}`,
  (value) => {
    if (typeof value === 'string') return SEVERITY_NAMES[value.toUpperCase()];
    return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 24 ? (value as number) : undefined;
  },
);

const ORIGIN = /^https?:\/\/[^/\s?#]+$/;

/** A CORS origin: exact, with one `*` wildcard, or a lone `*`. */
export const corsOrigin: Type<string> = scalar(
  'an origin like https://app.example.com (one * wildcard allowed) or *',
  (value) => {
    if (typeof value !== 'string') return undefined;
    if (value === '*') return value;
    return ORIGIN.test(value) && value.split('*').length <= 2 ? value : undefined;
  },
);

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

export const headerName: Type<string> = scalar('an HTTP header name', (value) =>
  typeof value === 'string' && HEADER_NAME.test(value) ? value : undefined,
);

/** Self-tracing OTLP/HTTP URL; '' turns self-tracing off. */
export const tracesUrl: Type<string> = scalar('an http(s) URL or ""', (value) => {
  if (typeof value !== 'string') return undefined;
  if (value === '') return value;
  return URL.canParse(value) && /^https?:$/.test(new URL(value).protocol) ? value : undefined;
});

/** A component id used in service, e.g. `otlp/edge`; whether it exists is checked later. */
export const componentId: Type<string> = scalar('a component id like otlp or otlp/edge', (value) =>
  typeof value === 'string' && value !== '' ? value : undefined,
);

/**
 * service.public_url: where people reach the admin API, the base of links such as
 * `<base>/api/v1/groups/<id>`. An http(s) URL, optionally with a path prefix (behind a proxy);
 * trailing slashes are dropped so the base joins cleanly. A query, fragment or credentials are
 * refused: they could not be extended into a link (and a password would end up in every message).
 * '' (the default) derives the base from the admin endpoint (admin/public-url.ts).
 */
export const publicUrl: Type<string> = {
  decode(value, path, problems) {
    if (value === undefined || value === null || value === '') return '';
    const refuse = (why: string): typeof INVALID => {
      problems.push({ path, message: `expected an http(s) URL like http://faultline.internal:9464, got ${why}` });
      return INVALID;
    };
    if (typeof value !== 'string') return refuse(describe(value));
    if (!URL.canParse(value)) return refuse(`${JSON.stringify(value)}, which is not a URL`);
    const url = new URL(value);
    if (url.username !== '' || url.password !== '') return refuse('a URL with credentials (left out here); links are sent in notifications');
    if (!/^https?:$/.test(url.protocol)) return refuse(`the scheme ${url.protocol.slice(0, -1)}`);
    if (value.includes('?') || value.includes('#')) return refuse(`${JSON.stringify(value)}, with a query or fragment that links cannot extend`);
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  },
  keyPaths: (path) => [path],
};

/**
 * service.trace_url: the web UI links each trace id to the user's trace viewer through this
 * template, `{trace_id}` replaced by the id (e.g. https://jaeger.internal/trace/{trace_id} or a
 * Grafana Tempo explore URL). An http(s) URL holding `{trace_id}`; '' (the default): no links.
 */
export const traceUrlTemplate: Type<string> = {
  decode(value, path, problems) {
    if (value === undefined || value === null || value === '') return '';
    const refuse = (why: string): typeof INVALID => {
      problems.push({ path, message: `expected an http(s) URL holding {trace_id}, like https://jaeger.internal/trace/{trace_id}, got ${why}` });
      return INVALID;
    };
    if (typeof value !== 'string') return refuse(describe(value));
    if (!value.includes('{trace_id}')) return refuse(`${JSON.stringify(value)}, without {trace_id}`);
    if (!/^https?:\/\//i.test(value) || !URL.canParse(value.replaceAll('{trace_id}', '0'))) return refuse(JSON.stringify(value));
    return value;
  },
  keyPaths: (path) => [path],
};
