// OTLP/JSON requests for the extraction tests, written as plain objects and decoded by the real
// JSON decoder, so each case reads like what an SDK sends.

import { ERRORS_PROCESSOR_DEFAULTS } from '../../src/processor/errors/config.js';
import type { ErrorsProcessorConfig } from '../../src/processor/errors/config.js';
import { createExtractOptions, type ExtractOptions } from '../../src/extract/options.js';
import { decodeLogsJson } from '../../src/otlp/json/decode-logs-json.js';
import { decodeTracesJson } from '../../src/otlp/json/decode-traces-json.js';
import type { DecodedLogs, DecodedTraces } from '../../src/otlp/types.js';

export type Json = { [key: string]: unknown };
export type Scalar = string | number | boolean;

export const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
export const SPAN_ID = 'b7ad6b7169203331';
/** 2023-11-14T22:13:20.000Z plus a little, in nanoseconds; START + 250 ms = END. */
export const START = '1700000000000000000';
export const EVENT_TIME = '1700000000123456789';
export const END = '1700000000250000000';
export const EVENT_TIME_MS = 1_700_000_000_123;
export const END_MS = 1_700_000_000_250;

export function extractOptions(
  processor: Partial<ErrorsProcessorConfig> = {},
  spanKinds: ErrorsProcessorConfig['spanKinds'] = ERRORS_PROCESSOR_DEFAULTS.spanKinds,
): ExtractOptions {
  return createExtractOptions({ ...ERRORS_PROCESSOR_DEFAULTS, ...processor, spanKinds });
}

/** OTLP/JSON attributes: strings, booleans, integers (sent as intValue strings) and doubles. */
export function attributes(values: { readonly [key: string]: Scalar }): Json[] {
  return Object.entries(values).map(([key, value]) => ({ key, value: anyValue(value) }));
}

function anyValue(value: Scalar): Json {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
}

/** An `exception` span event at EVENT_TIME, or with no time at all when timeUnixNano is null. */
export function exceptionEvent(values: { readonly [key: string]: Scalar }, timeUnixNano: string | null = EVENT_TIME): Json {
  const event: Json = { name: 'exception', attributes: attributes(values) };
  if (timeUnixNano !== null) event['timeUnixNano'] = timeUnixNano;
  return event;
}

/** A SERVER span of 250 ms with no attributes, events or status unless overridden. */
export function span(overrides: Json = {}): Json {
  return {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    name: 'GET /users/:id',
    kind: 'SPAN_KIND_SERVER',
    startTimeUnixNano: START,
    endTimeUnixNano: END,
    ...overrides,
  };
}

export function errorStatus(message = ''): Json {
  return { status: { code: 'STATUS_CODE_ERROR', message } };
}

export function decodeTraces(
  spans: readonly Json[],
  resource: { readonly [key: string]: Scalar } = { 'service.name': 'checkout' },
): DecodedTraces {
  const request = { resourceSpans: [{ resource: { attributes: attributes(resource) }, scopeSpans: [{ scope: { name: 'test' }, spans }] }] };
  const decoded = decodeTracesJson(JSON.stringify(request));
  if (decoded.rejected.length > 0) throw new Error(`fixture spans rejected: ${JSON.stringify(decoded.rejected)}`);
  return decoded;
}

/** An ERROR log record (severity 17) with a string body, correlated with TRACE_ID/SPAN_ID. */
export function logRecord(overrides: Json = {}): Json {
  return {
    timeUnixNano: EVENT_TIME,
    observedTimeUnixNano: END,
    severityNumber: 17,
    severityText: 'ERROR',
    body: { stringValue: 'payment failed' },
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    ...overrides,
  };
}

export function decodeLogs(
  logRecords: readonly Json[],
  resource: { readonly [key: string]: Scalar } = { 'service.name': 'checkout' },
): DecodedLogs {
  const request = { resourceLogs: [{ resource: { attributes: attributes(resource) }, scopeLogs: [{ scope: { name: 'test' }, logRecords }] }] };
  const decoded = decodeLogsJson(JSON.stringify(request));
  if (decoded.rejected.length > 0) throw new Error(`fixture log records rejected: ${JSON.stringify(decoded.rejected)}`);
  return decoded;
}

/** A stack trace of identical frame lines, at least `bytes` characters long. */
export const FRAME = '    at handler (/srv/app/routes/users.js:120:15)\n';
export function stackTrace(bytes: number): string {
  return FRAME.repeat(Math.ceil(bytes / FRAME.length));
}

/** What capText keeps of stackTrace(…) under a cap: the whole lines whose newline fits, then a cut marker. */
export function cappedStackTrace(text: string, maxBytes: number): string {
  const wholeLines = Math.floor((maxBytes + 1) / FRAME.length);
  const kept = FRAME.repeat(wholeLines).slice(0, -1);
  return `${kept}\n… [${text.length - kept.length} more characters cut]`;
}
