// Builders for the alert tests: rules written as the YAML tree a user writes (decoded by the real
// schema), an evaluator on a manual clock, and a recording NotificationSink: a real in-process
// consumer of the evaluator → delivery contract.

import { sqliteStorage } from '../helpers/storage.js';
import { INVALID, type ConfigProblem } from '../../src/config/schema.js';
import { CHANNELS } from '../../src/components.js';
import { alertsExporterSchema, type AlertsExporterConfig } from '../../src/alert/config.js';
import { createAlertMetrics } from '../../src/alert/alert-metrics.js';
import { createEvaluator, type Evaluator, type Transition } from '../../src/alert/evaluator.js';
import type { GroupLinks } from '../../src/alert/build-notification.js';
import { groupUrl } from '../../src/admin/public-url.js';
import { createGroupSignals } from '../../src/group/signals.js';
import { GROUPS_EXPORTER_DEFAULTS } from '../../src/group/store/config.js';
import { createGroupStore, type GroupStore } from '../../src/group/store/group-store.js';
import type { GroupSignal } from '../../src/group/signals.js';
import { ManualClock } from '../../src/internal/clock.js';
import { createRegistry } from '../../src/metrics/registry.js';
import type { AlertNotification, NotificationSink } from '../../src/notify/notification.js';
import type { Registry } from 'prom-client';
import type { ErrorEvent } from '../../src/extract/error-event.js';
import { errorEvent, extracted, spanTiming } from '../metrics/metric-fixtures.js';

export { errorEvent, extracted, spanTiming };

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

export class RecordingSink implements NotificationSink {
  readonly sent: AlertNotification[] = [];
  readonly refreshes: (readonly AlertNotification[])[] = [];
  send(notification: AlertNotification): void {
    this.sent.push(notification);
  }
  refresh(firing: readonly AlertNotification[]): void {
    this.refreshes.push([...firing]);
  }
  firing(): AlertNotification[] {
    return this.sent.filter((n) => n.state === 'firing');
  }
  resolved(): AlertNotification[] {
    return this.sent.filter((n) => n.state === 'resolved');
  }
}

/** Decodes an `exporters.alerts` body; the problems when it is refused. */
export function decodeAlerts(body: unknown): { config?: AlertsExporterConfig; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const build = alertsExporterSchema(CHANNELS).decode(body, 'exporters.alerts', problems);
  if (build === INVALID || problems.length > 0) return { problems };
  return { config: build('alerts'), problems };
}

export function alertsConfig(body: Record<string, unknown>): AlertsExporterConfig {
  const { config, problems } = decodeAlerts(body);
  if (config === undefined) throw new Error(`alerts config refused: ${JSON.stringify(problems)}`);
  return config;
}

export interface Harness {
  readonly config: AlertsExporterConfig;
  readonly evaluator: Evaluator;
  readonly sink: RecordingSink;
  readonly clock: ManualClock;
  readonly registry: Registry;
  /** Moves the clock on by `ms`, then evaluates. */
  tickAfter(ms: number): Transition[];
}

export function harness(body: Record<string, unknown>, clock = new ManualClock(), links?: GroupLinks): Harness {
  const config = alertsConfig(body);
  const sink = new RecordingSink();
  const registry = createRegistry({ defaultMetrics: false });
  const evaluator = createEvaluator({ config, sink, clock, metrics: createAlertMetrics(registry), channels: [], links });
  return {
    config,
    evaluator,
    sink,
    clock,
    registry,
    tickAfter(ms) {
      clock.advance(ms);
      return evaluator.tick(clock.now());
    },
  };
}

/** `count` error events of `overrides` into the evaluator now. */
export function sendErrors(h: Harness, count: number, overrides: Parameters<typeof errorEvent>[0] = {}): void {
  h.evaluator.consume(extracted(Array.from({ length: count }, () => errorEvent(overrides))));
}

/** `count` spans, `errors` of them in ERROR, each `seconds` long. */
export function sendSpans(h: Harness, count: number, options: { errors?: number; seconds?: number; service?: string } = {}): void {
  const timings = Array.from({ length: count }, (_, i) =>
    spanTiming({
      service: options.service ?? 'checkout',
      statusCode: i < (options.errors ?? 0) ? 'STATUS_CODE_ERROR' : 'STATUS_CODE_UNSET',
      durationSeconds: options.seconds ?? 0.1,
    }),
  );
  h.evaluator.consume(extracted([], timings));
}

export function groupSignal(kind: GroupSignal['kind'], fingerprint: string, overrides: Parameters<typeof errorEvent>[0] = {}): GroupSignal {
  const event = errorEvent({ grouping: { fingerprint, method: 'frames', rule: '', version: 1, title: 'TypeError: <str>', culprit: '', frames: [] }, ...overrides });
  return { kind, groupId: `g-${fingerprint}`, fingerprint, title: `${event.type}: ${event.message}`, event };
}

/** The value of one sample of `name` with exactly these labels, from the registry. */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) return undefined;
  const { values } = await metric.get();
  const match = values.find((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want));
  return match?.value;
}

export const PUBLIC_URL = 'http://faultline.test:9464';

/**
 * An evaluator wired to a real group store the way the alerts exporter is: the store's signals
 * fire the evaluator, and notifications link to groups through the signal bus under PUBLIC_URL.
 * `record` files events into the store, then into the evaluator's windows.
 */
export async function harnessWithGroups(
  body: Record<string, unknown>,
): Promise<Harness & { readonly store: GroupStore; record(events: readonly ErrorEvent[]): Promise<void> }> {
  const clock = new ManualClock();
  const signals = createGroupSignals();
  const store = createGroupStore({ storage: await sqliteStorage(), exporter: 'groups', limits: GROUPS_EXPORTER_DEFAULTS, clock, signals });
  signals.answerGroupIds((service, fingerprint) => store.knownGroupId(service, fingerprint));
  const h = harness(body, clock, { groupIdOf: (service, fingerprint) => signals.groupIdOf(service, fingerprint), url: (id) => groupUrl(PUBLIC_URL, id) });
  signals.subscribe((signal) => h.evaluator.signal(signal));
  return {
    ...h,
    store,
    tickAfter: h.tickAfter,
    async record(events) {
      await store.record(events);
      h.evaluator.consume(extracted([...events]));
    },
  };
}
