// The schema of otel-config.yaml, one declarative block per section, and the walk that turns the
// parsed (env-substituted) YAML tree into a FaultlineConfig. Every problem is collected with its
// YAML path; the config is returned only when there are none. Rules spanning sections (pipeline
// references, port clashes, the self-tracing loop) live in cross-checks.ts.

import { crossCheck } from './cross-checks.js';
import {
  ADMIN_DEFAULTS,
  CORS_DEFAULTS,
  ERRORS_PROCESSOR_DEFAULTS,
  OTLP_GRPC_DEFAULTS,
  OTLP_HTTP_DEFAULTS,
  PROMETHEUS_EXPORTER_DEFAULTS,
  SELF_TRACES_DEFAULTS,
  SERVICE_DEFAULTS,
} from './defaults.js';
import { deepFreeze } from './freeze.js';
import {
  components,
  INVALID,
  list,
  map,
  object,
  optional,
  withDefault,
  type ConfigProblem,
  type Type,
} from './schema.js';
import type {
  ErrorsProcessorConfig,
  FaultlineConfig,
  OtlpGrpcConfig,
  OtlpHttpConfig,
  OtlpReceiverConfig,
  PipelineConfig,
  PrometheusExporterConfig,
} from './types.js';
import {
  boolean,
  componentId,
  corsOrigin,
  duration,
  endpoint,
  headerName,
  integer,
  number,
  oneOf,
  severity,
  size,
  tracesUrl,
} from './value-types.js';

const MiB = 1024 * 1024;

const grpc: Type<OtlpGrpcConfig> = map(
  object({
    endpoint: withDefault(endpoint, OTLP_GRPC_DEFAULTS.endpoint),
    max_recv_msg_size_mib: withDefault(
      number({ min: 0, exclusiveMin: true }),
      OTLP_GRPC_DEFAULTS.maxRecvMsgSizeBytes / MiB,
    ),
    keepalive: object({
      enforcement_policy: object({
        min_time: withDefault(duration, OTLP_GRPC_DEFAULTS.keepaliveMinTimeMs),
        permit_without_stream: withDefault(boolean, OTLP_GRPC_DEFAULTS.keepalivePermitWithoutStream),
      }),
    }),
  }),
  (d) => ({
    endpoint: d.endpoint,
    maxRecvMsgSizeBytes: Math.round(d.max_recv_msg_size_mib * MiB),
    keepaliveMinTimeMs: d.keepalive.enforcement_policy.min_time,
    keepalivePermitWithoutStream: d.keepalive.enforcement_policy.permit_without_stream,
  }),
);

const http: Type<OtlpHttpConfig> = map(
  object({
    endpoint: withDefault(endpoint, OTLP_HTTP_DEFAULTS.endpoint),
    max_request_body_size: withDefault(size, OTLP_HTTP_DEFAULTS.maxRequestBodyBytes),
    cors: object({
      allowed_origins: withDefault(list(corsOrigin), CORS_DEFAULTS.allowedOrigins),
      allowed_headers: withDefault(list(headerName), CORS_DEFAULTS.allowedHeaders),
      max_age: withDefault(integer(0), CORS_DEFAULTS.maxAgeSeconds),
    }),
  }),
  (d) => ({
    endpoint: d.endpoint,
    maxRequestBodyBytes: d.max_request_body_size,
    cors: {
      allowedOrigins: d.cors.allowed_origins,
      allowedHeaders: d.cors.allowed_headers,
      maxAgeSeconds: d.cors.max_age,
    },
  }),
);

const otlpReceiver = map(
  object({
    protocols: object({ grpc: optional(grpc), http: optional(http) }, (d, path, problems) => {
      if (d.grpc === null && d.http === null) problems.push({ path, message: 'expected at least one of grpc, http' });
    }),
  }),
  (d) =>
    (id: string): OtlpReceiverConfig => ({ id, grpc: d.protocols.grpc, http: d.protocols.http }),
);

const errorsProcessor = map(
  object({
    log_min_severity: withDefault(severity, ERRORS_PROCESSOR_DEFAULTS.logMinSeverity),
    exception_log_min_severity: withDefault(severity, ERRORS_PROCESSOR_DEFAULTS.exceptionLogMinSeverity),
    include_handled_exceptions: withDefault(boolean, ERRORS_PROCESSOR_DEFAULTS.includeHandledExceptions),
    max_stacktrace_bytes: withDefault(size, ERRORS_PROCESSOR_DEFAULTS.maxStacktraceBytes),
    max_message_bytes: withDefault(size, ERRORS_PROCESSOR_DEFAULTS.maxMessageBytes),
  }),
  (d) =>
    (id: string): ErrorsProcessorConfig => ({
      id,
      logMinSeverity: d.log_min_severity,
      exceptionLogMinSeverity: d.exception_log_min_severity,
      includeHandledExceptions: d.include_handled_exceptions,
      maxStacktraceBytes: d.max_stacktrace_bytes,
      maxMessageBytes: d.max_message_bytes,
    }),
);

const SPAN_KINDS = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER', 'UNSPECIFIED'] as const;

const durationBuckets = list(number({ min: 0, exclusiveMin: true }), (buckets, path, problems) => {
  if (buckets.length === 0) problems.push({ path, message: 'expected at least one bucket' });
  for (let i = 1; i < buckets.length; i++) {
    if (buckets[i] <= buckets[i - 1]) {
      problems.push({
        path: `${path}[${i}]`,
        message: `expected buckets in strictly ascending order; ${buckets[i]} follows ${buckets[i - 1]}`,
      });
    }
  }
});

const prometheusExporter = map(
  object({
    span_kinds: withDefault(list(oneOf(SPAN_KINDS, 'SPAN_KIND_')), PROMETHEUS_EXPORTER_DEFAULTS.spanKinds),
    duration_buckets: withDefault(durationBuckets, PROMETHEUS_EXPORTER_DEFAULTS.durationBuckets),
    cardinality_limit: withDefault(integer(1), PROMETHEUS_EXPORTER_DEFAULTS.cardinalityLimit),
    metrics_expiration: withDefault(duration, PROMETHEUS_EXPORTER_DEFAULTS.metricsExpirationMs),
  }),
  (d) =>
    (id: string): PrometheusExporterConfig => ({
      id,
      spanKinds: [...new Set(d.span_kinds)],
      durationBuckets: d.duration_buckets,
      cardinalityLimit: d.cardinality_limit,
      metricsExpirationMs: d.metrics_expiration,
    }),
);

const healthCheckExtension = map(object({}), () => (id: string) => ({ id }));

const ids = withDefault(
  list(componentId, (items, path, problems) => {
    items.forEach((id, index) => {
      if (items.indexOf(id) !== index) problems.push({ path: `${path}[${index}]`, message: `"${id}" is listed twice` });
    });
  }),
  [],
);

const pipeline: Type<PipelineConfig> = object({ receivers: ids, processors: ids, exporters: ids });

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

const service = object({
  extensions: ids,
  pipelines: object({ traces: optional(pipeline), logs: optional(pipeline), metrics: optional(pipeline) }),
  queue_size: withDefault(integer(1), SERVICE_DEFAULTS.queueSize),
  shutdown_timeout: withDefault(duration, SERVICE_DEFAULTS.shutdownTimeoutMs),
  telemetry: object({
    logs: object({ level: withDefault(oneOf(LOG_LEVELS), SERVICE_DEFAULTS.logLevel) }),
    metrics: object({ address: withDefault(endpoint, ADMIN_DEFAULTS.endpoint) }),
    traces: object({
      endpoint: withDefault(tracesUrl, SELF_TRACES_DEFAULTS.endpoint),
      sample_ratio: withDefault(number({ min: 0, max: 1 }), SELF_TRACES_DEFAULTS.sampleRatio),
    }),
  }),
});

const root = object({
  receivers: components('receiver', { otlp: otlpReceiver }),
  processors: components('processor', { errors: errorsProcessor }),
  exporters: components('exporter', { prometheus: prometheusExporter }),
  extensions: components('extension', { health_check: healthCheckExtension }),
  service,
});

/** Every key path the schema knows, components by type (`receivers.otlp.protocols.http.endpoint`). */
export function knownKeyPaths(): readonly string[] {
  return root.keyPaths('');
}

export type ValidationResult =
  | { readonly ok: true; readonly config: FaultlineConfig }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/** Validates a parsed YAML tree (null for an empty file), fills defaults and deep-freezes the result. */
export function validateConfig(tree: unknown): ValidationResult {
  const problems: ConfigProblem[] = [];
  const decoded = root.decode(tree ?? {}, '', problems);
  crossCheck(tree, problems);
  if (decoded === INVALID || problems.length > 0) return { ok: false, problems };
  const { telemetry, pipelines } = decoded.service;
  const config: FaultlineConfig = {
    receivers: decoded.receivers,
    processors: decoded.processors,
    exporters: decoded.exporters,
    extensions: decoded.extensions,
    admin: { endpoint: telemetry.metrics.address },
    service: {
      extensions: decoded.service.extensions,
      pipelines,
      telemetry: {
        logs: { level: telemetry.logs.level },
        traces: { endpoint: telemetry.traces.endpoint, sampleRatio: telemetry.traces.sample_ratio },
      },
      queueSize: decoded.service.queue_size,
      shutdownTimeoutMs: decoded.service.shutdown_timeout,
    },
  };
  return { ok: true, config: deepFreeze(config) };
}
