// /metrics at N series: the error metrics are filled with C1 batches (every span a new exception
// type) on a registry made by createRegistry (as service.ts does, default process metrics off so
// only Faultline's series count), then rendered the way /metrics renders them. Event-loop delay
// is sampled with perf_hooks.monitorEventLoopDelay (1 ms resolution) during the renders: its max
// is the longest stretch the render kept the loop from serving anything else.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createErrorMetrics } from '../src/metrics/error-metrics.js';
import { renderExposition } from '../src/metrics/exposition.js';
import { createRegistry } from '../src/metrics/registry.js';
import { createSyncPipeline, exporterConfig } from './in-process.js';
import type { Payload } from './payloads.js';

export interface ScrapeResult {
  readonly series: number;
  readonly format: 'text' | 'openmetrics';
  readonly renderMs: number;
  readonly bytes: number;
  readonly maxEventLoopDelayMs: number;
}

export async function measureScrape(c1: Payload, seriesTargets: readonly number[], rounds: number): Promise<ScrapeResult[]> {
  const results: ScrapeResult[] = [];
  for (const target of seriesTargets) {
    const registry = createRegistry({ defaultMetrics: false });
    let now = 1_767_225_600_000;
    const metrics = createErrorMetrics({
      registry,
      config: exporterConfig(target),
      clock: { now: () => now++ },
    });
    const ingest = createSyncPipeline(metrics, false);
    const bodies = c1.bodies.protobuf.identity;
    for (let i = 0; i < bodies.length && metrics.seriesCount().errors < target; i++) ingest.accept('traces', 'protobuf', bodies[i]!);
    const series = metrics.seriesCount().errors + metrics.seriesCount().spans;
    for (const format of ['text', 'openmetrics'] as const) {
      await renderExposition(registry, format); // warm-up
      const delay = monitorEventLoopDelay({ resolution: 1 });
      delay.enable();
      let totalMs = 0;
      let bytes = 0;
      for (let round = 0; round < rounds; round++) {
        const start = performance.now();
        bytes = (await renderExposition(registry, format)).length;
        totalMs += performance.now() - start;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      delay.disable();
      results.push({ series, format, renderMs: totalMs / rounds, bytes, maxEventLoopDelayMs: delay.max / 1e6 });
    }
  }
  return results;
}
