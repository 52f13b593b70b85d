// An Extracted batch as a decode worker posts it to the event loop, and back. Structured clone
// of the plain batch cost the loop 30–80 ms to read for a 4 MiB request (5,900 span timings and
// server spans as objects of strings, 2.6 MB serialized), a good part of what moving the decode
// off the loop saved. So timings and server spans travel as columns: every string once in one
// table, the rest in typed arrays whose buffers are transferred, not copied; the loop then builds
// the small objects itself. Error events (a few hundred at most per request) travel as they are,
// their attributes as plain Maps (a span's events share one, as on the loop).
// A server span keeps only what its request context reads (requestContextOf in
// extract/from-spans.ts): the HTTP method and status code, under the stable key names.

import type { ErrorEvent, Extracted, ServerSpan, SpanTiming } from '../extract/error-event.js';
import { firstStringAttribute, integerAttribute } from '../extract/attributes.js';
import { HTTP_METHOD_KEYS, HTTP_STATUS_KEYS } from '../extract/from-spans.js';
import type { AttributeValue, Attributes } from '../otlp/types.js';

export interface ExtractedMessage {
  readonly events: readonly ErrorEvent[];
  readonly skippedExceptions: number;
  readonly strings: readonly string[];
  /** Per timing: service, spanName, spanKind, statusCode, traceId (indexes into strings). */
  readonly timingStrings: Int32Array;
  readonly durations: Float64Array;
  /** Absent for logs. Per server span: service, traceId, kind (0 server, 1 consumer), name, httpRoute, method (-1: none). */
  readonly serverSpanFields?: Int32Array;
  readonly serverSpanStarts?: BigUint64Array;
  readonly serverSpanStatusCodes?: Float64Array;
}

const TIMING_STRIDE = 5;
const SERVER_STRIDE = 6;
const NO_STRING = -1;
const METHOD_KEY = HTTP_METHOD_KEYS[0]!;
const STATUS_KEY = HTTP_STATUS_KEYS[0]!;

/** The message for `batch`, and the buffers to transfer with it. */
export function toMessage(batch: Extracted): { message: ExtractedMessage; transfer: ArrayBuffer[] } {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const intern = (text: string): number => {
    let at = index.get(text);
    if (at === undefined) {
      at = strings.length;
      strings.push(text);
      index.set(text, at);
    }
    return at;
  };
  const timingStrings = new Int32Array(batch.timings.length * TIMING_STRIDE);
  const durations = new Float64Array(batch.timings.length);
  batch.timings.forEach((timing, i) => {
    const at = i * TIMING_STRIDE;
    timingStrings[at] = intern(timing.service);
    timingStrings[at + 1] = intern(timing.spanName);
    timingStrings[at + 2] = intern(timing.spanKind);
    timingStrings[at + 3] = intern(timing.statusCode);
    timingStrings[at + 4] = intern(timing.traceId);
    durations[i] = timing.durationSeconds;
  });
  const plainMaps = new Map<Attributes, Attributes>();
  const events = batch.events.map((event) => {
    let attributes = plainMaps.get(event.attributes);
    if (attributes === undefined) plainMaps.set(event.attributes, (attributes = event.attributes instanceof Map && event.attributes.constructor === Map ? event.attributes : new Map(event.attributes)));
    return attributes === event.attributes ? event : { ...event, attributes };
  });
  const transfer: ArrayBuffer[] = [timingStrings.buffer, durations.buffer];
  const message: ExtractedMessage = { events, skippedExceptions: batch.skippedExceptions, strings, timingStrings, durations };
  if (batch.serverSpans === undefined) return { message, transfer };
  const spans = batch.serverSpans;
  const serverSpanFields = new Int32Array(spans.length * SERVER_STRIDE);
  const serverSpanStarts = new BigUint64Array(spans.length);
  const serverSpanStatusCodes = new Float64Array(spans.length);
  spans.forEach((span, i) => {
    const at = i * SERVER_STRIDE;
    const method = firstStringAttribute(span.attributes, HTTP_METHOD_KEYS);
    serverSpanFields[at] = intern(span.service);
    serverSpanFields[at + 1] = intern(span.traceId);
    serverSpanFields[at + 2] = span.kind === 'server' ? 0 : 1;
    serverSpanFields[at + 3] = intern(span.name);
    serverSpanFields[at + 4] = intern(span.httpRoute);
    serverSpanFields[at + 5] = method === '' ? NO_STRING : intern(method);
    serverSpanStarts[i] = span.startTimeUnixNano;
    serverSpanStatusCodes[i] = integerAttribute(span.attributes, HTTP_STATUS_KEYS);
  });
  transfer.push(serverSpanFields.buffer, serverSpanStarts.buffer, serverSpanStatusCodes.buffer);
  return { message: { ...message, serverSpanFields, serverSpanStarts, serverSpanStatusCodes }, transfer };
}

/** The batch a message carries. */
export function fromMessage(message: ExtractedMessage): Extracted {
  const { strings, timingStrings, durations } = message;
  const timings: SpanTiming[] = new Array(durations.length);
  for (let i = 0; i < durations.length; i++) {
    const at = i * TIMING_STRIDE;
    timings[i] = {
      service: strings[timingStrings[at]!]!,
      spanName: strings[timingStrings[at + 1]!]!,
      spanKind: strings[timingStrings[at + 2]!]!,
      statusCode: strings[timingStrings[at + 3]!]!,
      durationSeconds: durations[i]!,
      traceId: strings[timingStrings[at + 4]!]!,
    };
  }
  const batch: Extracted = { events: message.events, timings, skippedExceptions: message.skippedExceptions };
  const fields = message.serverSpanFields;
  if (fields === undefined) return batch;
  const starts = message.serverSpanStarts!;
  const statusCodes = message.serverSpanStatusCodes!;
  // Spans of one method and status share one (read-only) attributes Map.
  const contexts = new Map<string, Attributes>();
  const serverSpans: ServerSpan[] = new Array(starts.length);
  for (let i = 0; i < starts.length; i++) {
    const at = i * SERVER_STRIDE;
    const method = fields[at + 5]! === NO_STRING ? '' : strings[fields[at + 5]!]!;
    const statusCode = statusCodes[i]!;
    const key = `${method} ${statusCode}`;
    let attributes = contexts.get(key);
    if (attributes === undefined) {
      const entries: [string, AttributeValue][] = [];
      if (method !== '') entries.push([METHOD_KEY, method]);
      if (statusCode !== 0) entries.push([STATUS_KEY, statusCode]);
      contexts.set(key, (attributes = new Map(entries)));
    }
    serverSpans[i] = {
      service: strings[fields[at]!]!,
      traceId: strings[fields[at + 1]!]!,
      kind: fields[at + 2] === 0 ? 'server' : 'consumer',
      startTimeUnixNano: starts[i]!,
      name: strings[fields[at + 3]!]!,
      httpRoute: strings[fields[at + 4]!]!,
      attributes,
    };
  }
  return { ...batch, serverSpans };
}
