// The delivery pipeline behind the NotificationSink: the alert evaluator hands it notifications
// and returns at once; each channel named by a notification gets its own copy in that channel's
// lane (channel-lane.ts: bounded queue → circuit breaker → attempt with timeout → retry with
// backoff). What is pending is recorded in service.storage's outbox (outbox-store.ts), so a
// restart retries it and, with replicas sharing PostgreSQL, a replica adopts what a dead one left
// (a sweep every third of the ownership time renews this replica's rows and adopts lapsed ones;
// on PostgreSQL it also adds this replica's delivery counts to those of all: shared-outcomes.ts).
// A pending file of a Faultline that kept them under data_dir (`<data_dir>/notifications/<id>.json`)
// is imported into the outbox once at start, then renamed `<file>.imported-<ms>`.
//
// Metrics (notify-metrics.ts): faultline_alert_notifications_total{rule, channel, outcome},
// faultline_notification_duration_seconds{channel}, faultline_notification_circuit_state{channel},
// faultline_notification_queue_items{channel}, faultline_notifications_dropped_total{channel, reason}.
// Failures: a channel that fails is retried, then dropped and counted; a failing outbox is logged
// (what the lanes hold in memory is still delivered); an unreadable pending file is logged and set
// aside (renamed *.corrupt); nothing here throws into the evaluator.
// Shutdown stops every lane (waiting for attempts in flight and outbox writes), lets go of this
// replica's outbox rows (so the next start, or another replica, takes them at once), then closes
// each channel once.

import { hostname } from 'node:os';
import path from 'node:path';
import type { Component } from '../component.js';
import type { ExporterContext } from '../component.js';
import type { ChannelFactory, ChannelType } from './channel.js';
import { ChannelLane, type ChannelView } from './channel-lane.js';
import { createChannelNotifier } from './channels.js';
import type { ChannelConfig, ChannelsConfig } from './config.js';
import type { AlertNotification, DeliveryResult, NotificationSink } from './notification.js';
import { createNotifyMetrics } from './notify-metrics.js';
import { createOutbox, OWNERSHIP_MS } from './outbox-store.js';
import { createSharedOutcomes } from './shared-outcomes.js';
import { importPendingFile } from './legacy-pending-file.js';
import { notifyWithTimeout } from './timeout-stage.js';

/** Alertmanager drops a firing alert once endsAt passes: hold it for this many refresh intervals. */
export const HOLD_INTERVALS = 3;
const DEFAULT_REFRESH_INTERVAL_MS = 15_000;
/** The `rule` label of test notifications (POST /api/v1/alerts/test). */
export const TEST_RULE = 'faultline_test';

export interface NotificationPipelineOptions {
  readonly channels: ChannelsConfig;
  /** The channel types (src/components.ts CHANNELS): what builds each channel's notifier. */
  readonly channelTypes: readonly ChannelType[];
  readonly context: Pick<ExporterContext, 'registry' | 'clock' | 'logger' | 'dataDir' | 'storage'>;
  /** The evaluation interval, if known; otherwise measured between refresh() calls. */
  readonly refreshIntervalMs?: number;
  /** The alerts exporter's id: names its outbox rows (and the old pending file to import). Default `alerts`. */
  readonly id?: string;
  /** This replica's name as the owner of outbox rows: unique among running replicas, stable across restarts. Default the hostname. */
  readonly replica?: string;
  /** How long this replica owns its outbox rows without renewing them. Default OWNERSHIP_MS. */
  readonly ownershipMs?: number;
  /** Jitter source, 0 ≤ x < 1. Default Math.random. */
  readonly random?: () => number;
  /** Builds each channel's notifier. Default: its type's create() in channelTypes. */
  readonly createNotifier?: ChannelFactory<ChannelConfig>;
}

export interface NotificationPipeline {
  readonly sink: NotificationSink;
  readonly component: Component;
  /** Sends a test notification to one channel or all, one attempt each, and reports each result. */
  test(channel?: string): Promise<Record<string, DeliveryResult>>;
  /** Each channel's circuit, queue and delivery outcomes: since start, or of every replica on PostgreSQL (shared-outcomes.ts). */
  channels(): (ChannelView & { readonly type: string })[];
  /** Looks at every queue now (tests call it after moving a manual clock). */
  wake(): void;
  /**
   * Resolves once no delivery is in flight or due in `channel`'s lane (default: every lane); what
   * is still queued waits for a later time on the clock. Tests call it after send() or wake().
   */
  idle(channel?: string): Promise<void>;
  /** Resolves once every outbox write asked for so far has run. */
  flush(): Promise<void>;
  /** Renews this replica's outbox rows and adopts lapsed ones now (tests, after moving a manual clock). */
  sweep(): Promise<void>;
}

export function createNotificationPipeline(options: NotificationPipelineOptions): NotificationPipeline {
  const { channels, context } = options;
  const { clock } = context;
  const logger = context.logger.child({ component: 'notify' });
  const metrics = createNotifyMetrics(context.registry);
  const random = options.random ?? Math.random;

  let measuredIntervalMs: number | undefined;
  let lastRefreshAt: number | undefined;
  const holdMs = () => HOLD_INTERVALS * (options.refreshIntervalMs ?? measuredIntervalMs ?? DEFAULT_REFRESH_INTERVAL_MS);

  const lanes = new Map<string, ChannelLane>();
  const exporter = options.id ?? 'alerts';
  const file = path.join(context.dataDir, 'notifications', `${exporter.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
  const ownershipMs = options.ownershipMs ?? OWNERSHIP_MS;
  const owner = options.replica ?? hostname();
  const outbox = createOutbox({ storage: context.storage, exporter, owner, ownershipMs });
  const shared = context.storage.engine === 'postgres' ? createSharedOutcomes(context.storage, exporter) : undefined;
  const createNotifier = options.createNotifier ?? ((config, deps) => createChannelNotifier(options.channelTypes, config, deps));
  for (const [name, config] of channels) {
    const notifier = createNotifier(config, { clock, holdMs });
    lanes.set(name, new ChannelLane(notifier, config.delivery, { clock, logger, metrics, random, outbox }));
  }

  const sink: NotificationSink = {
    send(notification) {
      try {
        for (const name of new Set(notification.channels)) {
          const lane = lanes.get(name);
          if (lane) lane.enqueue(notification);
          else {
            metrics.dropped.inc({ channel: name, reason: 'unknown_channel' });
            logger.warn({ rule: notification.rule, channel: name }, 'notification names a channel that is not configured');
          }
        }
      } catch (error) {
        logger.error({ err: error, rule: notification.rule }, 'could not queue a notification');
      }
    },
    refresh(firing) {
      const now = clock.now();
      if (lastRefreshAt !== undefined && now > lastRefreshAt) measuredIntervalMs = now - lastRefreshAt;
      lastRefreshAt = now;
      for (const lane of lanes.values()) {
        const mine = firing.filter((notification) => notification.channels.includes(lane.name));
        lane.refresh(mine, holdMs()).catch((error: unknown) => logger.error({ err: error }, 'refresh failed'));
      }
    },
  };

  let sweeping: Promise<void> | undefined;
  /** Renews and adopts (one sweep at a time); never rejects. */
  function sweep(options: { takeBackOwn?: boolean } = {}): Promise<void> {
    sweeping ??= (async () => {
      try {
        await Promise.all([...lanes.values()].map((lane) => lane.flush()));
        // Only rows stored before the sweep can be missing from what it finds this replica owns.
        const candidates = new Map([...lanes.values()].map((lane) => [lane, lane.storedItems()] as const));
        const { adopted, owned } = await outbox.sweep(clock.now(), options);
        for (const [lane, stored] of candidates) {
          const forgotten = lane.forgetUnless(stored, owned);
          if (forgotten > 0) logger.warn({ channel: lane.name, forgotten }, 'another replica adopted notifications this one held (it renewed too late)');
        }
        for (const item of adopted) {
          const lane = lanes.get(item.channel);
          if (lane) lane.enqueue(item.notification, item);
          else {
            metrics.dropped.inc({ channel: item.channel, reason: 'unknown_channel' });
            logger.warn({ rule: item.notification.rule, channel: item.channel }, 'pending notification for a channel no longer configured');
            await outbox.remove(item);
          }
        }
        if (adopted.length > 0) logger.info({ pending: adopted.length }, 'took over pending notifications (from before a restart, or from a replica that stopped)');
        await shared?.sync(new Map([...lanes].map(([name, lane]) => [name, lane.view().outcomes])));
      } catch (error) {
        logger.error({ err: error }, 'the notification outbox could not be swept; retrying at the next sweep');
      } finally {
        sweeping = undefined;
      }
    })();
    return sweeping;
  }
  let sweepTimer: NodeJS.Timeout | undefined;

  let closed = false;
  async function closeChannels(): Promise<void> {
    if (closed) return;
    closed = true;
    await Promise.all(
      [...lanes.values()].map((lane) =>
        Promise.resolve()
          .then(() => lane.notifier.close?.())
          .catch((error: unknown) => logger.error({ err: error, channel: lane.name }, 'channel failed to close')),
      ),
    );
  }

  const component: Component = {
    async start() {
      await importPendingFile(file, outbox, logger, clock.now());
      await sweep({ takeBackOwn: true });
      for (const lane of lanes.values()) lane.start();
      sweepTimer = setInterval(() => void sweep(), Math.max(1, Math.floor(ownershipMs / 3)));
      sweepTimer.unref();
    },
    async shutdown() {
      clearInterval(sweepTimer);
      await sweeping;
      await Promise.all([...lanes.values()].map((lane) => lane.stop()));
      await shared?.sync(new Map([...lanes].map(([name, lane]) => [name, lane.view().outcomes]))).catch((error: unknown) => logger.error({ err: error }, 'could not add the last delivery counts to the shared ones'));
      await outbox.release().catch((error: unknown) => logger.error({ err: error }, 'could not let go of pending notifications; another replica adopts them once they lapse'));
      await closeChannels();
    },
  };

  return {
    sink,
    component,
    channels: () =>
      [...lanes].map(([name, lane]) => {
        const view = lane.view();
        return { ...view, outcomes: shared?.outcomesOf(name, view.outcomes) ?? view.outcomes, type: channels.get(name)!.type };
      }),
    async test(channel) {
      const targets = channel === undefined ? [...lanes.keys()] : [channel];
      const notification = testNotification(clock.now(), targets);
      const results: Record<string, DeliveryResult> = {};
      await Promise.all(
        targets.map(async (name) => {
          const lane = lanes.get(name);
          if (!lane) {
            results[name] = { outcome: 'failed', reason: 'no such channel' };
            return;
          }
          const result = await notifyWithTimeout(lane.notifier, notification, channels.get(name)!.delivery.timeoutMs);
          const outcome = lane.noteAttempt(result, clock.now());
          metrics.notifications.inc({ rule: TEST_RULE, channel: name, outcome });
          results[name] = result;
        }),
      );
      return results;
    },
    wake() {
      for (const lane of lanes.values()) lane.wake();
    },
    async idle(channel) {
      const waiting = channel === undefined ? [...lanes.values()] : [lanes.get(channel)].filter((lane) => lane !== undefined);
      await Promise.all(waiting.map((lane) => lane.idle()));
    },
    flush: async () => {
      await Promise.all([...lanes.values()].map((lane) => lane.flush()));
    },
    sweep: () => sweep(),
  };
}

function testNotification(now: number, channels: readonly string[]): AlertNotification {
  return {
    id: `test-${now}-${Math.random().toString(36).slice(2, 10)}`,
    rule: TEST_RULE,
    state: 'firing',
    severity: 'low',
    groupKey: `${TEST_RULE}:${now}`,
    labels: { alertname: TEST_RULE },
    annotations: { summary: 'Test notification from Faultline', description: 'If you can read this, the channel works.' },
    value: 0,
    threshold: 0,
    windowMs: 0,
    startsAt: now,
    endsAt: undefined,
    channels,
  };
}
