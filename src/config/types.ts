// The validated, defaulted, frozen configuration. config/load.ts turns otel-config.yaml into
// this shape (YAML keys are snake_case; these fields are their camelCase twins) and every
// component reads only its own part. Durations are milliseconds, sizes are bytes.

import type { AlertsExporterConfig } from '../alert/config.js';

export type { AlertsExporterConfig } from '../alert/config.js';
import type { GroupProcessorConfig } from '../group/config.js';
import type { IdentityProcessorConfig } from '../processor/identity/config.js';

export type { GroupProcessorConfig } from '../group/config.js';
export type { IdentityProcessorConfig } from '../processor/identity/config.js';

export interface CorsConfig {
  /** Exact origins, or patterns with one `*` wildcard (e.g. `https://*.example.com`). Empty: CORS off. */
  readonly allowedOrigins: readonly string[];
  /** Extra request headers allowed beyond the safe-listed ones and Content-Type/Content-Encoding. */
  readonly allowedHeaders: readonly string[];
  /** Access-Control-Max-Age, seconds. Default 7200. */
  readonly maxAgeSeconds: number;
}

export interface OtlpHttpConfig {
  /** host:port. Default 0.0.0.0:4318. */
  readonly endpoint: string;
  /** Largest body accepted after decompression, bytes. Default 4 MiB. */
  readonly maxRequestBodyBytes: number;
  readonly cors: CorsConfig;
}

export interface OtlpGrpcConfig {
  /** host:port. Default 0.0.0.0:4317. */
  readonly endpoint: string;
  /** Largest message accepted after decompression, bytes. Default 4 MiB. */
  readonly maxRecvMsgSizeBytes: number;
  /** Shortest interval between client pings the server tolerates. Default 5000 (5s). */
  readonly keepaliveMinTimeMs: number;
  /** Allow pings while no call is active. Default true. */
  readonly keepalivePermitWithoutStream: boolean;
}

export interface OtlpReceiverConfig {
  readonly type: 'otlp';
  /** The component id as written in YAML, e.g. `otlp` or `otlp/edge`. */
  readonly id: string;
  /** Null when the protocol is not configured. At least one of the two is set. */
  readonly grpc: OtlpGrpcConfig | null;
  readonly http: OtlpHttpConfig | null;
}

export interface ErrorsProcessorConfig {
  readonly type: 'errors';
  readonly id: string;
  /** Log records at or above this severity number become events. Default 17 (ERROR). */
  readonly logMinSeverity: number;
  /** Log records with exception.* attributes become events at or above this. Default 1 (any). */
  readonly exceptionLogMinSeverity: number;
  /** Count exception events on spans whose status is not ERROR (marked handled). Default true. */
  readonly includeHandledExceptions: boolean;
  /** Longest stack trace kept, bytes; longer ones are cut. Default 64 KiB. */
  readonly maxStacktraceBytes: number;
  /** Longest message kept, bytes. Default 8 KiB. */
  readonly maxMessageBytes: number;
}

export interface FilterRuleConfig {
  /** The `rule` label of faultline_events_filtered_total; unique within its processor. */
  readonly name: string;
  /** Exception types, each exact or `/regex/flags`; empty: any type. */
  readonly exceptionTypes: readonly string[];
  /** A regex searched in the message; null: any message. */
  readonly message: string | null;
  /** An attribute of the span or log record; `value` is a regex searched in it, null: present at all. */
  readonly attribute: { readonly key: string; readonly value: string | null } | null;
  /** Exact service names; empty: any service. */
  readonly services: readonly string[];
  /** Empty: any level. */
  readonly levels: readonly ('debug' | 'info' | 'warning' | 'error' | 'fatal' | 'critical')[];
}

export interface FilterProcessorConfig {
  readonly type: 'filter';
  readonly id: string;
  /** An event matching every field a rule gives, of any rule, is dropped. Regexes are validated sources. */
  readonly rules: readonly FilterRuleConfig[];
}

export interface ScrubProcessorConfig {
  readonly type: 'scrub';
  readonly id: string;
  /** False: events pass untouched (a pipeline's explicit opt-out). Default true. */
  readonly enabled: boolean;
  /** Attribute keys (and keys of key=value pairs in text) whose values are secrets: `keys` + `extra_keys`. */
  readonly keys: readonly string[];
  readonly bearerTokens: boolean;
  readonly basicAuth: boolean;
  readonly jwts: boolean;
  /** AWS access key ids, GitHub/GitLab/Slack/Stripe/Google/npm/SendGrid tokens, PEM private keys. */
  readonly knownTokens: boolean;
  readonly keyValuePairs: boolean;
  readonly urlCredentials: boolean;
  readonly creditCards: boolean;
  readonly emails: boolean;
  readonly ipAddresses: boolean;
  /** User regexes (validated sources); each match becomes `[redacted]`. */
  readonly patterns: readonly string[];
  /** Most stack traces whose scrubbed form is cached. 0 turns the cache off. Default 2048. */
  readonly cacheSize: number;
}

export interface SampleProcessorConfig {
  readonly type: 'sample';
  readonly id: string;
  /** Events per group per minute whose details are stored; the rest get keepSample false. Default 10. */
  readonly samplesPerMinute: number;
  /** Groups tracked at once; past it the oldest window is forgotten. Default 10000. */
  readonly maxGroups: number;
}

export interface PrometheusExporterConfig {
  readonly type: 'prometheus';
  readonly id: string;
  /** Span kinds that feed the span timers, e.g. ['SERVER', 'CONSUMER'] (the default). */
  readonly spanKinds: readonly ('INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER' | 'UNSPECIFIED')[];
  /** Histogram buckets for faultline_span_duration_seconds, seconds, ascending. */
  readonly durationBuckets: readonly number[];
  /** Label sets per metric before new ones fold into `__overflow__`. Default 2000. */
  readonly cardinalityLimit: number;
  /** Series not updated for this long are removed. Default 15m. */
  readonly metricsExpirationMs: number;
}

export interface ReportReceiverConfig {
  readonly type: 'report';
  readonly id: string;
  /** Largest report body accepted after decompression, bytes. Default 1 MiB. */
  readonly maxRequestBodyBytes: number;
  /** When not empty, requests must carry `Authorization: Bearer <token>`. Default '' (off). */
  readonly bearerToken: string;
}

export interface GroupsExporterConfig {
  readonly type: 'groups';
  readonly id: string;
  /** Groups kept; past it the least recently seen group is evicted. Default 10000. */
  readonly maxGroups: number;
  /** Latest sample events kept per group. Default 5. */
  readonly samplesPerGroup: number;
  /** Longest message and stack trace kept per sample, bytes each. Default 8 KiB. */
  readonly maxSampleBytes: number;
  /** Releases remembered per group (most recently seen). Default 20. */
  readonly maxReleasesPerGroup: number;
  /** Environments remembered per group (first seen). Default 10. */
  readonly maxEnvironmentsPerGroup: number;
  /** How often changed groups are written to data_dir. Default 5s. */
  readonly flushIntervalMs: number;
  /** (service, group) label sets of faultline_error_group_events_total before `__overflow__`. Default 100. */
  readonly groupLabelLimit: number;
  /** Per-group series not updated for this long are removed. Default 15m. */
  readonly groupLabelExpirationMs: number;
  /** Services with their own label value in the group metrics before `__overflow__`. Default 1000. */
  readonly cardinalityLimit: number;
}

export interface AdminConfig {
  /** host:port of the admin server: /metrics, /health, /health/live, /health/ready. Default 0.0.0.0:9464. */
  readonly endpoint: string;
}

export interface PipelineConfig {
  readonly receivers: readonly string[];
  readonly processors: readonly string[];
  readonly exporters: readonly string[];
}

export interface SelfTracesConfig {
  /** OTLP/HTTP traces URL, e.g. http://collector:4318/v1/traces. Empty: self-tracing off (default). */
  readonly endpoint: string;
  /** Fraction of Faultline's own requests traced, 0–1. Default 1. */
  readonly sampleRatio: number;
}

export interface ServiceConfig {
  readonly extensions: readonly string[];
  /** One pipeline per signal; a receiver serves a signal only if that signal's pipeline lists it. */
  readonly pipelines: {
    readonly traces: PipelineConfig | null;
    readonly logs: PipelineConfig | null;
    /** Metrics are counted and dropped; its exporters may be empty. */
    readonly metrics: PipelineConfig | null;
  };
  readonly telemetry: {
    readonly logs: { readonly level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent' };
    readonly traces: SelfTracesConfig;
  };
  /** Largest number of items (spans + log records + data points) waiting in the pipeline. Default 100000. */
  readonly queueSize: number;
  /** Grace period for in-flight work at shutdown. Default 10s. */
  readonly shutdownTimeoutMs: number;
  /** Where components persist state (error groups, alert state, pending notifications). Default ./data. */
  readonly dataDir: string;
  /**
   * Where people reach the admin API (http(s), no trailing slash): the base of links such as a
   * group's `<base>/api/v1/groups/<id>`. '' (default): derived from the admin endpoint as bound.
   */
  readonly publicUrl: string;
}

// One union per component kind, discriminated by `type` (the part of the id before `/`). A new
// component type adds its config interface here and its schema in component-types.ts.
export type ReceiverConfig = OtlpReceiverConfig | ReportReceiverConfig;
export type ProcessorConfig =
  | ErrorsProcessorConfig
  | FilterProcessorConfig
  | ScrubProcessorConfig
  | SampleProcessorConfig
  | GroupProcessorConfig
  | IdentityProcessorConfig;
export type ExporterConfig = PrometheusExporterConfig | GroupsExporterConfig | AlertsExporterConfig;
export interface HealthCheckExtensionConfig {
  readonly type: 'health_check';
  readonly id: string;
}
export type ExtensionConfig = HealthCheckExtensionConfig;

export interface FaultlineConfig {
  readonly receivers: ReadonlyMap<string, ReceiverConfig>;
  readonly processors: ReadonlyMap<string, ProcessorConfig>;
  readonly exporters: ReadonlyMap<string, ExporterConfig>;
  readonly extensions: ReadonlyMap<string, ExtensionConfig>;
  readonly admin: AdminConfig;
  readonly service: ServiceConfig;
}
