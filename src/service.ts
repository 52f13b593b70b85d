// Builds Faultline from a validated config and runs it: components start in the order the data
// flows backwards (admin and exporters first, so nothing is received before it can be counted)
// and shut down in reverse (receivers stop accepting and finish in-flight requests, the queue
// drains into the exporters, then the rest stops). Nothing here reads files or the environment:
// main.ts does, so tests can build any number of instances in one process.

import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createAdminServer, type AdminServer } from './admin/admin-server.js';
import { createHealth, type Health } from './admin/health.js';
import type { Component } from './component.js';
import { ERRORS_PROCESSOR_DEFAULTS, PROMETHEUS_EXPORTER_DEFAULTS } from './config/defaults.js';
import type { FaultlineConfig, PipelineConfig } from './config/types.js';
import { createExtractOptions } from './extract/options.js';
import { systemClock, type Clock } from './internal/clock.js';
import { createSelfTracing } from './internal/self-tracing.js';
import { createErrorMetrics, type ErrorMetrics } from './metrics/error-metrics.js';
import { createRegistry } from './metrics/registry.js';
import { createSelfMetrics } from './metrics/self-metrics.js';
import type { Signal } from './otlp/types.js';
import { fanOut, type Consumer } from './pipeline/consumer.js';
import { createIngest, type SignalRoute } from './pipeline/ingest.js';
import { createQueueStage, type QueueStage } from './pipeline/queue-stage.js';
import { createExportHandler } from './receiver/export-handler.js';
import { createGrpcReceiver } from './receiver/otlp-grpc/grpc-receiver.js';
import { createHttpReceiver } from './receiver/otlp-http/http-receiver.js';

const SIGNALS: readonly Signal[] = ['traces', 'logs', 'metrics'];

export interface Faultline extends Component {
  readonly registry: Registry;
  readonly health: Health;
  /** Bound addresses by name (`admin`, `otlp.grpc`, `otlp/edge.http`…), useful with port 0. */
  addresses(): Record<string, { host: string; port: number }>;
}

interface NamedComponent {
  readonly name: string;
  readonly component: Component;
}

export function createFaultline(config: FaultlineConfig, options: { logger: Logger; clock?: Clock }): Faultline {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  const registry = createRegistry();
  const selfMetrics = createSelfMetrics(registry);
  const health = createHealth();
  const errorsOf = (batchError: unknown) => logger.error({ err: batchError }, 'a pipeline consumer failed');

  const queue = createQueueStage({
    capacity: config.service.queueSize,
    onDepthChange: (depth) => selfMetrics.queueItems.set(depth),
  });
  selfMetrics.queueCapacity.set(config.service.queueSize);

  // Exporters: one ErrorMetrics per prometheus exporter that some pipeline uses.
  const exporters = new Map<string, ErrorMetrics>();
  const exporterOf = (id: string): ErrorMetrics => {
    let metrics = exporters.get(id);
    if (metrics === undefined) {
      const exporterConfig = config.exporters.get(id);
      if (exporterConfig === undefined) throw new Error(`exporter ${id} is not configured`);
      metrics = createErrorMetrics({
        registry,
        config: exporterConfig,
        clock,
        overflowCounter: selfMetrics.cardinalityOverflow,
        expiredCounter: selfMetrics.seriesExpired,
      });
      exporters.set(id, metrics);
    }
    return metrics;
  };

  function routeOf(pipeline: PipelineConfig): SignalRoute {
    const processor = pipeline.processors.map((id) => config.processors.get(id)).find((p) => p !== undefined);
    const firstExporter = pipeline.exporters.map((id) => config.exporters.get(id)).find((e) => e !== undefined);
    const consumers: Consumer[] = pipeline.exporters.map((id) => {
      const metrics = exporterOf(id);
      return { consume: (batch) => metrics.record(batch) };
    });
    return {
      options: createExtractOptions(
        processor ?? { id: 'errors', ...ERRORS_PROCESSOR_DEFAULTS },
        firstExporter ?? PROMETHEUS_EXPORTER_DEFAULTS,
      ),
      consumer: fanOut(consumers, errorsOf),
    };
  }

  const receivers: NamedComponent[] = [];
  const addressOf = new Map<string, () => { host: string; port: number }>();
  for (const [id, receiverConfig] of config.receivers) {
    const routes: { [S in Signal]?: SignalRoute } = {};
    for (const signal of SIGNALS) {
      const pipeline = config.service.pipelines[signal];
      if (pipeline !== null && pipeline.receivers.includes(id)) routes[signal] = routeOf(pipeline);
    }
    if (Object.keys(routes).length === 0) continue;
    const ingest = createIngest({ routes, queue });
    const common = { logger: logger.child({ receiver: id }), shutdownTimeoutMs: config.service.shutdownTimeoutMs };
    if (receiverConfig.grpc !== null) {
      const handler = createExportHandler({ receiver: id, transport: 'grpc', ingest, selfMetrics, logger });
      const grpc = createGrpcReceiver({ ...common, config: receiverConfig.grpc, handler });
      receivers.push({ name: `${id}.grpc`, component: grpc });
      addressOf.set(`${id}.grpc`, () => grpc.address());
    }
    if (receiverConfig.http !== null) {
      const handler = createExportHandler({ receiver: id, transport: 'http', ingest, selfMetrics, logger });
      const http = createHttpReceiver({ ...common, config: receiverConfig.http, handler });
      receivers.push({ name: `${id}.http`, component: http });
      addressOf.set(`${id}.http`, () => http.address());
    }
  }

  const admin: AdminServer = createAdminServer({ endpoint: config.admin.endpoint, registry, health, logger });
  addressOf.set('admin', () => admin.address());
  const sweeper = createSweeper(exporters, config);
  const components: NamedComponent[] = [
    { name: 'admin', component: admin },
    { name: 'self_tracing', component: createSelfTracing(config.service.telemetry.traces) },
    { name: 'metrics_expiry', component: sweeper },
    { name: 'pipeline', component: drainOnShutdown(queue) },
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
        health.set(entry.name, 'ok');
      }
    },
    async shutdown() {
      const stopping = started.reverse();
      started = [];
      for (const { name } of stopping) health.set(name, 'stopping');
      for (const { name, component } of stopping) {
        try {
          await component.shutdown();
          health.set(name, 'stopped');
        } catch (error) {
          logger.error({ err: error, component: name }, 'component failed to shut down');
        }
      }
    },
  };
}

/** Removes expired series on a timer: every quarter of the shortest expiry, at most once a minute. */
function createSweeper(exporters: ReadonlyMap<string, ErrorMetrics>, config: FaultlineConfig): Component {
  let timer: NodeJS.Timeout | undefined;
  const shortest = Math.min(...[...config.exporters.values()].map((e) => e.metricsExpirationMs), 240_000);
  return {
    async start() {
      timer = setInterval(() => exporters.forEach((metrics) => metrics.sweep()), Math.max(1000, Math.min(shortest / 4, 60_000)));
      timer.unref();
    },
    async shutdown() {
      clearInterval(timer);
    },
  };
}

/** At shutdown, after the receivers have stopped: hand every queued batch to the exporters. */
function drainOnShutdown(queue: QueueStage): Component {
  return { start: async () => {}, shutdown: () => queue.drain() };
}
