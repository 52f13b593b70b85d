// The schema of each component type, by kind. A new component type writes its schema (in its own
// folder when it is large) and registers it here under its type name; validate.ts walks these
// registries, and knownKeyPaths() (so docs/config.md's test) sees every key they declare.

import {
  CORS_DEFAULTS,
  ERRORS_PROCESSOR_DEFAULTS,
  OTLP_GRPC_DEFAULTS,
  OTLP_HTTP_DEFAULTS,
  PROMETHEUS_EXPORTER_DEFAULTS,
} from './defaults.js';
import { alertsExporterSchema } from '../alert/config.js';
import { groupProcessorType } from '../group/config.js';
import { identityProcessorType } from '../processor/identity/config.js';
import { groupsExporterType } from '../group/store/config.js';
import { reportReceiverType } from '../receiver/report-http/config.js';
import { filterProcessorType } from '../processor/filter/config.js';
import { sampleProcessorType } from '../processor/sample/config.js';
import { scrubProcessorType } from '../processor/scrub/config.js';
import { list, map, object, optional, withDefault, type Type } from './schema.js';
import type {
  ErrorsProcessorConfig,
  ExporterConfig,
  ExtensionConfig,
  OtlpGrpcConfig,
  OtlpHttpConfig,
  OtlpReceiverConfig,
  PrometheusExporterConfig,
  ProcessorConfig,
  ReceiverConfig,
} from './types.js';
import {
  boolean,
  corsOrigin,
  duration,
  endpoint,
  headerName,
  integer,
  number,
  oneOf,
  severity,
  size,
} from './value-types.js';

/** A component's schema: decodes its YAML body into a function from its id to its config. */
export type ComponentType<T> = Type<(id: string) => T>;

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
    (id: string): OtlpReceiverConfig => ({ type: 'otlp', id, grpc: d.protocols.grpc, http: d.protocols.http }),
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
      type: 'errors',
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
      type: 'prometheus',
      id,
      spanKinds: [...new Set(d.span_kinds)],
      durationBuckets: d.duration_buckets,
      cardinalityLimit: d.cardinality_limit,
      metricsExpirationMs: d.metrics_expiration,
    }),
);

const healthCheckExtension = map(object({}), () => (id: string): ExtensionConfig => ({ type: 'health_check', id }));

export const RECEIVER_TYPES: Readonly<Record<string, ComponentType<ReceiverConfig>>> = {
  otlp: otlpReceiver,
  report: reportReceiverType,
};

export const PROCESSOR_TYPES: Readonly<Record<string, ComponentType<ProcessorConfig>>> = {
  errors: errorsProcessor,
  filter: filterProcessorType,
  scrub: scrubProcessorType,
  sample: sampleProcessorType,
  group: groupProcessorType,
  identity: identityProcessorType,
};

export const EXPORTER_TYPES: Readonly<Record<string, ComponentType<ExporterConfig>>> = {
  prometheus: prometheusExporter,
  groups: groupsExporterType,
  alerts: alertsExporterSchema,
};

export const EXTENSION_TYPES: Readonly<Record<string, ComponentType<ExtensionConfig>>> = {
  health_check: healthCheckExtension,
};
