// The contract every component keeps (start/shutdown), the factory each component type exports,
// and the context each kind of factory is given. src/components.ts lists the factories (the
// Collector's components list); config/validate.ts and service.ts take that table as a
// parameter, so neither they nor any component imports it. Each context holds only what its
// kind uses: a processor gets registry, clock and logger; an exporter also the admin routes and
// the data dir; a receiver its pipelines, the queue, the admin routes and the HTTP mounts.

import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { AdminRoutes } from './admin/routes.js';
import type { ComponentType, ConfigProblem } from './config/schema.js';
import type { ComponentConfig, FaultlineConfig, ServiceConfig } from './config/types.js';
import type { GroupSignals } from './group/signals.js';
import type { Clock } from './internal/clock.js';
import type { SelfMetrics } from './metrics/self-metrics.js';
import type { Signal } from './otlp/types.js';
import type { Consumer } from './pipeline/consumer.js';
import type { Storage } from './storage/storage.js';
import type { SignalRoute } from './pipeline/ingest.js';
import type { Processor, Stage } from './pipeline/processor.js';
import type { DecodePool } from './pipeline/decode-pool.js';
import type { QueueStage } from './pipeline/queue-stage.js';
import type { HttpMounts } from './receiver/http-mounts.js';

export interface Component {
  /** Acquire ports, timers and files. Rejects if the component cannot run (e.g. port in use). */
  start(): Promise<void>;
  /**
   * Stop accepting work, finish what is in flight, flush, release resources. Safe to call
   * without start() and more than once.
   */
  shutdown(): Promise<void>;
}

/** What every factory describes: its type name, its defaults and its YAML schema (all in its config.ts). */
export interface FactoryBase<C extends ComponentConfig> {
  readonly type: C['type'];
  /** The config a component of this type has when its YAML body is empty (without type and id). */
  readonly defaults: Partial<Omit<C, 'type' | 'id'>>;
  readonly schema: ComponentType<C>;
  /** Copies a service-level setting the component needs into its own part (e.g. service.public_url). */
  withService?(config: C, service: ServiceConfig): C;
  /**
   * Resolves and checks what this component names in other components (e.g. the groups exporter an
   * alerts exporter follows), once every component is decoded: the config to keep, or its problems.
   */
  link?(config: C, configured: FaultlineConfig, path: string): C | ConfigProblem[];
  /** What a valid config of this type says that is probably not meant, each with its YAML path. */
  warnings?(config: C): ConfigProblem[];
}

export interface ProcessorContext {
  readonly registry: Registry;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Register API routes on the admin endpoint (before start); the group processor's source-map upload. */
  readonly admin?: AdminRoutes;
}

/** A plain processor, or a holding stage (see pipeline/processor.ts), with its lifecycle if it has one. */
export type BuiltStage = Stage & { readonly component?: Component };

export interface BuiltProcessor {
  readonly processor: Processor;
  readonly component?: Component;
}

export interface ProcessorFactory<C extends ComponentConfig> extends FactoryBase<C> {
  /** Absent for a processor that is not a stage (`errors` configures extraction instead). */
  create?(config: C, context: ProcessorContext): BuiltStage;
}

export interface ExporterContext extends ProcessorContext {
  readonly selfMetrics: SelfMetrics;
  /** Register API routes on the admin endpoint (before start). */
  readonly admin: AdminRoutes;
  /** service.data_dir: where components keep files (and the SQLite store, by default). */
  readonly dataDir: string;
  /** service.storage, opened before any exporter starts and closed after the last shuts down. */
  readonly storage: Storage;
  /** service.shutdown_timeout: how long shutdown may take to write what is pending. */
  readonly shutdownTimeoutMs: number;
  /**
   * The new_group/regression signals of the groups exporter with this id: that exporter publishes
   * on them, an alerts exporter subscribes to the one its config names (exporters.alerts.groups).
   */
  groupSignalsOf(groupsExporterId: string): GroupSignals;
}

export interface BuiltExporter {
  readonly consumer: Consumer;
  /**
   * Why this exporter cannot take more now ('' when it can): while it says so, receivers answer
   * 503 / UNAVAILABLE with Retry-After instead of admitting data it would have to drop.
   */
  backlog?(): string;
  /** Started before the receivers, shut down after the pipeline has drained into it. */
  readonly component: Component;
  /**
   * For an exporter whose output can be held up while it runs (a Kafka broker unreachable): tells
   * `listener` the problem ('' once resolved); /health shows the exporter `degraded` meanwhile.
   */
  onStatus?(listener: (problem: string) => void): void;
}

export interface ExporterFactory<C extends ComponentConfig> extends FactoryBase<C> {
  create(config: C, context: ExporterContext): BuiltExporter;
}

export interface ReceiverContext {
  /** The pipelines that list this receiver, by signal (at least one). */
  readonly routes: { readonly [S in Signal]?: SignalRoute };
  readonly queue: QueueStage;
  /** Where large request bodies decode off the event loop; absent when service.decode_workers is 0. */
  readonly decodePool?: DecodePool;
  readonly selfMetrics: SelfMetrics;
  /** For a receiver's own metrics beyond the shared self-metrics. */
  readonly registry: Registry;
  /** Paths served on the OTLP/HTTP listeners for receivers without a listener of their own. */
  readonly httpMounts: HttpMounts;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Register API routes on the admin endpoint (before start): a receiver may serve there. */
  readonly admin: AdminRoutes;
  readonly shutdownTimeoutMs: number;
}

/** One listener of a receiver: named `<id>` or `<id>.<suffix>` in health and addresses(). */
export interface ReceiverPart {
  readonly suffix?: string;
  readonly component: Component;
  readonly address?: () => { host: string; port: number };
}

/** A socket a receiver's raw YAML body asks for, for the port-clash checks (read leniently). */
export interface Listener {
  readonly path: string;
  readonly protocol: 'grpc' | 'http';
  readonly endpoint: string;
}

export interface ReceiverFactory<C extends ComponentConfig> extends FactoryBase<C> {
  create(config: C, context: ReceiverContext): readonly ReceiverPart[];
  listeners?(body: unknown, path: string): readonly Listener[];
}

/** An extension is configured and listed in service.extensions; service.ts reads it by type. */
export type ExtensionFactory<C extends ComponentConfig> = FactoryBase<C>;

/** Every component type Faultline knows, by kind: src/components.ts builds the one in use. */
export interface ComponentTable<
  R extends ComponentConfig = ComponentConfig,
  P extends ComponentConfig = ComponentConfig,
  E extends ComponentConfig = ComponentConfig,
  X extends ComponentConfig = ComponentConfig,
> {
  readonly receivers: readonly ReceiverFactory<R>[];
  readonly processors: readonly ProcessorFactory<P>[];
  readonly exporters: readonly ExporterFactory<E>[];
  readonly extensions: readonly ExtensionFactory<X>[];
  /**
   * Stages every traces and logs pipeline runs, in this order and before its other stages: the
   * pipeline's own processor of that type when it lists one, else this default (service.ts).
   */
  readonly implicitProcessors: readonly P[];
}
