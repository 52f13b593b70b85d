// Notifications and channel configs for the notify tests, named by their case.

import { Writable } from 'node:stream';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { INVALID, type ConfigProblem } from '../../../src/config/schema.js';
import { ManualClock } from '../../../src/internal/clock.js';
import { createLogger } from '../../../src/internal/logger.js';
import { createRegistry } from '../../../src/metrics/registry.js';
import { CHANNELS } from '../../../src/components.js';
import { channelsSchema, type ChannelsConfig } from '../../../src/notify/config.js';
import type { AlertNotification } from '../../../src/notify/notification.js';
import { createNotificationPipeline, type NotificationPipeline, type NotificationPipelineOptions } from '../../../src/notify/pipeline.js';
import type { Storage } from '../../../src/storage/storage.js';
import { sqliteStorage } from '../../helpers/storage.js';

let sequence = 0;

export function firing(overrides: Partial<AlertNotification> = {}): AlertNotification {
  sequence++;
  return {
    id: `n-${sequence}`,
    rule: 'checkout-errors',
    state: 'firing',
    severity: 'high',
    groupKey: 'checkout-errors{service="checkout",environment="prod"}',
    labels: { service: 'checkout', environment: 'prod', team: 'payments' },
    annotations: { summary: 'More than 50 errors in 1m on checkout', description: 'checkout is failing' },
    value: 73,
    threshold: 50,
    windowMs: 60_000,
    startsAt: 1_700_000_000_000,
    sample: {
      service: 'checkout',
      type: 'TypeError',
      message: 'cart is undefined',
      stacktrace: 'TypeError: cart is undefined\n    at pay (checkout.js:10:5)\n    at main (index.js:2:1)',
      traceId: '5b8efff798038103d269b633813fc60c',
    },
    channels: ['hook'],
    ...overrides,
  };
}

/** The error group a new_group alert is about, as the evaluator links it. */
export const GROUP = { id: '3f9a1c0b2d4e', url: 'http://faultline.test:9464/api/v1/groups/3f9a1c0b2d4e' } as const;

/** A new_group alert: about one error group, so it carries the group's id and link. */
export function newGroup(overrides: Partial<AlertNotification> = {}): AlertNotification {
  return firing({ rule: 'new-errors', value: 1, threshold: 0, group: GROUP, labels: { service: 'checkout', fingerprint: 'a1b2' }, ...overrides });
}

export function resolved(of: AlertNotification, endsAt: number): AlertNotification {
  sequence++;
  return { ...of, id: `n-${sequence}`, state: 'resolved', endsAt };
}

/** Decodes channels as the alerts exporter would, failing the test on any problem. */
export function channelsFrom(value: Record<string, unknown>): ChannelsConfig {
  const problems: ConfigProblem[] = [];
  const decoded = channelsSchema(CHANNELS).decode(value, 'exporters.alerts.channels', problems);
  if (decoded === INVALID || problems.length > 0) throw new Error(`bad channels: ${JSON.stringify(problems)}`);
  return decoded;
}

/** Fast retries for tests: 100ms doubling, small timeouts. Retries wait on the manual clock; only timeouts take real time. */
export const FAST = {
  timeout: '1s',
  retry: { initial_interval: '100ms', max_interval: '400ms', max_attempts: 10 },
  circuit_breaker: { failure_threshold: 3, open_duration: '1s' },
};

export interface TestPipeline {
  readonly pipeline: NotificationPipeline;
  readonly clock: ManualClock;
  readonly registry: ReturnType<typeof createRegistry>;
  readonly logs: Record<string, unknown>[];
  readonly dataDir: string;
  /** The storage the pipeline keeps its outbox in (SQLite under dataDir unless one was given). */
  readonly storage: Storage;
  metric(name: string, labels: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

export function tempDataDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'faultline-notify-'));
}

export async function startPipeline(
  channels: Record<string, unknown>,
  options: {
    dataDir?: string;
    clock?: ManualClock;
    refreshIntervalMs?: number;
    random?: () => number;
    createNotifier?: NotificationPipelineOptions['createNotifier'];
    /** A storage to share (replicas, restarts); default: SQLite under dataDir, closed by stop(). */
    storage?: Storage;
    id?: string;
    replica?: string;
    ownershipMs?: number;
  } = {},
): Promise<TestPipeline> {
  const clock = options.clock ?? new ManualClock();
  const registry = createRegistry({ defaultMetrics: false });
  const logs: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') logs.push(JSON.parse(line));
      done();
    },
  });
  const dataDir = options.dataDir ?? tempDataDir();
  const storage = options.storage ?? (await sqliteStorage({ dir: dataDir }));
  const pipeline = createNotificationPipeline({
    channels: channelsFrom(channels),
    channelTypes: CHANNELS,
    context: { registry, clock, logger: createLogger('debug', destination), dataDir, storage },
    id: options.id,
    replica: options.replica,
    ownershipMs: options.ownershipMs,
    refreshIntervalMs: options.refreshIntervalMs,
    random: options.random ?? (() => 0.5),
    createNotifier: options.createNotifier,
  });
  await pipeline.component.start();
  return {
    pipeline,
    clock,
    registry,
    logs,
    dataDir,
    storage,
    metric: (name, labels) => metricValue(registry, name, labels),
    async stop() {
      await pipeline.component.shutdown();
      if (options.storage === undefined) await storage.close();
    },
  };
}

/** The value of the series of `name` whose labels include `labels`, or 0. */
export async function metricValue(
  registry: ReturnType<typeof createRegistry>,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  const match = values.find((value) =>
    Object.entries(labels).every(([key, expected]) => String((value.labels as Record<string, unknown>)[key]) === expected),
  );
  return match?.value ?? 0;
}
