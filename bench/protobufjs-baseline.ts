// The baseline: what a typical JavaScript OTLP consumer does with the same bytes. protobufjs
// (reflection, loaded from our proto/) decodes the whole ExportTraceServiceRequest /
// ExportLogsServiceRequest with `Type.decode`, then `Type.toObject(message, { longs: String })`
// turns it into plain objects (64-bit timestamps and ints as decimal strings; bytes stay
// Uint8Array). That object tree is then converted to Faultline's DecodedTraces / DecodedLogs shape
// (ids → lower-case hex, timestamps → bigint, attributes → Map, AnyValue → JS value, ids checked
// with the same rules), and fed to the very same extraction and metric updates as the pipeline.
// Every field is decoded, including the ones Faultline skips: that is the point of comparison.

import { fileURLToPath } from 'node:url';
import path from 'node:path';
import protobuf from 'protobufjs';
import type {
  AttributeValue,
  DecodedLogs,
  DecodedTraces,
  LogRecord,
  ResourceLogs,
  ResourceSpans,
  Span,
} from '../src/otlp/types.js';
import { logRecordProblem, spanProblem } from '../src/otlp/validate-ids.js';

const PROTO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../proto');

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(PROTO_ROOT, target);
  root.loadSync(['opentelemetry/proto/collector/trace/v1/trace_service.proto', 'opentelemetry/proto/collector/logs/v1/logs_service.proto']);
  root.resolveAll();
  return root;
}

const root = loadRoot();
const TraceRequest = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
const LogsRequest = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');
const TO_OBJECT: protobuf.IConversionOptions = { longs: String };

/* eslint-disable @typescript-eslint/no-explicit-any -- toObject returns untyped trees */
type Obj = any;

function anyValue(value: Obj): AttributeValue {
  if (value == null) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) {
    const big = BigInt(value.intValue);
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(anyValue);
  if (value.kvlistValue !== undefined) {
    const out: { [key: string]: AttributeValue } = {};
    for (const kv of value.kvlistValue.values ?? []) out[kv.key] = anyValue(kv.value);
    return out;
  }
  if (value.bytesValue !== undefined) return value.bytesValue;
  return null;
}

function attributes(list: Obj[] | undefined): Map<string, AttributeValue> {
  const map = new Map<string, AttributeValue>();
  if (list) for (const kv of list) map.set(kv.key ?? '', anyValue(kv.value));
  return map;
}

const hex = (bytes: Uint8Array | undefined) => (bytes && bytes.length > 0 ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex') : '');
const allZero = (bytes: Uint8Array | undefined) => !bytes || bytes.every((b) => b === 0);
const nanos = (value: string | undefined) => (value ? BigInt(value) : 0n);

export function decodeTracesWithProtobufjs(bytes: Uint8Array): DecodedTraces {
  const request: Obj = TraceRequest.toObject(TraceRequest.decode(bytes), TO_OBJECT);
  const resourceSpans: ResourceSpans[] = [];
  let spanCount = 0;
  const rejected: { path: string; reason: string }[] = [];
  for (const rs of request.resourceSpans ?? []) {
    const scopeSpans = [];
    for (const ss of rs.scopeSpans ?? []) {
      const spans: Span[] = [];
      for (const s of ss.spans ?? []) {
        const endTimeUnixNano = nanos(s.endTimeUnixNano);
        const problem = spanProblem(s.traceId?.length ?? 0, s.spanId?.length ?? 0, s.parentSpanId?.length ?? 0, endTimeUnixNano);
        if (problem !== undefined) {
          rejected.push({ path: 'span', reason: problem });
          continue;
        }
        spans.push({
          traceId: allZero(s.traceId) ? '' : hex(s.traceId),
          spanId: allZero(s.spanId) ? '' : hex(s.spanId),
          name: s.name ?? '',
          kind: s.kind ?? 0,
          startTimeUnixNano: nanos(s.startTimeUnixNano),
          endTimeUnixNano,
          attributes: attributes(s.attributes),
          events: (s.events ?? []).map((e: Obj) => ({ name: e.name ?? '', timeUnixNano: nanos(e.timeUnixNano), attributes: attributes(e.attributes) })),
          statusCode: s.status?.code ?? 0,
          statusMessage: s.status?.message ?? '',
        });
        spanCount++;
      }
      scopeSpans.push({ scopeName: ss.scope?.name ?? '', spans });
    }
    resourceSpans.push({ resource: attributes(rs.resource?.attributes), scopeSpans });
  }
  return { resourceSpans, spanCount, rejected };
}

export function decodeLogsWithProtobufjs(bytes: Uint8Array): DecodedLogs {
  const request: Obj = LogsRequest.toObject(LogsRequest.decode(bytes), TO_OBJECT);
  const resourceLogs: ResourceLogs[] = [];
  let logRecordCount = 0;
  const rejected: { path: string; reason: string }[] = [];
  for (const rl of request.resourceLogs ?? []) {
    const scopeLogs = [];
    for (const sl of rl.scopeLogs ?? []) {
      const logRecords: LogRecord[] = [];
      for (const l of sl.logRecords ?? []) {
        const problem = logRecordProblem(l.traceId?.length ?? 0, l.spanId?.length ?? 0);
        if (problem !== undefined) {
          rejected.push({ path: 'logRecord', reason: problem });
          continue;
        }
        const correlated = !allZero(l.traceId);
        logRecords.push({
          timeUnixNano: nanos(l.timeUnixNano),
          observedTimeUnixNano: nanos(l.observedTimeUnixNano),
          severityNumber: l.severityNumber ?? 0,
          severityText: l.severityText ?? '',
          body: anyValue(l.body),
          attributes: attributes(l.attributes),
          traceId: correlated ? hex(l.traceId) : '',
          spanId: correlated && !allZero(l.spanId) ? hex(l.spanId) : '',
          eventName: l.eventName ?? '',
        });
        logRecordCount++;
      }
      scopeLogs.push({ scopeName: sl.scope?.name ?? '', logRecords });
    }
    resourceLogs.push({ resource: attributes(rl.resource?.attributes), scopeLogs });
  }
  return { resourceLogs, logRecordCount, rejected };
}
