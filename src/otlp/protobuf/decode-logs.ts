// ExportLogsServiceRequest (protobuf) → DecodedLogs. Same approach as decode-traces.ts: only
// the fields in types.ts are read, every known field's wire type is checked (so span bytes
// posted to /v1/logs are refused), and records with malformed ids are listed in `rejected`.
// A record with no trace id, or an all-zero one, is kept as uncorrelated (traceId '').

import type { AttributeValue, DecodedLogs, LogRecord, Rejection, ResourceLogs, ScopeLogs } from '../types.js';
import { logRecordProblem } from '../validate-ids.js';
import { WireReader, WireType, at, withPath, wrongWireType } from '../wire-reader.js';
import { readAnyValue, readAttributeField, readResourceField, readScopeField, skipKnown } from './decode-common.js';

const LEN = WireType.LENGTH_DELIMITED;
const VARINT = WireType.VARINT;
const FIXED64 = WireType.FIXED64;

class LogsBatch {
  logRecordCount = 0;
  readonly rejected: Rejection[] = [];
}

/** Decodes an ExportLogsServiceRequest; empty input is a valid empty request. */
export function decodeLogsProtobuf(bytes: Uint8Array): DecodedLogs {
  const r = new WireReader(bytes);
  const end = r.length;
  const batch = new LogsBatch();
  const resourceLogs: ResourceLogs[] = [];
  let index = 0;
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.tag();
    if (tag >>> 3 === 1) {
      if ((tag & 7) !== LEN) throw wrongWireType(tag, 'resource_logs', LEN, start);
      const itemEnd = r.lengthDelimited(end);
      try {
        resourceLogs.push(readResourceLogs(r, itemEnd, batch, index));
      } catch (error) {
        throw withPath(error, at('resourceLogs', index));
      }
      index++;
    } else r.skip(tag, end);
  }
  return { resourceLogs, logRecordCount: batch.logRecordCount, rejected: batch.rejected };
}

function readResourceLogs(r: WireReader, end: number, batch: LogsBatch, resourceIndex: number): ResourceLogs {
  let resource: Map<string, AttributeValue> = new Map();
  const scopeLogs: ScopeLogs[] = [];
  let index = 0;
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.tag();
    switch (tag >>> 3) {
      case 1:
        resource = readResourceField(r, tag, start, end);
        break;
      case 2: {
        if ((tag & 7) !== LEN) throw wrongWireType(tag, 'scope_logs', LEN, start);
        const itemEnd = r.lengthDelimited(end);
        try {
          scopeLogs.push(readScopeLogs(r, itemEnd, batch, resourceIndex, index));
        } catch (error) {
          throw withPath(error, at('scopeLogs', index));
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
  return { resource, scopeLogs };
}

function readScopeLogs(r: WireReader, end: number, batch: LogsBatch, resourceIndex: number, scopeIndex: number): ScopeLogs {
  let scopeName = '';
  const logRecords: LogRecord[] = [];
  let index = 0;
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.tag();
    switch (tag >>> 3) {
      case 1:
        scopeName = readScopeField(r, tag, start, end);
        break;
      case 2: {
        if ((tag & 7) !== LEN) throw wrongWireType(tag, 'log_records', LEN, start);
        const recordEnd = r.lengthDelimited(end);
        let record: LogRecord | string;
        try {
          record = readLogRecord(r, recordEnd);
        } catch (error) {
          throw withPath(error, at('logRecords', index));
        }
        if (typeof record === 'string') {
          batch.rejected.push({ path: `resourceLogs[${resourceIndex}].scopeLogs[${scopeIndex}].logRecords[${index}]`, reason: record });
        } else {
          logRecords.push(record);
          batch.logRecordCount++;
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
  return { scopeName, logRecords };
}

/** Reads a LogRecord (r.pos..end); returns the reason instead when it must be rejected. */
function readLogRecord(r: WireReader, end: number): LogRecord | string {
  let timeUnixNano = 0n;
  let observedTimeUnixNano = 0n;
  let severityNumber = 0;
  let severityText = '';
  let body: AttributeValue = null;
  const attributes = new Map<string, AttributeValue>();
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
        readAttributeField(r, tag, start, end, attributes, 'attributes');
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
    attributes,
    traceId: correlated ? r.hex(traceStart, traceEnd) : '',
    spanId: spanIdSet ? r.hex(spanStart, spanEnd) : '',
    eventName,
  };
}
