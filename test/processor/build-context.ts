// An exporter's context (a processor's and more) for processor and exporter tests: a fresh registry and a manual clock, nothing listening.

import type { ExporterContext } from '../../src/component.js';
import { createGroupSignals } from '../../src/group/signals.js';
import { ManualClock } from '../../src/internal/clock.js';
import { createLogger } from '../../src/internal/logger.js';
import { createRegistry } from '../../src/metrics/registry.js';
import { createSelfMetrics } from '../../src/metrics/self-metrics.js';
import { lazySqliteStorage } from '../helpers/storage.js';

export function buildContext(clock = new ManualClock()): ExporterContext & { clock: ManualClock } {
  const registry = createRegistry({ defaultMetrics: false });
  const signals = createGroupSignals();
  return {
    registry,
    selfMetrics: createSelfMetrics(registry),
    clock,
    logger: createLogger('silent'),
    admin: { route: () => {} },
    dataDir: '/nonexistent',
    storage: lazySqliteStorage(),
    shutdownTimeoutMs: 1000,
    groupSignalsOf: () => signals,
  };
}

/** The value of `name{labels}` in the registry, 0 when the series does not exist. */
export async function metricValue(context: ExporterContext, name: string, labels: Record<string, string>): Promise<number> {
  const metric = context.registry.getSingleMetric(name);
  if (metric === undefined) return 0;
  const { values } = await metric.get();
  const found = values.find((value) => Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted));
  return found?.value ?? 0;
}
