// A report body → one ErrorEvent (source `report`), or every problem with its field path:
//   { "service": "checkout",                        required, non-empty
//     "error": { "message": "…",                     required (may be empty when type is given)
//                "stack": "…",                       optional, '' when absent
//                "type"?: "TypeError",               default: what the stack or the message's first
//                                                    line names (extract/infer-type.ts; the message
//                                                    is then the rest), else Error
//                "path"?: "/cart", "method"?: "POST" },
//     "level"?: "error",                            debug | info | warning (warn) | error | fatal | critical; default error
//     "metadata"?: { "user.plan": "pro", … },        scalars kept as attributes, objects and lists as JSON text;
//                                                    at most MAX_METADATA_KEYS keys, nested at most
//                                                    MAX_METADATA_DEPTH levels (the metadata object is
//                                                    the first): deeper is a 400, checked before
//                                                    JSON.stringify recurses (and overflows the stack)
//     "timestamp"?: "2024-05-01T12:00:00Z" | 1714564800000,   ISO 8601 or Unix ms (a number below
//                                                    1e11 is read as Unix seconds); default: now
//     "environment"?: "prod", "release"?: "1.3.0", "trace_id"?: 32 hex, "span_id"?: 16 hex }
// Unknown keys are ignored, so clients written for other collectors' report endpoints work.

import type { ErrorEvent, ErrorLevel } from '../../extract/error-event.js';
import { capText } from '../../extract/attributes.js';
import type { AttributeValue } from '../../otlp/types.js';
import { inferExceptionType } from '../../extract/infer-type.js';

export const MAX_METADATA_KEYS = 100;
/** Objects and lists in metadata nest at most this deep, the metadata object itself counted as 1. */
export const MAX_METADATA_DEPTH = 32;

const LEVELS: Readonly<Record<string, ErrorLevel>> = {
  debug: 'debug',
  info: 'info',
  warn: 'warning',
  warning: 'warning',
  error: 'error',
  fatal: 'fatal',
  critical: 'critical',
};

export interface ReportLimits {
  readonly maxMessageBytes: number;
  readonly maxStacktraceBytes: number;
}

export type ParsedReport =
  | { readonly ok: true; readonly event: ErrorEvent }
  | { readonly ok: false; readonly problems: readonly string[] };

export function parseReport(body: unknown, eventId: string, nowMs: number, limits: ReportLimits): ParsedReport {
  const problems: string[] = [];
  if (!isRecord(body)) return { ok: false, problems: ['body: expected a JSON object'] };
  const text = (path: string, value: unknown, required: boolean): string => {
    if (value === undefined || (value === null && !required)) {
      if (required) problems.push(`${path}: required`);
      return '';
    }
    if (typeof value !== 'string') {
      problems.push(`${path}: expected a string`);
      return '';
    }
    return value;
  };

  const service = text('service', body.service, true).trim();
  if (body.service !== undefined && typeof body.service === 'string' && service === '') problems.push('service: expected a non-empty string');
  let message = '';
  let stack = '';
  let type = '';
  let path = '';
  let method = '';
  if (!isRecord(body.error)) {
    problems.push(body.error === undefined ? 'error: required' : 'error: expected an object');
  } else {
    message = text('error.message', body.error.message, true);
    stack = text('error.stack', body.error.stack, false);
    type = text('error.type', body.error.type, false).trim();
    path = text('error.path', body.error.path, false);
    method = text('error.method', body.error.method, false).toUpperCase();
  }
  let level: ErrorLevel = 'error';
  if (body.level !== undefined && body.level !== null) {
    const named = typeof body.level === 'string' ? LEVELS[body.level.toLowerCase()] : undefined;
    if (named === undefined) problems.push(`level: expected one of ${Object.keys(LEVELS).join(', ')}`);
    else level = named;
  }
  const timestampMs = parseTimestamp(body.timestamp, nowMs, problems);
  const environment = text('environment', body.environment, false);
  const release = text('release', body.release, false);
  const traceId = hexId('trace_id', body.trace_id, 32, problems);
  const spanId = hexId('span_id', body.span_id, 16, problems);
  const attributes = new Map<string, AttributeValue>();
  if (body.metadata !== undefined && body.metadata !== null) {
    if (!isRecord(body.metadata)) problems.push('metadata: expected an object');
    else if (Object.keys(body.metadata).length > MAX_METADATA_KEYS) problems.push(`metadata: expected at most ${MAX_METADATA_KEYS} keys`);
    else if (nestsDeeperThan(body.metadata, MAX_METADATA_DEPTH)) problems.push(`metadata: expected at most ${MAX_METADATA_DEPTH} levels of nesting`);
    else for (const [key, value] of Object.entries(body.metadata)) if (value !== null) attributes.set(key, asAttribute(value));
  }
  if (problems.length > 0) return { ok: false, problems };

  let cappedMessage = capText(message, limits.maxMessageBytes);
  const cappedStack = capText(stack, limits.maxStacktraceBytes);
  if (type === '') {
    const inferred = inferExceptionType(cappedStack, cappedMessage);
    type = inferred.type || 'Error';
    cappedMessage = inferred.message;
  }
  if (path !== '') attributes.set('url.path', path);
  if (method !== '') attributes.set('http.request.method', method);
  return {
    ok: true,
    event: {
      id: eventId,
      source: 'report',
      service,
      serviceVersion: release,
      environment,
      traceId,
      spanId,
      timestampMs,
      level,
      type,
      message: cappedMessage,
      stacktrace: cappedStack,
      escaped: undefined,
      handled: false,
      spanName: '',
      httpRoute: '',
      httpMethod: method,
      httpStatusCode: 0,
      urlPath: path,
      attributes,
    },
  };
}

function parseTimestamp(value: unknown, nowMs: number, problems: string[]): number {
  if (value === undefined || value === null) return nowMs;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.round(value < 1e11 ? value * 1000 : value);
  if (typeof value === 'string') {
    const parsed = Date.parse(value);
    if (Number.isFinite(parsed)) return parsed;
  }
  problems.push('timestamp: expected an ISO 8601 time or Unix milliseconds');
  return nowMs;
}

function hexId(path: string, value: unknown, length: number, problems: string[]): string {
  if (value === undefined || value === null || value === '') return '';
  if (typeof value === 'string' && value.length === length && /^[0-9a-fA-F]+$/.test(value) && !/^0+$/.test(value)) {
    return value.toLowerCase();
  }
  problems.push(`${path}: expected ${length} hex characters, not all zero`);
  return '';
}

function asAttribute(value: unknown): AttributeValue {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

/**
 * Whether `value` (an object or list, level 1) holds objects or lists more than `limit` levels
 * deep. The recursion stops at `limit`, so it is bounded whatever the input's depth.
 */
function nestsDeeperThan(value: object, limit: number): boolean {
  if (limit === 0) return true;
  for (const child of Object.values(value)) {
    if (typeof child === 'object' && child !== null && nestsDeeperThan(child, limit - 1)) return true;
  }
  return false;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
