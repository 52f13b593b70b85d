// What a queued batch is taken to hold in memory, so the pipeline queue can be bounded in bytes
// (service.queue_bytes) as well as in items: a count of items alone let 100,000 large error spans
// (each with a multi-KiB stack trace) hold 2.3 GB. An estimate, cheap enough to take per batch:
// the text an event carries (message, stack trace, attribute strings), a round fixed cost per object
// and attribute entry, and the request's bytes while the batch still reads them (server spans read
// their attributes lazily from the request; see ServerSpan in extract/error-event.ts). How close
// the estimate comes to the process's memory is measured in bench/README.md (peak RSS against
// queue_bytes), not assumed.

import type { ErrorEvent, Extracted } from '../extract/error-event.js';
import type { AttributeValue } from '../otlp/types.js';

/** An error event's objects (the event, its attributes map, grouping) before its text. */
const EVENT_BYTES = 1024;
/** A span timing: a small object of short strings. */
const TIMING_BYTES = 160;
/** A server span, beside the request bytes it reads. */
const SERVER_SPAN_BYTES = 256;
/** One attribute entry of a Map, beside its text. */
const ATTRIBUTE_BYTES = 64;
/** One structured frame (Sentry SDKs), beside its text. */
const FRAME_BYTES = 96;

/** The estimated bytes a batch holds while it waits; `requestBytes`: the decoded request it came from. */
export function batchBytes(batch: Extracted, requestBytes: number): number {
  let bytes = batch.timings.length * TIMING_BYTES;
  for (const event of batch.events) bytes += eventBytes(event);
  const serverSpans = batch.serverSpans?.length ?? 0;
  if (serverSpans > 0) bytes += serverSpans * SERVER_SPAN_BYTES + requestBytes;
  return bytes;
}

function eventBytes(event: ErrorEvent): number {
  let bytes = EVENT_BYTES + event.message.length + event.stacktrace.length + event.type.length + event.spanName.length + event.urlPath.length;
  for (const [key, value] of event.attributes) bytes += ATTRIBUTE_BYTES + key.length + valueBytes(value);
  for (const exception of event.exceptions ?? []) {
    bytes += exception.message.length + exception.type.length;
    for (const frame of exception.frames) bytes += FRAME_BYTES + frame.function.length + frame.module.length + frame.file.length;
  }
  return bytes;
}

function valueBytes(value: AttributeValue): number {
  if (typeof value === 'string') return value.length;
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value)) return value.reduce((sum: number, item: AttributeValue) => sum + 16 + valueBytes(item), 0);
  if (value !== null && typeof value === 'object') return Object.values(value).reduce((sum: number, item) => sum + 32 + valueBytes(item), 0);
  return 8;
}
