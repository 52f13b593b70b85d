// Alerts HA replicas for tests: an evaluator behind an HA gate on a given storage, wired as
// alerts-exporter.ts wires them, with a recording sink and its own registry and logs. Given a
// webhook URL, the rule notifies channel `ops` and the replica has the real delivery pipeline
// (its outbox in the same storage) behind the gate, as the exporter has.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createAlertMetrics } from '../../src/alert/alert-metrics.js';
import { createEvaluator, type Evaluator } from '../../src/alert/evaluator.js';
import { createHaGate, type HaGate } from '../../src/alert/ha/ha-gate.js';
import type { ManualClock } from '../../src/internal/clock.js';
import { createLogger } from '../../src/internal/logger.js';
import { createRegistry } from '../../src/metrics/registry.js';
import { CHANNELS } from '../../src/components.js';
import type { AlertNotification, NotificationSink } from '../../src/notify/notification.js';
import { createNotificationPipeline, type NotificationPipeline } from '../../src/notify/pipeline.js';
import type { Storage } from '../../src/storage/storage.js';
import { alertsConfig, errorEvent, extracted, RecordingSink } from './alert-fixtures.js';

export const RULES = {
  evaluation_interval: '1m',
  rules: [{ name: 'busy', type: 'threshold', threshold: 10, window: '5m', cooldown: '1h', notify_resolved: true }],
};

export function replica(name: string, storage: Storage, clock: ManualClock, options: { webhook?: string; ownershipMs?: number } = {}) {
  const config = alertsConfig(
    options.webhook === undefined
      ? { ...RULES, ha: { replica: name } }
      : {
          ...RULES,
          rules: RULES.rules.map((rule) => ({ ...rule, channels: ['ops'] })),
          channels: { ops: { type: 'webhook', url: options.webhook, retry: { initial_interval: '1s', max_interval: '1s', max_attempts: 100 }, circuit_breaker: { failure_threshold: 100 } } },
          ha: { replica: name },
        },
  );
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
  const delivery: NotificationPipeline | undefined =
    options.webhook === undefined
      ? undefined
      : createNotificationPipeline({
          channels: config.channels,
          channelTypes: CHANNELS,
          context: { registry, clock, logger, dataDir: mkdtempSync(path.join(tmpdir(), 'faultline-ha-')), storage },
          refreshIntervalMs: config.evaluationIntervalMs,
          id: 'alerts',
          replica: name,
          ownershipMs: options.ownershipMs,
          random: () => 0.5,
        });
  /** Records what the gate passes on, and hands it to the delivery pipeline when there is one. */
  const passed: NotificationSink = {
    send(notification: AlertNotification) {
      sink.send(notification);
      delivery?.sink.send(notification);
    },
    refresh(firing: readonly AlertNotification[]) {
      sink.refresh(firing);
      delivery?.sink.refresh(firing);
    },
  };
  const gate: HaGate = createHaGate({
    config: config.ha!,
    exporterId: 'alerts',
    storage,
    sink: passed,
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
    delivery,
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
