// Every default of otel-config.yaml, in one place, in the units of FaultlineConfig (ms, bytes).
// validate.ts fills absent keys from here; docs/config.md lists the same values.

import type {
  AdminConfig,
  CorsConfig,
  ErrorsProcessorConfig,
  OtlpGrpcConfig,
  OtlpHttpConfig,
  PrometheusExporterConfig,
  SelfTracesConfig,
  ServiceConfig,
} from './types.js';

const MiB = 1024 * 1024;

export const OTLP_GRPC_DEFAULTS: OtlpGrpcConfig = {
  endpoint: '0.0.0.0:4317',
  maxRecvMsgSizeBytes: 4 * MiB,
  keepaliveMinTimeMs: 5_000,
  keepalivePermitWithoutStream: true,
};

export const CORS_DEFAULTS: CorsConfig = {
  allowedOrigins: [],
  allowedHeaders: [],
  maxAgeSeconds: 7200,
};

export const OTLP_HTTP_DEFAULTS: OtlpHttpConfig = {
  endpoint: '0.0.0.0:4318',
  maxRequestBodyBytes: 4 * MiB,
  cors: CORS_DEFAULTS,
};

export const ERRORS_PROCESSOR_DEFAULTS: Omit<ErrorsProcessorConfig, 'id' | 'type'> = {
  logMinSeverity: 17,
  exceptionLogMinSeverity: 1,
  includeHandledExceptions: true,
  maxStacktraceBytes: 64 * 1024,
  maxMessageBytes: 8 * 1024,
};

export const PROMETHEUS_EXPORTER_DEFAULTS: Omit<PrometheusExporterConfig, 'id' | 'type'> = {
  spanKinds: ['SERVER', 'CONSUMER'],
  durationBuckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  cardinalityLimit: 2000,
  metricsExpirationMs: 15 * 60_000,
};

export const ADMIN_DEFAULTS: AdminConfig = { endpoint: '0.0.0.0:9464' };

export const SELF_TRACES_DEFAULTS: SelfTracesConfig = { endpoint: '', sampleRatio: 1 };

export const SERVICE_DEFAULTS: Pick<ServiceConfig, 'queueSize' | 'shutdownTimeoutMs' | 'dataDir' | 'publicUrl'> & {
  readonly logLevel: ServiceConfig['telemetry']['logs']['level'];
} = {
  queueSize: 100_000,
  shutdownTimeoutMs: 10_000,
  dataDir: './data',
  publicUrl: '',
  logLevel: 'info',
};
