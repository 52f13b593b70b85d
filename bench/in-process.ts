// In-process measurements on the same bytes, one after another in one process:
//   pipeline  the product's ingest path: createIngest (decode → extract → queue) with a queue that
//             hands each batch straight to the implicit processors every traces and logs pipeline
//             runs (scrub, then group, built as service.ts builds them) and then to the error
//             metrics (createErrorMetrics on its own registry), all in one synchronous call;
//   bare      the same without the processors (decode → extract → metrics);
//   baseline  protobufjs full decode + toObject (protobufjs-baseline.ts), then the same processors
//             and the same metric updates, so pipeline ÷ baseline stays like for like;
//   floor     the tag-walking scan (floor-scan.ts).
// gzip bodies are inflated with zlib.gunzipSync inside the timed call for all three (the HTTP
// receiver inflates asynchronously on the thread pool; the CPU cost is the same).
// Rates are per CPU-second of this process (process.cpuUsage), not per wall second, and the best of
// several slices is kept, so other load on the machine moves them little; the wall rate is in the JSON.

import { gunzipSync } from 'node:zlib';
import { PROMETHEUS_EXPORTER_DEFAULTS, type PrometheusExporterConfig } from '../src/metrics/config.js';
import { ERRORS_PROCESSOR_DEFAULTS } from '../src/processor/errors/config.js';
import { extractFromLogs } from '../src/extract/from-logs.js';
import { extractFromTraces } from '../src/extract/from-spans.js';
import { createExtractOptions } from '../src/extract/options.js';
import type { ProcessorContext } from '../src/component.js';
import { COMPONENTS } from '../src/components.js';
import type { Extracted } from '../src/extract/error-event.js';
import { createLogger } from '../src/internal/logger.js';
import type { Consumer } from '../src/pipeline/consumer.js';
import { chainStages } from '../src/pipeline/processor.js';
import { createErrorMetrics, type ErrorMetrics } from '../src/metrics/error-metrics.js';
import { createRegistry } from '../src/metrics/registry.js';
import { createIngest, type Ingest } from '../src/pipeline/ingest.js';
import type { QueueStage } from '../src/pipeline/queue-stage.js';
import { scanLogs, scanTraces, type ScanCount } from './floor-scan.js';
import { timeLoop } from './measure.js';
import type { Compression, Format, Payload } from './payloads.js';
import { decodeLogsWithProtobufjs, decodeTracesWithProtobufjs } from './protobufjs-baseline.js';

export type Contender = 'pipeline' | 'bare' | 'baseline' | 'floor';

export interface InProcessResult {
  readonly scenario: string;
  readonly format: Format;
  readonly compression: Compression;
  readonly contender: Contender;
  /** Items per CPU-second of this process (robust to other load on the box). */
  readonly itemsPerSecond: number;
  /** Items per wall-clock second. */
  readonly itemsPerWallSecond: number;
  /** Wire bytes (as sent, compressed or not) per CPU-second. */
  readonly megabytesPerSecond: number;
  readonly cpuSecondsPerMillionItems: number;
  readonly requestsPerSecond: number;
}

const extractOptions = createExtractOptions(ERRORS_PROCESSOR_DEFAULTS);

/** The prometheus exporter's defaults with another cardinality limit. */
export function exporterConfig(cardinalityLimit: number): PrometheusExporterConfig {
  return { ...PROMETHEUS_EXPORTER_DEFAULTS, id: 'prometheus', type: 'prometheus', cardinalityLimit } as PrometheusExporterConfig;
}

/** A clock that moves 1 ms per read, so exemplar intervals and dedup windows behave as they would live. */
function createBenchClock(): { now: () => number } {
  let now = 1_767_225_600_000;
  return { now: () => now++ };
}

function createMetrics(cardinalityLimit = PROMETHEUS_EXPORTER_DEFAULTS.cardinalityLimit): ErrorMetrics {
  return createErrorMetrics({
    registry: createRegistry({ defaultMetrics: false }),
    config: exporterConfig(cardinalityLimit),
    clock: createBenchClock(),
  });
}

/**
 * The implicit processors (scrub, group, then identity) in front of the metrics, built with the
 * factories and in the order service.ts uses for a pipeline that lists none; with
 * `processors: false`, the metrics alone. The identity processor's timer is not started: a trace
 * settles when max_pending_traces newer ones wait, which folds it as the timer would.
 */
export function createConsumer(metrics: ErrorMetrics, processors: boolean): Consumer {
  const metricsConsumer: Consumer = { consume: (batch: Extracted) => metrics.record(batch) };
  if (!processors) return metricsConsumer;
  const registry = createRegistry({ defaultMetrics: false });
  const context: ProcessorContext = { registry, clock: createBenchClock(), logger: createLogger('silent') };
  const stages = COMPONENTS.implicitProcessors.map((config) => {
    const factory = COMPONENTS.processors.find((candidate) => candidate.type === config.type)!;
    return { name: `processor.${config.id}`, ...factory.create!(config, context) };
  });
  // A bench must not measure a pipeline that drops batches: any stage failure ends the run.
  return chainStages(stages, metricsConsumer, { includeHandledExceptions: true }, (stage, error) => {
    throw new Error(`${stage} failed in the bench pipeline`, { cause: error });
  });
}

/** Faultline's ingest with a queue that consumes synchronously: the whole pipeline in one call. */
export function createSyncPipeline(metrics: ErrorMetrics = createMetrics(), processors = true): Ingest {
  const consumer = createConsumer(metrics, processors);
  const queue = synchronousQueue(consumer);

  return createIngest({ routes: { traces: { options: extractOptions, consumer }, logs: { options: extractOptions, consumer } }, queue });
}

const inflate = (body: Buffer, compression: Compression): Buffer => (compression === 'gzip' ? gunzipSync(body) : body);

export function contenderOp(payload: Payload, format: Format, compression: Compression, contender: Contender): (i: number) => number {
  const bodies = payload.bodies[format][compression];
  const signal = payload.signal;
  switch (contender) {
    case 'pipeline':
    case 'bare': {
      const ingest = createSyncPipeline(createMetrics(), contender === 'pipeline');
      return (i) => ingest.accept(signal, format, inflate(bodies[i % bodies.length]!, compression)).accepted;
    }
    case 'baseline': {
      const consumer = createConsumer(createMetrics(), true);
      return signal === 'traces'
        ? (i) => {
            const decoded = decodeTracesWithProtobufjs(inflate(bodies[i % bodies.length]!, compression));
            consumer.consume(extractFromTraces(decoded, extractOptions));
            return decoded.spanCount;
          }
        : (i) => {
            const decoded = decodeLogsWithProtobufjs(inflate(bodies[i % bodies.length]!, compression));
            consumer.consume(extractFromLogs(decoded, extractOptions));
            return decoded.logRecordCount;
          };
    }
    case 'floor': {
      const count: ScanCount = { items: 0, exceptions: 0 };
      const scan = signal === 'traces' ? scanTraces : scanLogs;
      return (i) => {
        count.items = 0;
        scan(inflate(bodies[i % bodies.length]!, compression), count);
        return count.items;
      };
    }
  }
}

export function measureInProcess(
  payload: Payload,
  format: Format,
  compression: Compression,
  contender: Contender,
  sliceMs: number,
  slices: number,
): InProcessResult {
  const bodies = payload.bodies[format][compression];
  const op = contenderOp(payload, format, compression, contender);
  const { ops, items, seconds, cpuSeconds } = timeLoop(op, sliceMs, slices);
  const bytesPerOp = bodies.reduce((sum, body) => sum + body.length, 0) / bodies.length;
  return {
    scenario: payload.scenario,
    format,
    compression,
    contender,
    itemsPerSecond: items / cpuSeconds,
    itemsPerWallSecond: items / seconds,
    megabytesPerSecond: (ops * bytesPerOp) / cpuSeconds / 1e6,
    cpuSecondsPerMillionItems: (cpuSeconds / items) * 1e6,
    requestsPerSecond: ops / cpuSeconds,
  };
}

/** A queue that hands each batch to `consumer` at once: benches time the pipeline, not the queue's turns. */
export function synchronousQueue(consumer: Consumer): QueueStage {
  return {
    hasRoom: () => true,
    backlog: () => '',
    enqueue: (batch) => consumer.consume(batch),
    depth: 0,
    capacity: Infinity,
    bytes: 0,
    capacityBytes: Infinity,
    holdBytes: () => () => {},
    reserveBody: () => ({ reserve: () => {}, close: () => {} }),
    readingBytes: 0,
    closed: false,
    drain: async () => {},
    turns: { take: () => Promise.resolve(), waiting: 0 },
  };
}
