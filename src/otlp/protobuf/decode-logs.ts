// ExportLogsServiceRequest (protobuf) → DecodedLogs. Same approach as decode-traces.ts: only
// the fields in types.ts are read, every known field's wire type is checked (so span bytes
// posted to /v1/logs are refused), and records with malformed ids are listed in `rejected`.
// A record with no trace id, or an all-zero one, is kept as uncorrelated (traceId '').

import type { AttributeValue, DecodedLogs, LogRecord, ResourceLogs, ScopeLogs } from '../types.js';
import { logRecordProblem } from '../validate-ids.js';
import { WireReader, WireType, withPath, wrongWireType } from '../wire-reader.js';
import { readAnyValue, skipKnown } from './decode-common.js';
import { readEnvelope, type EnvelopeSpec } from './decode-envelope.js';
import { readWireAttributeField, WireAttributes, type DecodeOptions } from './wire-attributes.js';

const LEN = WireType.LENGTH_DELIMITED;
const VARINT = WireType.VARINT;
const FIXED64 = WireType.FIXED64;

function logsSpec(lazy: boolean): EnvelopeSpec<LogRecord, ScopeLogs, ResourceLogs> {
  return {
    resources: ['resource_logs', 'resourceLogs'],
    scopes: ['scope_logs', 'scopeLogs'],
    items: ['log_records', 'logRecords'],
    readsResource: true,
    readItem: (r, end) => readLogRecord(r, end, lazy),
    scope: (scopeName, logRecords) => ({ scopeName, logRecords }),
    resource: (resource, scopeLogs) => ({ resource, scopeLogs }),
  };
}

const EAGER = logsSpec(false);
const LAZY = logsSpec(true);

/**
 * Decodes an ExportLogsServiceRequest; empty input is a valid empty request. `lazyAttributes`
 * as for decodeTracesProtobuf.
 */
export function decodeLogsProtobuf(bytes: Uint8Array, options: DecodeOptions = {}): DecodedLogs {
  const envelope = readEnvelope(bytes, options.lazyAttributes === true ? LAZY : EAGER);
  return { resourceLogs: envelope.resources, logRecordCount: envelope.accepted, rejected: envelope.rejected };
}

/** Reads a LogRecord (r.pos..end); returns the reason instead when it must be rejected. */
function readLogRecord(r: WireReader, end: number, lazy: boolean): LogRecord | string {
  let timeUnixNano = 0n;
  let observedTimeUnixNano = 0n;
  let severityNumber = 0;
  let severityText = '';
  let body: AttributeValue = null;
  const attributes = new WireAttributes(r);
  let traceStart = 0;
  let traceEnd = 0;
  let spanStart = 0;
  let spanEnd = 0;
  let eventName = '';
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.tag();
    const wireType = tag & 7;
    switch (tag >>> 3) {
      case 1:
        if (wireType !== FIXED64) throw wrongWireType(tag, 'time_unix_nano', FIXED64, start);
        timeUnixNano = r.fixed64();
        break;
      case 2:
        if (wireType !== VARINT) throw wrongWireType(tag, 'severity_number', VARINT, start);
        severityNumber = r.uint32() | 0;
        break;
      case 3:
        if (wireType !== LEN) throw wrongWireType(tag, 'severity_text', LEN, start);
        severityText = r.string(end);
        break;
      case 5: {
        if (wireType !== LEN) throw wrongWireType(tag, 'body', LEN, start);
        const bodyEnd = r.lengthDelimited(end);
        try {
          body = readAnyValue(r, bodyEnd, 0);
        } catch (error) {
          throw withPath(error, 'body');
        }
        break;
      }
      case 6:
        readWireAttributeField(r, tag, start, end, attributes, 'attributes');
        break;
      case 7:
        skipKnown(r, tag, start, end, 'dropped_attributes_count', VARINT);
        break;
      case 8:
        skipKnown(r, tag, start, end, 'flags', WireType.FIXED32);
        break;
      case 9:
        if (wireType !== LEN) throw wrongWireType(tag, 'trace_id', LEN, start);
        traceEnd = r.lengthDelimited(end);
        traceStart = r.pos;
        r.pos = traceEnd;
        break;
      case 10:
        if (wireType !== LEN) throw wrongWireType(tag, 'span_id', LEN, start);
        spanEnd = r.lengthDelimited(end);
        spanStart = r.pos;
        r.pos = spanEnd;
        break;
      case 11:
        if (wireType !== FIXED64) throw wrongWireType(tag, 'observed_time_unix_nano', FIXED64, start);
        observedTimeUnixNano = r.fixed64();
        break;
      case 12:
        if (wireType !== LEN) throw wrongWireType(tag, 'event_name', LEN, start);
        eventName = r.string(end);
        break;
      default:
        r.skip(tag, end);
    }
  }
  r.endMessage(end);
  const problem = logRecordProblem(traceEnd - traceStart, spanEnd - spanStart);
  if (problem !== undefined) return problem;
  // Uncorrelated: no trace id or an all-zero one; a span id means nothing without its trace.
  const correlated = traceEnd > traceStart && !r.allZero(traceStart, traceEnd);
  const spanIdSet = correlated && spanEnd > spanStart && !r.allZero(spanStart, spanEnd);
  return {
    timeUnixNano,
    observedTimeUnixNano,
    severityNumber,
    severityText,
    body,
    attributes: lazy ? attributes : attributes.materialize(),
    traceId: correlated ? r.hex(traceStart, traceEnd) : '',
    spanId: spanIdSet ? r.hex(spanStart, spanEnd) : '',
    eventName,
  };
}
