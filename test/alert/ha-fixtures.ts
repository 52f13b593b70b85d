// Alerts HA replicas for tests: an evaluator behind an HA gate on a given storage, wired as
// alerts-exporter.ts wires them, with a recording sink and its own registry and logs.

import { Writable } from 'node:stream';
import { createAlertMetrics } from '../../src/alert/alert-metrics.js';
import { createEvaluator, type Evaluator } from '../../src/alert/evaluator.js';
import { createHaGate, type HaGate } from '../../src/alert/ha/ha-gate.js';
import type { ManualClock } from '../../src/internal/clock.js';
import { createLogger } from '../../src/internal/logger.js';
import { createRegistry } from '../../src/metrics/registry.js';
import type { Storage } from '../../src/storage/storage.js';
import { alertsConfig, errorEvent, extracted, RecordingSink } from './alert-fixtures.js';

export const RULES = {
  evaluation_interval: '1m',
  rules: [{ name: 'busy', type: 'threshold', threshold: 10, window: '5m', cooldown: '1h', notify_resolved: true }],
};

export function replica(name: string, storage: Storage, clock: ManualClock) {
  const config = alertsConfig({ ...RULES, ha: { replica: name } });
  const sink = new RecordingSink();
  const registry = createRegistry({ defaultMetrics: false });
  const logs: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') logs.push(JSON.parse(line));
      done();
    },
  });
  const logger = createLogger('info', destination);
  const gate: HaGate = createHaGate({
    config: config.ha!,
    exporterId: 'alerts',
    storage,
    sink,
    clock,
    registry,
    logger,
    onTakeover: (state, now) => evaluator.adopt(state, now),
  });
  const evaluator: Evaluator = createEvaluator({ config, sink: gate.sink, clock, metrics: createAlertMetrics(registry), channels: [] });
  const share = () => (gate.isLeader(clock.now()) ? gate.share(() => evaluator.persisted(clock.now())) : Promise.resolve());
  return {
    config,
    sink,
    registry,
    logs,
    gate,
    errors(count: number, service = 'checkout') {
      evaluator.consume(extracted(Array.from({ length: count }, () => errorEvent({ service }))));
    },
    /** What the exporter does every evaluation_interval. */
    async evaluate() {
      if (await gate.beforeEvaluation(clock.now())) await share();
      evaluator.tick(clock.now());
      await share();
    },
  };
}
