// The validated, defaulted, frozen configuration. config/load.ts turns otel-config.yaml into
// this shape (YAML keys are snake_case; these fields are their camelCase twins) and every
// component reads only its own part. Durations are milliseconds, sizes are bytes. The shape of
// each component's part lives in its own folder's config.ts; src/components.ts names them all.

import type { AdminAuthConfig } from './admin-auth.js';
import type { HttpServerLimits } from './listener-limits.js';
import type { StorageConfig } from './storage.js';

/** What every component's config has: its type (the part of the id before `/`) and its id. */
export interface ComponentConfig {
  readonly type: string;
  /** The component id as written in YAML, e.g. `otlp` or `otlp/edge`. */
  readonly id: string;
}

export interface AdminConfig {
  /** host:port of the admin server: /metrics, /health, /health/live, /health/ready. */
  readonly endpoint: string;
  /** Connections, read timeouts and keep-alive (service.telemetry.metrics.*). */
  readonly limits: HttpServerLimits;
  /** Who may use it (service.telemetry.metrics.auth); no credentials: open. */
  readonly auth: AdminAuthConfig;
}

export interface PipelineConfig {
  readonly receivers: readonly string[];
  readonly processors: readonly string[];
  readonly exporters: readonly string[];
}

export interface SelfTracesConfig {
  /** OTLP/HTTP traces URL, e.g. http://collector:4318/v1/traces. Empty: self-tracing off (default). */
  readonly endpoint: string;
  /** Fraction of Faultline's own requests traced, 0–1. */
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
  /** Largest number of items (spans + log records + data points) waiting in the pipeline. */
  readonly queueSize: number;
  /** Largest estimated memory (bytes) of what waits in the pipeline queue. */
  readonly queueBytes: number;
  /** Worker threads that decode large request bodies off the event loop; 0: all decode on the loop. */
  readonly decodeWorkers: number;
  /** Grace period for in-flight work at shutdown. */
  readonly shutdownTimeoutMs: number;
  /** Where components keep files: the SQLite store by default, alert state, pending notifications. */
  readonly dataDir: string;
  /** Where error groups and samples are kept: SQLite (default) or PostgreSQL. */
  readonly storage: StorageConfig;
  /**
   * Where people reach the admin API (http(s), no trailing slash): the base of links such as a
   * group's `<base>/api/v1/groups/<id>`. '' (default): derived from the admin endpoint as bound.
   */
  readonly publicUrl: string;
  /** The web UI's link to a trace viewer, `{trace_id}` replaced by the id; '' for none. */
  readonly traceUrl: string;
}

/** The whole config; its component parts are typed by the component table it was validated with. */
export interface FaultlineConfig<
  R extends ComponentConfig = ComponentConfig,
  P extends ComponentConfig = ComponentConfig,
  E extends ComponentConfig = ComponentConfig,
  X extends ComponentConfig = ComponentConfig,
> {
  readonly receivers: ReadonlyMap<string, R>;
  readonly processors: ReadonlyMap<string, P>;
  readonly exporters: ReadonlyMap<string, E>;
  readonly extensions: ReadonlyMap<string, X>;
  readonly admin: AdminConfig;
  readonly service: ServiceConfig;
}
