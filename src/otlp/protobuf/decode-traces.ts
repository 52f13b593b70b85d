// ExportTraceServiceRequest (protobuf) → DecodedTraces. Reads only the fields in types.ts and
// checks the wire type of every field the schema knows, which is what refuses logs posted to
// /v1/traces (a LogRecord's field 1 is a fixed64, a Span's is bytes). Spans with malformed ids or
// no end time are left out and listed in `rejected` (validate-ids.ts); the batch is kept. A
// missing or all-zero trace or span id is kept as '' (the span still yields its errors).

import type { DecodedTraces, ResourceSpans, ScopeSpans, Span, SpanEvent } from '../types.js';
import { spanProblem } from '../validate-ids.js';
import { WireReader, WireType, at, withPath, wrongWireType } from '../wire-reader.js';
import { skipKnown } from './decode-common.js';
import { readEnvelope, type EnvelopeSpec } from './decode-envelope.js';
import { readWireAttributeField, WireAttributes, type DecodeOptions } from './wire-attributes.js';

const LEN = WireType.LENGTH_DELIMITED;
const VARINT = WireType.VARINT;
const FIXED64 = WireType.FIXED64;

function tracesSpec(lazy: boolean): EnvelopeSpec<Span, ScopeSpans, ResourceSpans> {
  return {
    resources: ['resource_spans', 'resourceSpans'],
    scopes: ['scope_spans', 'scopeSpans'],
    items: ['spans', 'spans'],
    readsResource: true,
    readItem: (r, end) => readSpan(r, end, lazy),
    scope: (scopeName, spans) => ({ scopeName, spans }),
    resource: (resource, scopeSpans) => ({ resource, scopeSpans }),
  };
}

const EAGER = tracesSpec(false);
const LAZY = tracesSpec(true);

/**
 * Decodes an ExportTraceServiceRequest; empty input is a valid empty request. With
 * `lazyAttributes`, span and event attributes are read from `bytes` on demand (wire-attributes.ts):
 * the result must then not outlive `bytes` unless its attributes are detached.
 */
export function decodeTracesProtobuf(bytes: Uint8Array, options: DecodeOptions = {}): DecodedTraces {
  const envelope = readEnvelope(bytes, options.lazyAttributes === true ? LAZY : EAGER);
  return { resourceSpans: envelope.resources, spanCount: envelope.accepted, rejected: envelope.rejected };
}

/** Reads a Span (r.pos..end); returns the reason instead when the span must be rejected. */
function readSpan(r: WireReader, end: number, lazy: boolean): Span | string {
  let traceStart = 0;
  let traceEnd = 0;
  let spanStart = 0;
  let spanEnd = 0;
  let parentSpanIdBytes = 0;
  let name = '';
  let kind = 0;
  let startTimeUnixNano = 0n;
  let endTimeUnixNano = 0n;
  const attributes = new WireAttributes(r);
  let events: SpanEvent[] | undefined;
  let statusCode = 0;
  let statusMessage = '';
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.tag();
    const wireType = tag & 7;
    switch (tag >>> 3) {
      case 1:
        if (wireType !== LEN) throw wrongWireType(tag, 'trace_id', LEN, start);
        traceEnd = r.lengthDelimited(end);
        traceStart = r.pos;
        r.pos = traceEnd;
        break;
      case 2:
        if (wireType !== LEN) throw wrongWireType(tag, 'span_id', LEN, start);
        spanEnd = r.lengthDelimited(end);
        spanStart = r.pos;
        r.pos = spanEnd;
        break;
      case 3:
        skipKnown(r, tag, start, end, 'trace_state', LEN);
        break;
      case 4: {
        if (wireType !== LEN) throw wrongWireType(tag, 'parent_span_id', LEN, start);
        const parentEnd = r.lengthDelimited(end);
        parentSpanIdBytes = parentEnd - r.pos;
        r.pos = parentEnd;
        break;
      }
      case 5:
        if (wireType !== LEN) throw wrongWireType(tag, 'name', LEN, start);
        name = r.name(end);
        break;
      case 6:
        if (wireType !== VARINT) throw wrongWireType(tag, 'kind', VARINT, start);
        kind = r.uint32() | 0;
        break;
      case 7:
        if (wireType !== FIXED64) throw wrongWireType(tag, 'start_time_unix_nano', FIXED64, start);
        startTimeUnixNano = r.fixed64();
        break;
      case 8:
        if (wireType !== FIXED64) throw wrongWireType(tag, 'end_time_unix_nano', FIXED64, start);
        endTimeUnixNano = r.fixed64();
        break;
      case 9:
        readWireAttributeField(r, tag, start, end, attributes, 'attributes');
        break;
      case 10:
        skipKnown(r, tag, start, end, 'dropped_attributes_count', VARINT);
        break;
      case 11: {
        if (wireType !== LEN) throw wrongWireType(tag, 'events', LEN, start);
        const eventEnd = r.lengthDelimited(end);
        if (events === undefined) events = [];
        try {
          events.push(readEvent(r, eventEnd, lazy));
        } catch (error) {
          throw withPath(error, at('events', events.length));
        }
        break;
      }
      case 12:
        skipKnown(r, tag, start, end, 'dropped_events_count', VARINT);
        break;
      case 13:
        skipKnown(r, tag, start, end, 'links', LEN);
        break;
      case 14:
        skipKnown(r, tag, start, end, 'dropped_links_count', VARINT);
        break;
      case 15: {
        if (wireType !== LEN) throw wrongWireType(tag, 'status', LEN, start);
        const statusEnd = r.lengthDelimited(end);
        try {
          while (r.pos < statusEnd) {
            const fieldStart = r.pos;
            const statusTag = r.tag();
            const field = statusTag >>> 3;
            if (field === 2) {
              if ((statusTag & 7) !== LEN) throw wrongWireType(statusTag, 'message', LEN, fieldStart);
              statusMessage = r.string(statusEnd);
            } else if (field === 3) {
              if ((statusTag & 7) !== VARINT) throw wrongWireType(statusTag, 'code', VARINT, fieldStart);
              statusCode = r.uint32() | 0;
            } else r.skip(statusTag, statusEnd);
          }
          r.endMessage(statusEnd);
        } catch (error) {
          throw withPath(error, 'status');
        }
        break;
      }
      case 16:
        skipKnown(r, tag, start, end, 'flags', WireType.FIXED32);
        break;
      default:
        r.skip(tag, end);
    }
  }
  r.endMessage(end);
  const problem = spanProblem(traceEnd - traceStart, spanEnd - spanStart, parentSpanIdBytes, endTimeUnixNano);
  if (problem !== undefined) return problem;
  return {
    traceId: r.allZero(traceStart, traceEnd) ? '' : r.hex(traceStart, traceEnd),
    spanId: r.allZero(spanStart, spanEnd) ? '' : r.hex(spanStart, spanEnd),
    name,
    kind,
    startTimeUnixNano,
    endTimeUnixNano,
    attributes: lazy ? attributes : attributes.materialize(),
    events: events ?? EMPTY_EVENTS,
    statusCode,
    statusMessage,
  };
}

const EMPTY_EVENTS: readonly SpanEvent[] = Object.freeze([]);

function readEvent(r: WireReader, end: number, lazy: boolean): SpanEvent {
  let timeUnixNano = 0n;
  let name = '';
  const attributes = new WireAttributes(r);
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.tag();
    switch (tag >>> 3) {
      case 1:
        if ((tag & 7) !== FIXED64) throw wrongWireType(tag, 'time_unix_nano', FIXED64, start);
        timeUnixNano = r.fixed64();
        break;
      case 2:
        if ((tag & 7) !== LEN) throw wrongWireType(tag, 'name', LEN, start);
        name = r.name(end);
        break;
      case 3:
        readWireAttributeField(r, tag, start, end, attributes, 'attributes');
        break;
      case 4:
        skipKnown(r, tag, start, end, 'dropped_attributes_count', VARINT);
        break;
      default:
        r.skip(tag, end);
    }
  }
  r.endMessage(end);
  return { timeUnixNano, name, attributes: lazy ? attributes : attributes.materialize() };
}
