// ExportTraceServiceRequest (OTLP/JSON) → DecodedTraces, the same result the protobuf decoder
// gives for the same request. Reading rules are in json-common.ts; per-span rejection rules are
// shared with the protobuf decoder (validate-ids.ts), plus one of JSON's own: an id that is not
// hex (usually proto3-JSON base64) rejects that span instead of becoming a garbage id. A missing
// or all-zero trace or span id is kept as ''.

import { readJsonEnvelope, type JsonEnvelopeSpec } from './json-envelope.js';
import { withPath, at } from '../wire-reader.js';
import type { DecodedTraces, ResourceSpans, ScopeSpans, Span, SpanEvent } from '../types.js';
import { notHex, spanProblem } from '../validate-ids.js';
import {
  element,
  hexAllZero,
  type JsonObject,
  jsonArray,
  jsonAttributes,
  jsonEnum,
  jsonId,
  jsonObject,
  jsonString,
  jsonUint64,
} from './json-common.js';

const SPAN_KINDS: { readonly [name: string]: number } = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};

const STATUS_CODES: { readonly [name: string]: number } = {
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
};

const EMPTY_EVENTS: readonly SpanEvent[] = Object.freeze([]);

const TRACES: JsonEnvelopeSpec<Span, ScopeSpans, ResourceSpans> = {
  resources: ['resourceSpans', 'resource_spans'],
  scopes: ['scopeSpans', 'scope_spans'],
  items: ['spans', 'spans'],
  readItem: (o) => readSpan(o),
  scope: (scopeName, spans) => ({ scopeName, spans }),
  resource: (resource, scopeSpans) => ({ resource, scopeSpans }),
};

/** Decodes an OTLP/JSON ExportTraceServiceRequest; `{}` (or only unknown keys) is an empty request. */
export function decodeTracesJson(body: string): DecodedTraces {
  const envelope = readJsonEnvelope(body, TRACES);
  return { resourceSpans: envelope.resources, spanCount: envelope.accepted, rejected: envelope.rejected };
}

function readSpan(o: JsonObject): Span | string {
  // Read every field first, so a wrongly typed field is a decode error even on a rejected span.
  const traceId = jsonId(o, 'traceId', 'trace_id');
  const spanId = jsonId(o, 'spanId', 'span_id');
  const parentSpanId = jsonId(o, 'parentSpanId', 'parent_span_id');
  const name = jsonString(o, 'name', 'name');
  const kind = jsonEnum(o, 'kind', 'kind', SPAN_KINDS);
  const startTimeUnixNano = jsonUint64(o, 'startTimeUnixNano', 'start_time_unix_nano');
  const endTimeUnixNano = jsonUint64(o, 'endTimeUnixNano', 'end_time_unix_nano');
  const attributes = jsonAttributes(o, 'attributes', 'attributes');
  const eventItems = jsonArray(o, 'events', 'events');
  let events = EMPTY_EVENTS;
  if (eventItems.length > 0) {
    const list: SpanEvent[] = new Array(eventItems.length);
    for (let i = 0; i < eventItems.length; i++) {
      try {
        const event = element(eventItems, i);
        list[i] = {
          timeUnixNano: jsonUint64(event, 'timeUnixNano', 'time_unix_nano'),
          name: jsonString(event, 'name', 'name'),
          attributes: jsonAttributes(event, 'attributes', 'attributes'),
        };
      } catch (error) {
        throw withPath(error, at('events', i));
      }
    }
    events = list;
  }
  let statusCode = 0;
  let statusMessage = '';
  const status = jsonObject(o, 'status', 'status');
  if (status !== undefined) {
    try {
      statusCode = jsonEnum(status, 'code', 'code', STATUS_CODES);
      statusMessage = jsonString(status, 'message', 'message');
    } catch (error) {
      throw withPath(error, 'status');
    }
  }

  if (traceId === undefined) return notHex('trace_id');
  if (spanId === undefined) return notHex('span_id');
  if (parentSpanId === undefined) return notHex('parent_span_id');
  const problem = spanProblem(traceId.length / 2, spanId.length / 2, parentSpanId.length / 2, endTimeUnixNano);
  if (problem !== undefined) return problem;
  return {
    traceId: hexAllZero(traceId) ? '' : traceId,
    spanId: hexAllZero(spanId) ? '' : spanId,
    name,
    kind,
    startTimeUnixNano,
    endTimeUnixNano,
    attributes,
    events,
    statusCode,
    statusMessage,
  };
}
