// Encodes and decodes OTLP messages with protobufjs over our own proto/ files, so tests build
// request bytes independently of Faultline's wire reader (and check our proto/ files load).
// Objects use protobufjs' camelCase field names (resourceSpans, traceId…); ids may be given as
// hex strings (converted here), timestamps and int64 as decimal strings or numbers.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/** test/helpers → dist/test/helpers when compiled; proto/ sits at the repository root. */
const here = path.dirname(fileURLToPath(import.meta.url));
export const PROTO_DIR = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? '../../../proto' : '../../proto');

export const PROTO_FILES = [
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  'opentelemetry/proto/collector/logs/v1/logs_service.proto',
  'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
  'google/rpc/status.proto',
];

let root: protobuf.Root | undefined;

/** The protobufjs Root of every file in proto/, loaded once. */
export function protoRoot(): protobuf.Root {
  if (root === undefined) {
    const loaded = new protobuf.Root();
    loaded.resolvePath = (_origin, target) => (path.isAbsolute(target) ? target : path.join(PROTO_DIR, target));
    loaded.loadSync(PROTO_FILES);
    loaded.resolveAll();
    root = loaded;
  }
  return root;
}

export function protoType(name: string): protobuf.Type {
  return protoRoot().lookupType(name);
}

const TRACE_REQUEST = 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest';
const LOGS_REQUEST = 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest';
const METRICS_REQUEST = 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest';

/** Hex strings under `traceId`/`spanId`/`parentSpanId` → bytes, recursively, without touching the input. */
function hexIdsToBytes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hexIdsToBytes);
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  const out: { [key: string]: unknown } = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] =
      (key === 'traceId' || key === 'spanId' || key === 'parentSpanId') && typeof item === 'string'
        ? Buffer.from(item, 'hex')
        : hexIdsToBytes(item);
  }
  return out;
}

function encode(typeName: string, object: object): Uint8Array {
  const type = protoType(typeName);
  return type.encode(type.fromObject(hexIdsToBytes(object) as { [key: string]: unknown })).finish();
}

export function encodeTracesRequest(object: object): Uint8Array {
  return encode(TRACE_REQUEST, object);
}

export function encodeLogsRequest(object: object): Uint8Array {
  return encode(LOGS_REQUEST, object);
}

export function encodeMetricsRequest(object: object): Uint8Array {
  return encode(METRICS_REQUEST, object);
}

const RESPONSES = {
  traces: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse',
  logs: 'opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse',
  metrics: 'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse',
} as const;

/** An Export*ServiceResponse as a plain object (int64 as strings, defaults omitted). */
export function decodeExportResponse(signal: keyof typeof RESPONSES, bytes: Uint8Array): { [key: string]: unknown } {
  const type = protoType(RESPONSES[signal]);
  return type.toObject(type.decode(bytes), { longs: String });
}

/** A google.rpc.Status as a plain object. */
export function decodeStatus(bytes: Uint8Array): { [key: string]: unknown } {
  const type = protoType('google.rpc.Status');
  return type.toObject(type.decode(bytes), { longs: String });
}
