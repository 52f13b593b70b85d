// Faultline's own telemetry: created once per instance on its registry and handed to the
// receivers and the pipeline. Bad input, refusals and limit hits are counted here instead of logged
// per item. Every metric is listed in docs/metrics.md (a test keeps the two in step).
//
// transport: grpc | http. signal: traces | logs | metrics. outcome: success | partial | refused |
// error. reason: invalid | decode_error | too_large | overloaded | shutting_down | unsupported |
// unauthorized | rate_limited | internal.

import { readFileSync } from 'node:fs';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ListenerMetrics } from '../internal/connection-gate.js';
import { sharedCounter, sharedGauge } from './shared-metric.js';

type ReceiverLabel = 'receiver' | 'transport' | 'signal';

export type RequestOutcome = 'success' | 'partial' | 'refused' | 'error';
export type RefusalReason =
  | 'invalid'
  | 'decode_error'
  | 'too_large'
  | 'overloaded'
  | 'shutting_down'
  | 'unsupported'
  | 'unauthorized'
  | 'rate_limited'
  | 'internal';

export interface SelfMetrics {
  readonly requests: Counter<ReceiverLabel | 'outcome'>;
  readonly acceptedItems: Counter<ReceiverLabel>;
  readonly refusedItems: Counter<ReceiverLabel | 'reason'>;
  readonly decodeErrors: Counter<ReceiverLabel>;
  readonly emptyRequests: Counter<ReceiverLabel>;
  readonly skippedExceptions: Counter<ReceiverLabel>;
  readonly requestDuration: Histogram<ReceiverLabel>;
  readonly queueItems: Gauge<string>;
  readonly queueCapacity: Gauge<string>;
  readonly queueBytes: Gauge<string>;
  readonly queueCapacityBytes: Gauge<string>;
  /** Requests decoding on the decode pool, or waiting for a worker: pipeline/decode-pool.ts. */
  readonly decodeJobs: Gauge<'state'>;
  /** Bytes of request bodies being read now: internal/read-body.ts. */
  readonly readingBytes: Gauge<string>;
  readonly pipelineFailures: Counter<'stage'>;
  readonly cardinalityOverflow: Counter<'metric'>;
  readonly seriesExpired: Counter<'metric'>;
  readonly buildInfo: Gauge<'version' | 'node_version'>;
  /** Connections of every listener (admin, OTLP/HTTP, OTLP/gRPC): internal/connection-gate.ts. */
  readonly listeners: ListenerMetrics;
  /** Requests the admin endpoint refused for want of credentials, access or same-origin proof: admin/auth.ts. */
  readonly adminAuthFailures: Counter<'reason'>;
}

export interface SelfMetricsOptions {
  /** Faultline's version for faultline_build_info; default: package.json's. */
  readonly version?: string;
}

const REQUEST_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createSelfMetrics(registry: Registry, options: SelfMetricsOptions = {}): SelfMetrics {
  const registers = [registry];
  const receiverLabels: ReceiverLabel[] = ['receiver', 'transport', 'signal'];
  const { cardinalityOverflow, seriesExpired } = limitCounters(registry);
  const buildInfo = new Gauge({
    name: 'faultline_build_info',
    help: 'Always 1; its labels say which Faultline and Node.js versions run.',
    labelNames: ['version', 'node_version'] as const,
    registers,
  });
  buildInfo.set({ version: options.version ?? packageVersion(), node_version: process.version }, 1);
  return {
    requests: new Counter({
      name: 'faultline_receiver_requests_total',
      help: 'Export requests received, by outcome.',
      labelNames: [...receiverLabels, 'outcome'],
      registers,
    }),
    acceptedItems: new Counter({
      name: 'faultline_receiver_accepted_items_total',
      help: 'Spans, log records and metric data points accepted into the pipeline.',
      labelNames: receiverLabels,
      registers,
    }),
    refusedItems: new Counter({
      name: 'faultline_receiver_refused_items_total',
      help: 'Spans, log records and metric data points refused, by reason.',
      labelNames: [...receiverLabels, 'reason'],
      registers,
    }),
    decodeErrors: new Counter({
      name: 'faultline_receiver_decode_errors_total',
      help: 'Export requests whose body could not be decoded.',
      labelNames: receiverLabels,
      registers,
    }),
    emptyRequests: new Counter({
      name: 'faultline_receiver_empty_requests_total',
      help: 'Export requests that carried no items.',
      labelNames: receiverLabels,
      registers,
    }),
    skippedExceptions: new Counter({
      name: 'faultline_receiver_skipped_exceptions_total',
      help: 'Exception records with neither a type nor a message: nothing to group on, so no error event.',
      labelNames: receiverLabels,
      registers,
    }),
    requestDuration: new Histogram({
      name: 'faultline_receiver_request_duration_seconds',
      help: 'Time to handle one export request, seconds.',
      labelNames: receiverLabels,
      buckets: REQUEST_DURATION_BUCKETS,
      registers,
    }),
    queueItems: new Gauge({
      name: 'faultline_pipeline_queue_items',
      help: 'Items waiting in the pipeline queue.',
      registers,
    }),
    queueCapacity: new Gauge({
      name: 'faultline_pipeline_queue_capacity',
      help: 'Most items the pipeline queue holds (service.queue_size).',
      registers,
    }),
    queueBytes: new Gauge({
      name: 'faultline_pipeline_queue_bytes',
      help: 'Estimated memory of what waits in the pipeline queue, bytes.',
      registers,
    }),
    queueCapacityBytes: new Gauge({
      name: 'faultline_pipeline_queue_capacity_bytes',
      help: 'Most estimated memory the pipeline queue admits (service.queue_bytes), bytes.',
      registers,
    }),
    decodeJobs: new Gauge({
      name: 'faultline_pipeline_decode_jobs',
      help: 'Large request bodies decoding on the decode workers (state running) or waiting for one (state waiting).',
      labelNames: ['state'] as const,
      registers,
    }),
    readingBytes: new Gauge({
      name: 'faultline_pipeline_reading_bytes',
      help: 'Bytes of request bodies being read now (reserved by Content-Length, else as they arrive), counted against service.queue_bytes.',
      registers,
    }),
    pipelineFailures: new Counter({
      name: 'faultline_pipeline_failures_total',
      help: 'Batches a pipeline stage threw on; each is lost for that stage only (a processor: its pipeline).',
      labelNames: ['stage'] as const,
      registers,
    }),
    cardinalityOverflow,
    seriesExpired,
    buildInfo,
    listeners: listenerMetrics(registry),
    adminAuthFailures: adminAuthFailures(registry),
  };
}

/**
 * The two counters the bounded series report to. Got or created here, the one place that names
 * them, so error metrics and self-metrics can be built in either order on one registry.
 */
export function limitCounters(registry: Registry): Pick<SelfMetrics, 'cardinalityOverflow' | 'seriesExpired'> {
  return {
    cardinalityOverflow: sharedCounter(registry, {
      name: 'faultline_cardinality_overflow_total',
      help: 'Updates folded into the __overflow__ series because the metric reached its cardinality limit.',
      labelNames: ['metric'] as const,
    }),
    seriesExpired: sharedCounter(registry, {
      name: 'faultline_series_expired_total',
      help: 'Series removed because no update came for metrics_expiration.',
      labelNames: ['metric'] as const,
    }),
  };
}

/** The connection metrics of the listeners (internal/connection-gate.ts); got or created, as the admin server may build them first. */
export function listenerMetrics(registry: Registry): ListenerMetrics {
  return {
    connections: sharedGauge(registry, {
      name: 'faultline_listener_connections',
      help: 'Connections open now on a listener (admin, <receiver>.http, <receiver>.grpc).',
      labelNames: ['listener'] as const,
    }),
    maxConnections: sharedGauge(registry, {
      name: 'faultline_listener_max_connections',
      help: 'Most connections a listener holds at once (its max_connections; 0: no limit).',
      labelNames: ['listener'] as const,
    }),
    refused: sharedCounter(registry, {
      name: 'faultline_listener_connections_refused_total',
      help: 'Connections closed as they arrived because a listener was at max_connections or the client at max_connections_per_client.',
      labelNames: ['listener', 'reason'] as const,
    }),
    timedOut: sharedCounter(registry, {
      name: 'faultline_listener_connections_timed_out_total',
      help: 'Connections closed because the client did not finish in time: the HTTP/2 preface (handshake) or an HTTP request (read).',
      labelNames: ['listener', 'reason'] as const,
    }),
  };
}

export const ADMIN_AUTH_FAILURES = ['missing_credentials', 'bad_credentials', 'read_only', 'cross_origin', 'missing_csrf_header'] as const;
export type AdminAuthFailure = (typeof ADMIN_AUTH_FAILURES)[number];

/** The admin endpoint's refusals (admin/auth.ts), every reason from 0; got or created, as the admin server builds it first. */
export function adminAuthFailures(registry: Registry): Counter<'reason'> {
  const created = registry.getSingleMetric('faultline_admin_auth_failures_total') === undefined;
  const counter = sharedCounter(registry, {
    name: 'faultline_admin_auth_failures_total',
    help: 'Requests the admin endpoint refused: no or wrong credentials (401), a read-only credential writing, or a cross-site write (403).',
    labelNames: ['reason'] as const,
  });
  if (created) for (const reason of ADMIN_AUTH_FAILURES) counter.inc({ reason }, 0);
  return counter;
}

function packageVersion(): string {
  try {
    // dist/src/metrics/self-metrics.js → the package root.
    const text = readFileSync(new URL('../../../package.json', import.meta.url), 'utf8');
    const version: unknown = (JSON.parse(text) as { version?: unknown }).version;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}
