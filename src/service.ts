// Builds Faultline from a validated config and runs it: components start in the order the data
// flows backwards (admin and exporters first, so nothing is received before it can be counted)
// and shut down in reverse (receivers stop accepting and finish in-flight requests, the queue
// drains into the exporters, then the rest stops). Nothing here reads files or the environment:
// main.ts does, so tests can build any number of instances in one process.

import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createAdminServer, type AdminServer } from './admin/admin-server.js';
import { createHealth, type Health } from './admin/health.js';
import { registerStatusApi, type ComponentSummary } from './admin/status-api.js';
import type {
  BuiltExporter,
  BuiltStage,
  Component,
  ComponentTable,
  ExporterContext,
  ProcessorContext,
} from './component.js';
import type { ComponentConfig, FaultlineConfig, PipelineConfig } from './config/types.js';
import { createExtractOptions } from './extract/options.js';
import { createGroupSignals, type GroupSignals } from './group/signals.js';
import { systemClock, type Clock } from './internal/clock.js';
import { createSelfTracing } from './internal/self-tracing.js';
import { createRegistry } from './metrics/registry.js';
import { createSelfMetrics } from './metrics/self-metrics.js';
import type { Signal } from './otlp/types.js';
import { countStageFailures, fanOut } from './pipeline/consumer.js';
import type { SignalRoute } from './pipeline/ingest.js';
import { chainStages } from './pipeline/processor.js';
import { createDecodePool } from './pipeline/decode-pool.js';
import { createQueueStage, type QueueStage } from './pipeline/queue-stage.js';
import { createHttpMounts } from './receiver/http-mounts.js';
import { ERRORS_PROCESSOR_DEFAULTS, type ErrorsProcessorConfig } from './processor/errors/config.js';
import { createStorageComponent } from './storage/storage-component.js';
import { registerUi } from './ui/ui-routes.js';

const SIGNALS: readonly Signal[] = ['traces', 'logs', 'metrics'];

export interface Faultline {
  /** Starts every component in order; rejects (after shutting down what started) if one cannot start. */
  start(): Promise<void>;
  /** Stops every started component in reverse order; `failed` names those whose shutdown failed (e.g. a final write). */
  shutdown(): Promise<{ readonly failed: readonly string[] }>;
  readonly registry: Registry;
  readonly health: Health;
  /** Bound addresses by name (`admin`, `otlp.grpc`, `otlp/edge.http`…), useful with port 0. */
  addresses(): Record<string, { host: string; port: number }>;
}

interface NamedComponent {
  readonly name: string;
  readonly component: Component;
}

/** Builds Faultline from a config validated with `table`, building each component with its factory there. */
export function createFaultline<R extends ComponentConfig, P extends ComponentConfig, E extends ComponentConfig, X extends ComponentConfig>(
  config: FaultlineConfig<R, P, E, X>,
  table: ComponentTable<R, P, E, X>,
  options: { logger: Logger; clock?: Clock },
): Faultline {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  const registry = createRegistry();
  const selfMetrics = createSelfMetrics(registry);
  const health = createHealth();
  // Like the Collector, an extension runs only when service.extensions lists it.
  const healthCheck = config.service.extensions.some((id) => config.extensions.get(id)?.type === 'health_check');
  const admin: AdminServer = createAdminServer({
    endpoint: config.admin.endpoint,
    limits: config.admin.limits,
    auth: config.admin.auth,
    publicUrl: config.service.publicUrl,
    registry,
    health: healthCheck ? health : undefined,
    logger,
  });
  // One signal bus per groups exporter id: it publishes there, the alerts exporters that name it listen.
  const groupSignals = new Map<string, GroupSignals>();
  const processorContext: ProcessorContext = { registry, clock, logger, admin };
  const storage = createStorageComponent({ config: config.service.storage, dataDir: config.service.dataDir, registry, logger, now: () => clock.now() });
  storage.onStatus((problem) => health.set('storage', problem === '' ? 'ok' : 'failed', problem === '' ? undefined : problem));
  // The storage is opened only when a component asks for it: an instance without a groups exporter needs no database.
  let storageUsed = false;
  const exporterContext: ExporterContext = {
    ...processorContext,
    selfMetrics,
    admin,
    dataDir: config.service.dataDir,
    get storage() {
      storageUsed = true;
      return storage.storage;
    },
    shutdownTimeoutMs: config.service.shutdownTimeoutMs,
    groupSignalsOf: (groupsExporterId) => memo(groupSignals, groupsExporterId, createGroupSignals),
  };
  const onStageFailure = countStageFailures(selfMetrics.pipelineFailures, logger);

  // Each exporter and processor is built once, however many pipelines list it.
  const exporters = new Map<string, BuiltExporter>();
  const queue = createQueueStage({
    capacity: config.service.queueSize,
    capacityBytes: config.service.queueBytes,
    onFailure: onStageFailure,
    onDepthChange: (depth, bytes, readingBytes) => {
      selfMetrics.queueItems.set(depth);
      selfMetrics.queueBytes.set(bytes);
      selfMetrics.readingBytes.set(readingBytes);
    },
    backlog: () => {
      for (const exporter of exporters.values()) {
        const behind = exporter.backlog?.() ?? '';
        if (behind !== '') return behind;
      }
      return '';
    },
  });
  selfMetrics.queueCapacity.set(config.service.queueSize);
  selfMetrics.queueCapacityBytes.set(config.service.queueBytes);
  selfMetrics.readingBytes.set(0);
  selfMetrics.pipelineFailures.inc({ stage: 'queue' }, 0);
  const decodePool =
    config.service.decodeWorkers === 0
      ? undefined
      : createDecodePool({
          workers: config.service.decodeWorkers,
          onChange: (running, waiting) => {
            selfMetrics.decodeJobs.set({ state: 'running' }, running);
            selfMetrics.decodeJobs.set({ state: 'waiting' }, waiting);
          },
        });
  selfMetrics.decodeJobs.set({ state: 'running' }, 0);
  selfMetrics.decodeJobs.set({ state: 'waiting' }, 0);

  const processors = new Map<string, BuiltStage>();
  const exporterOf = (id: string) =>
    memo(exporters, id, () => {
      const exporterConfig = config.exporters.get(id)!;
      const built = factoryOf(table.exporters, exporterConfig).create(exporterConfig, exporterContext);
      // An exporter held up while running is degraded, not failed; starting and stopping states win.
      built.onStatus?.((problem) => {
        const name = `exporter.${id}`;
        const state = health.state(name);
        if (state === 'ok' || state === 'degraded' || state === 'starting') health.set(name, problem === '' ? (state === 'starting' ? 'starting' : 'ok') : 'degraded', problem === '' ? undefined : problem);
      });
      return built;
    });
  const processorOf = (processorConfig: P) =>
    memo(processors, processorConfig.id, () => {
      const { create } = factoryOf(table.processors, processorConfig);
      if (create === undefined) throw new Error(`processor type "${processorConfig.type}" is not a stage`);
      return create(processorConfig, processorContext);
    });
  // Failures are counted under the names health gives the components; each series starts at 0.
  const stageName = (kind: 'processor' | 'exporter', id: string) => {
    const name = `${kind}.${id}`;
    selfMetrics.pipelineFailures.inc({ stage: name }, 0);
    return name;
  };

  function routeOf(pipeline: PipelineConfig, signal: Signal): SignalRoute {
    const listed = pipeline.processors.map((id) => config.processors.get(id)!);
    const extraction = (listed.find((p) => p.type === 'errors') as ErrorsProcessorConfig | undefined) ?? ERRORS_PROCESSOR_DEFAULTS;
    const stages = signal === 'metrics' ? [] : stagesOf(listed, table);
    const exporting = fanOut(
      pipeline.exporters.map((id) => ({ name: stageName('exporter', id), consumer: exporterOf(id).consumer })),
      onStageFailure,
    );
    const options = createExtractOptions(extraction);
    const named = stages.map((stage) => ({ ...processorOf(stage), name: stageName('processor', stage.id) }));
    const lane = { includeHandledExceptions: options.includeHandledExceptions };
    return { options, consumer: chainStages(named, exporting, lane, onStageFailure) };
  }

  const receivers: NamedComponent[] = [];
  const httpMounts = createHttpMounts();
  const addressOf = new Map<string, () => { host: string; port: number }>([['admin', () => admin.address()]]);
  for (const [id, receiverConfig] of config.receivers) {
    const routes: { [S in Signal]?: SignalRoute } = {};
    for (const signal of SIGNALS) {
      const pipeline = config.service.pipelines[signal];
      if (pipeline !== null && pipeline.receivers.includes(id)) routes[signal] = routeOf(pipeline, signal);
    }
    if (Object.keys(routes).length === 0) continue;
    const factory = factoryOf(table.receivers, receiverConfig);
    const receiverContext = {
      routes,
      queue,
      ...(decodePool === undefined ? {} : { decodePool }),
      selfMetrics,
      registry,
      httpMounts,
      clock,
      logger,
      admin,
      shutdownTimeoutMs: config.service.shutdownTimeoutMs,
    };
    for (const part of factory.create(receiverConfig, receiverContext)) {
      const name = part.suffix === undefined ? id : `${id}.${part.suffix}`;
      receivers.push({ name, component: part.component });
      if (part.address !== undefined) addressOf.set(name, part.address);
    }
  }

  registerUi(admin, { traceUrl: config.service.traceUrl });
  registerStatusApi(admin, {
    health,
    startedAtMs: clock.now(),
    now: () => clock.now(),
    queue: () => ({ depth: queue.depth, capacity: queue.capacity }),
    storage: () => (storageUsed ? storage.storage : undefined),
    config: {
      receivers: summaries(config.receivers),
      processors: summaries(config.processors),
      exporters: summaries(config.exporters),
      extensions: summaries(config.extensions),
      pipelines: Object.fromEntries(SIGNALS.flatMap((signal) => (config.service.pipelines[signal] === null ? [] : [[signal, config.service.pipelines[signal]!]]))),
    },
  });

  const components: NamedComponent[] = [
    { name: 'admin', component: admin },
    { name: 'self_tracing', component: createSelfTracing(config.service.telemetry.traces) },
    ...(storageUsed ? [{ name: 'storage', component: storage.component }] : []),
    ...[...exporters].map(([id, built]) => ({ name: `exporter.${id}`, component: built.component })),
    ...[...processors]
      .filter(([, built]) => built.component !== undefined)
      .map(([id, built]) => ({ name: `processor.${id}`, component: built.component! })),
    { name: 'pipeline', component: drainOnShutdown(queue) },
    // Stopped after the receivers and before the queue drains: the decodes in flight queue their batches first.
    ...(decodePool === undefined ? [] : [{ name: 'decode_pool', component: decodePool }]),
    ...receivers,
  ];
  for (const { name } of components) health.set(name, 'starting');

  let started: NamedComponent[] = [];
  return {
    registry,
    health,
    addresses: () => Object.fromEntries([...addressOf].map(([name, address]) => [name, address()])),
    async start() {
      for (const entry of components) {
        try {
          await entry.component.start();
        } catch (error) {
          health.set(entry.name, 'failed', (error as Error).message);
          await this.shutdown();
          throw error;
        }
        started.push(entry);
        // A component that reported its own state while starting (storage waiting for its database) keeps it.
        if (health.state(entry.name) === 'starting') health.set(entry.name, 'ok');
      }
    },
    async shutdown() {
      const stopping = started.reverse();
      started = [];
      const failed: string[] = [];
      for (const { name } of stopping) health.set(name, 'stopping');
      for (const { name, component } of stopping) {
        try {
          await component.shutdown();
          health.set(name, 'stopped');
        } catch (error) {
          failed.push(name);
          health.set(name, 'failed', (error as Error).message);
          logger.error({ err: error, component: name }, 'component failed to shut down');
        }
      }
      return { failed };
    },
  };
}

function factoryOf<F extends { readonly type: string }>(factories: readonly F[], config: ComponentConfig): F {
  const factory = factories.find((candidate) => candidate.type === config.type);
  if (factory === undefined) throw new Error(`no factory for component type "${config.type}" (${config.id})`);
  return factory;
}

/**
 * The stages a traces or logs pipeline runs: first one of each implicit type (scrub, then group),
 * the pipeline's own when it lists one, else the default; then the other listed stages in order.
 * So a listed scrub still runs before grouping, and nothing unscrubbed is ever fingerprinted.
 */
function stagesOf<P extends ComponentConfig>(listed: readonly P[], table: ComponentTable<ComponentConfig, P>): P[] {
  const implicit = table.implicitProcessors;
  const implicitTypes = new Set(implicit.map((stage) => stage.type));
  const first = implicit.map((stage) => listed.find((p) => p.type === stage.type) ?? stage);
  const isStage = (p: P) => factoryOf(table.processors, p).create !== undefined;
  return [...first, ...listed.filter((p) => isStage(p) && !implicitTypes.has(p.type))];
}

function summaries(components: ReadonlyMap<string, ComponentConfig>): ComponentSummary[] {
  return [...components.values()].map(({ id, type }) => ({ id, type }));
}

function memo<V>(cache: Map<string, V>, key: string, build: () => V): V {
  let value = cache.get(key);
  if (value === undefined) {
    value = build();
    cache.set(key, value);
  }
  return value;
}

/** At shutdown, after the receivers have stopped: hand every queued batch to the exporters. */
function drainOnShutdown(queue: QueueStage): Component {
  return { start: async () => {}, shutdown: () => queue.drain() };
}
