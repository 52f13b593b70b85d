// Seeded, reproducible benchmark payloads. Spans and log records are ReadableSpan- and
// ReadableLogRecord-shaped objects built from a seeded PRNG and a fixed clock, then encoded by the
// official @opentelemetry/otlp-transformer serializers, so the bytes are exactly what the
// OpenTelemetry JS SDK exporters send. Every scenario yields the same bytes on every run.
//
// Scenarios (see bench/README.md): S1 testbed parity, S2 SDK default (main), S3 error storm,
// S4 chatty (1 and 10 spans per request), L1 logs, C1 cardinality attack.

import { gzipSync } from 'node:zlib';
import type { HrTime, SpanContext } from '@opentelemetry/api';
import {
  JsonLogsSerializer,
  JsonTraceSerializer,
  ProtobufLogsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

export type ScenarioId = 'S1' | 'S2' | 'S3' | 'S4-1' | 'S4-10' | 'L1' | 'C1';
export type Format = 'protobuf' | 'json';
export type Compression = 'identity' | 'gzip';

export interface Payload {
  readonly scenario: ScenarioId;
  readonly signal: 'traces' | 'logs';
  /** Spans or log records per request. */
  readonly items: number;
  /** Distinct requests (different seeds), sent round-robin so caches see realistic variety. */
  readonly bodies: Readonly<Record<Format, Readonly<Record<Compression, readonly Buffer[]>>>>;
}

/** mulberry32: small, fast, and the same sequence on every platform. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function word(random: () => number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[Math.floor(random() * ALPHABET.length)];
  return out;
}

function hexId(random: () => number, bytes: number): string {
  let out = '';
  for (let i = 0; i < bytes; i++) out += Math.floor(random() * 256).toString(16).padStart(2, '0');
  // The decoder stores an all-zero id as '' (no trace); a seeded run never hits this, but be sure.
  return /^0+$/.test(out) ? `${out.slice(0, -1)}1` : out;
}

/** Fixed clock: 2026-01-01T00:00:00Z, so bytes do not depend on when the bench runs. */
const EPOCH_SECONDS = 1_767_225_600;

function hrTime(offsetMicros: number): HrTime {
  const micros = Math.floor(offsetMicros);
  return [EPOCH_SECONDS + Math.floor(micros / 1e6), (micros % 1e6) * 1000];
}

const SERVICES = ['checkout', 'cart', 'payments', 'inventory', 'frontend'];
const ROUTES = Array.from({ length: 20 }, (_, i) => `/api/v1/resource${i}/:id`);
const SCOPE = { name: '@opentelemetry/instrumentation-http', version: '0.301.0' };

function stackTrace(random: () => number, type: string): string {
  // About 1 KB: a Node-style stack of 12 frames.
  const lines = [`${type}: ${word(random, 24)}`];
  for (let i = 0; i < 12; i++) lines.push(`    at ${word(random, 12)} (/app/src/${word(random, 10)}/${word(random, 8)}.js:${1 + Math.floor(random() * 900)}:${1 + Math.floor(random() * 80)})`);
  return lines.join('\n');
}

interface SpanShape {
  /** Attributes per span beyond http.route: 'testbed' (2 ints) or n × 20-char key/value. */
  readonly attributes: 'testbed' | number;
  /** Fraction of spans with an exception event and ERROR status. */
  readonly exceptionRatio: number;
  /** Distinct exception types; 0: every exception its own type (C1). */
  readonly exceptionTypes: number;
  readonly resourceAttributes: number;
}

function resourceFor(service: string, extra: number, random: () => number): Resource {
  const attributes: Record<string, string> = {
    'service.name': service,
    'service.version': '1.4.2',
    'deployment.environment.name': 'prod',
    'host.name': `host-${word(random, 6)}`,
  };
  for (let i = 4; i < extra; i++) attributes[`resource.attr${i}`] = word(random, 12);
  return resourceFromAttributes(attributes);
}

let uniqueCounter = 0;

function buildSpans(count: number, shape: SpanShape, seed: number): ReadableSpan[] {
  const random = createRandom(seed);
  // A batch comes from one process (one SDK exporter): one resource, one scope, as SDKs send.
  const service = SERVICES[seed % SERVICES.length]!;
  const resource = resourceFor(service, shape.resourceAttributes, random);
  const attributeKeys = typeof shape.attributes === 'number' ? Array.from({ length: shape.attributes }, () => word(random, 20)) : [];
  const spans: ReadableSpan[] = [];
  for (let i = 0; i < count; i++) {
    const traceId = hexId(random, 16);
    const spanId = hexId(random, 8);
    const route = ROUTES[Math.floor(random() * ROUTES.length)]!;
    const start = i * 1000 + random() * 500;
    const duration = 1000 + random() * 200_000;
    const attributes: Record<string, string | number> = { 'http.route': route, 'http.request.method': 'GET' };
    if (shape.attributes === 'testbed') {
      attributes['load_generator.span_seq_num'] = i;
      attributes['load_generator.trace_seq_num'] = seed * 1000 + i;
    } else {
      for (const key of attributeKeys) attributes[key] = word(random, 20);
    }
    const failed = random() < shape.exceptionRatio;
    const events: ReadableSpan['events'] = [];
    if (failed) {
      const type =
        shape.exceptionTypes === 0 ? `UniqueError${++uniqueCounter}x${seed}` : `Error${Math.floor(random() * shape.exceptionTypes)}`;
      events.push({
        name: 'exception',
        time: hrTime(start + duration / 2),
        attributes: {
          'exception.type': type,
          'exception.message': shape.exceptionTypes === 0 ? `unique failure ${uniqueCounter} ${word(random, 16)}` : `failed to load ${word(random, 16)}`,
          'exception.stacktrace': stackTrace(random, type),
        },
        droppedAttributesCount: 0,
      });
    }
    const context: SpanContext = { traceId, spanId, traceFlags: 1 };
    spans.push({
      name: `GET ${route}`,
      kind: 1, // api SpanKind.SERVER (the serializer writes kind + 1)
      spanContext: () => context,
      parentSpanContext: i % 4 === 0 ? undefined : { traceId, spanId: hexId(random, 8), traceFlags: 1, isRemote: true },
      startTime: hrTime(start),
      endTime: hrTime(start + duration),
      status: failed ? { code: 2, message: 'request failed' } : { code: 0 },
      attributes,
      links: [],
      events,
      duration: [0, Math.floor(duration * 1000)],
      ended: true,
      resource,
      instrumentationScope: SCOPE,
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    });
  }
  return spans;
}

function buildLogs(count: number, seed: number): ReadableLogRecord[] {
  const random = createRandom(seed);
  const service = SERVICES[seed % SERVICES.length]!;
  const resource = resourceFor(service, 4, random);
  const records: ReadableLogRecord[] = [];
  for (let i = 0; i < count; i++) {
    const failed = random() < 0.02;
    // The collector testbed's log record: 2 strings plus a, b, c, d of types str/double/int/bool.
    const attributes: Record<string, string | number | boolean> = {
      'load_generator.item_index': String(i),
      'load_generator.seed': String(seed),
      a: 'test',
      b: 5.0,
      c: 3,
      d: true,
    };
    if (failed) {
      const type = `Error${Math.floor(random() * 20)}`;
      attributes['exception.type'] = type;
      attributes['exception.message'] = `failed to load ${word(random, 16)}`;
      attributes['exception.stacktrace'] = stackTrace(random, type);
    }
    records.push({
      hrTime: hrTime(i * 1000),
      hrTimeObserved: hrTime(i * 1000 + 5),
      spanContext: { traceId: hexId(random, 16), spanId: hexId(random, 8), traceFlags: 1 },
      severityText: failed ? 'ERROR' : 'INFO',
      severityNumber: failed ? 17 : 9,
      body: `Load Generator Counter #${i}`,
      resource,
      instrumentationScope: SCOPE,
      attributes,
      droppedAttributesCount: 0,
    } as ReadableLogRecord);
  }
  return records;
}

const SHAPES: Record<Exclude<ScenarioId, 'L1'>, { spans: number; shape: SpanShape }> = {
  S1: { spans: 100, shape: { attributes: 'testbed', exceptionRatio: 0, exceptionTypes: 1, resourceAttributes: 4 } },
  S2: { spans: 512, shape: { attributes: 10, exceptionRatio: 0.05, exceptionTypes: 20, resourceAttributes: 4 } },
  S3: { spans: 512, shape: { attributes: 10, exceptionRatio: 0.5, exceptionTypes: 200, resourceAttributes: 4 } },
  'S4-1': { spans: 1, shape: { attributes: 5, exceptionRatio: 0.1, exceptionTypes: 20, resourceAttributes: 4 } },
  'S4-10': { spans: 10, shape: { attributes: 5, exceptionRatio: 0.1, exceptionTypes: 20, resourceAttributes: 4 } },
  C1: { spans: 512, shape: { attributes: 10, exceptionRatio: 1, exceptionTypes: 0, resourceAttributes: 4 } },
};

export const SCENARIOS: readonly ScenarioId[] = ['S1', 'S2', 'S3', 'S4-1', 'S4-10', 'L1', 'C1'];

const toBuffer = (bytes: Uint8Array | undefined): Buffer => Buffer.from(bytes!);

/** Builds `variants` distinct requests of the scenario, each in every format and compression. */
export function buildPayload(scenario: ScenarioId, variants: number, seedBase = 1): Payload {
  const protobuf: Buffer[] = [];
  const json: Buffer[] = [];
  // S4-1 has one span per request: more variants, or 10% exceptions would mean none at all.
  const count = scenario === 'S4-1' ? Math.max(variants, 20) : variants;
  for (let v = 0; v < count; v++) {
    const seed = seedBase + v;
    if (scenario === 'L1') {
      const records = buildLogs(512, seed);
      protobuf.push(toBuffer(ProtobufLogsSerializer.serializeRequest(records)));
      json.push(toBuffer(JsonLogsSerializer.serializeRequest(records)));
    } else {
      const { spans, shape } = SHAPES[scenario];
      const built = buildSpans(spans, shape, seed);
      protobuf.push(toBuffer(ProtobufTraceSerializer.serializeRequest(built)));
      json.push(toBuffer(JsonTraceSerializer.serializeRequest(built)));
    }
  }
  return {
    scenario,
    signal: scenario === 'L1' ? 'logs' : 'traces',
    items: scenario === 'L1' ? 512 : SHAPES[scenario].spans,
    bodies: {
      protobuf: { identity: protobuf, gzip: protobuf.map((body) => gzipSync(body)) },
      json: { identity: json, gzip: json.map((body) => gzipSync(body)) },
    },
  };
}

/** Average bytes per request of one variant list. */
export function averageBytes(bodies: readonly Buffer[]): number {
  let total = 0;
  for (const body of bodies) total += body.length;
  return total / bodies.length;
}

/**
 * One traces request of `spans` spans shaped like S2 (10 attributes, 5% exceptions of 20 types):
 * the large requests of the fair-loop bench (5,000 spans, or as many as fill ~4 MiB).
 */
export function spanRequest(spans: number, format: Format, seed = 1): Buffer {
  const built = buildSpans(spans, SHAPES.S2.shape, seed);
  return toBuffer(format === 'json' ? JsonTraceSerializer.serializeRequest(built) : ProtobufTraceSerializer.serializeRequest(built));
}
