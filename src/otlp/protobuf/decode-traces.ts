// ExportTraceServiceRequest (protobuf) → DecodedTraces. Reads only the fields in types.ts and
// checks the wire type of every field the schema knows, which is what refuses logs posted to
// /v1/traces (a LogRecord's field 1 is a fixed64, a Span's is bytes). Spans with unusable ids or
// no end time are left out and listed in `rejected` (validate-ids.ts); the batch is kept.

import type { AttributeValue, DecodedTraces, Rejection, ResourceSpans, ScopeSpans, Span, SpanEvent } from '../types.js';
import { spanProblem } from '../validate-ids.js';
import { WireReader, WireType, at, withPath, wrongWireType } from '../wire-reader.js';
import { readAttributeField, readResourceField, readScopeField, skipKnown } from './decode-common.js';

const LEN = WireType.LENGTH_DELIMITED;
const VARINT = WireType.VARINT;
const FIXED64 = WireType.FIXED64;

/** What the whole request accumulates while its spans are read. */
class TracesBatch {
  spanCount = 0;
  readonly rejected: Rejection[] = [];
}

/** Decodes an ExportTraceServiceRequest; empty input is a valid empty request. */
export function decodeTracesProtobuf(bytes: Uint8Array): DecodedTraces {
  const r = new WireReader(bytes);
  const end = r.length;
  const batch = new TracesBatch();
  const resourceSpans: ResourceSpans[] = [];
  let index = 0;
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.tag();
    if (tag >>> 3 === 1) {
      if ((tag & 7) !== LEN) throw wrongWireType(tag, 'resource_spans', LEN, start);
      const itemEnd = r.lengthDelimited(end);
      try {
        resourceSpans.push(readResourceSpans(r, itemEnd, batch, index));
      } catch (error) {
        throw withPath(error, at('resourceSpans', index));
      }
      index++;
    } else r.skip(tag, end);
  }
  return { resourceSpans, spanCount: batch.spanCount, rejected: batch.rejected };
}

function readResourceSpans(r: WireReader, end: number, batch: TracesBatch, resourceIndex: number): ResourceSpans {
  let resource: Map<string, AttributeValue> = new Map();
  const scopeSpans: ScopeSpans[] = [];
  let index = 0;
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.tag();
    switch (tag >>> 3) {
      case 1:
        resource = readResourceField(r, tag, start, end);
        break;
      case 2: {
        if ((tag & 7) !== LEN) throw wrongWireType(tag, 'scope_spans', LEN, start);
        const itemEnd = r.lengthDelimited(end);
        try {
          scopeSpans.push(readScopeSpans(r, itemEnd, batch, resourceIndex, index));
        } catch (error) {
          throw withPath(error, at('scopeSpans', index));
        }
        index++;
        break;
      }
      case 3:
        skipKnown(r, tag, start, end, 'schema_url', LEN);
        break;
      default:
        r.skip(tag, end);
    }
  }
  r.endMessage(end);
  return { resource, scopeSpans };
}

function readScopeSpans(r: WireReader, end: number, batch: TracesBatch, resourceIndex: number, scopeIndex: number): ScopeSpans {
  let scopeName = '';
  const spans: Span[] = [];
  let index = 0;
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.tag();
    switch (tag >>> 3) {
      case 1:
        scopeName = readScopeField(r, tag, start, end);
        break;
      case 2: {
        if ((tag & 7) !== LEN) throw wrongWireType(tag, 'spans', LEN, start);
        const spanEnd = r.lengthDelimited(end);
        let span: Span | string;
        try {
          span = readSpan(r, spanEnd);
        } catch (error) {
          throw withPath(error, at('spans', index));
        }
        if (typeof span === 'string') {
          batch.rejected.push({ path: `resourceSpans[${resourceIndex}].scopeSpans[${scopeIndex}].spans[${index}]`, reason: span });
        } else {
          spans.push(span);
          batch.spanCount++;
        }
        index++;
        break;
      }
      case 3:
        skipKnown(r, tag, start, end, 'schema_url', LEN);
        break;
      default:
        r.skip(tag, end);
    }
  }
  r.endMessage(end);
  return { scopeName, spans };
}

/** Reads a Span (r.pos..end); returns the reason instead when the span must be rejected. */
function readSpan(r: WireReader, end: number): Span | string {
  let traceStart = 0;
  let traceEnd = 0;
  let spanStart = 0;
  let spanEnd = 0;
  let name = '';
  let kind = 0;
  let startTimeUnixNano = 0n;
  let endTimeUnixNano = 0n;
  const attributes = new Map<string, AttributeValue>();
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
      case 4:
        skipKnown(r, tag, start, end, 'parent_span_id', LEN);
        break;
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
        readAttributeField(r, tag, start, end, attributes, 'attributes');
        break;
      case 10:
        skipKnown(r, tag, start, end, 'dropped_attributes_count', VARINT);
        break;
      case 11: {
        if (wireType !== LEN) throw wrongWireType(tag, 'events', LEN, start);
        const eventEnd = r.lengthDelimited(end);
        if (events === undefined) events = [];
        try {
          events.push(readEvent(r, eventEnd));
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
  const problem = spanProblem(
    traceEnd - traceStart,
    r.allZero(traceStart, traceEnd),
    spanEnd - spanStart,
    r.allZero(spanStart, spanEnd),
    endTimeUnixNano,
  );
  if (problem !== undefined) return problem;
  return {
    traceId: r.hex(traceStart, traceEnd),
    spanId: r.hex(spanStart, spanEnd),
    name,
    kind,
    startTimeUnixNano,
    endTimeUnixNano,
    attributes,
    events: events ?? EMPTY_EVENTS,
    statusCode,
    statusMessage,
  };
}

const EMPTY_EVENTS: readonly SpanEvent[] = Object.freeze([]);

function readEvent(r: WireReader, end: number): SpanEvent {
  let timeUnixNano = 0n;
  let name = '';
  const attributes = new Map<string, AttributeValue>();
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
        readAttributeField(r, tag, start, end, attributes, 'attributes');
        break;
      case 4:
        skipKnown(r, tag, start, end, 'dropped_attributes_count', VARINT);
        break;
      default:
        r.skip(tag, end);
    }
  }
  r.endMessage(end);
  return { timeUnixNano, name, attributes };
}
