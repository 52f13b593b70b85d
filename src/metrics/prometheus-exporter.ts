// The `prometheus` exporter: error and span metrics in the instance's registry, served on the
// admin endpoint's /metrics. Its component runs the expiry sweep: every quarter of
// metrics_expiration (at least every second, at most every minute) series not updated for
// metrics_expiration are removed.

import type { Component } from '../component.js';
import type { PrometheusExporterConfig } from './config.js';
import type { Consumer } from '../pipeline/consumer.js';
import type { Clock } from '../internal/clock.js';
import type { Registry } from 'prom-client';
import { createErrorMetrics } from './error-metrics.js';
import type { SelfMetrics } from './self-metrics.js';
import type { ExporterFactory } from '../component.js';
import { PROMETHEUS_EXPORTER_DEFAULTS, prometheusExporterType } from './config.js';

export function createPrometheusExporter(
  config: PrometheusExporterConfig,
  context: { registry: Registry; selfMetrics: SelfMetrics; clock: Clock },
): { consumer: Consumer; component: Component } {
  const metrics = createErrorMetrics({
    registry: context.registry,
    config,
    clock: context.clock,
    overflowCounter: context.selfMetrics.cardinalityOverflow,
    expiredCounter: context.selfMetrics.seriesExpired,
  });
  let timer: NodeJS.Timeout | undefined;
  const sweepEveryMs = Math.max(1000, Math.min(config.metricsExpirationMs / 4, 60_000));
  return {
    consumer: { consume: (batch) => metrics.record(batch) },
    component: {
      async start() {
        if (config.metricsExpirationMs <= 0) return;
        timer = setInterval(() => metrics.sweep(), sweepEveryMs);
        timer.unref();
      },
      async shutdown() {
        clearInterval(timer);
      },
    },
  };
}

export const prometheusExporterFactory: ExporterFactory<PrometheusExporterConfig> = {
  type: 'prometheus',
  defaults: PROMETHEUS_EXPORTER_DEFAULTS,
  schema: prometheusExporterType,
  create: createPrometheusExporter,
};
