// The `alerts` exporter: error events and span timings in, notifications out. It builds the
// evaluator (rules, windows, state machine), the delivery pipeline for its channels (notify/), the
// state store (a row in service.storage) and the /api/v1/alerts routes. Its component restores
// saved state at start, evaluates every evaluation_interval (new_group and regression at once, on
// the group signals), saves state whenever it changed, and at shutdown stops evaluating, saves,
// then lets the delivery pipeline finish. Keys and defaults: config.ts and docs/config.md. Metrics:
// alert-metrics.ts. Config warnings (alertsConfigWarnings) are logged at build with the rule's path.
// With an `ha` block, notifications pass through the HA gate (ha/ha-gate.ts): only the replica
// holding the lease sends; the lease is renewed before every evaluation and released at shutdown;
// the state saved is the leader's shared copy, which every replica starts from.
// Alerts about one error group link to it: service.public_url, else the admin endpoint as bound
// (admin/public-url.ts), and the group's id asked of the group store through the signal bus.

import type { AdminRoutes } from '../admin/admin-server.js';
import { groupUrl, linkBase } from '../admin/public-url.js';
import type { BuiltExporter, ExporterContext } from '../component.js';
import type { ChannelType } from '../notify/channel.js';
import { createNotificationPipeline } from '../notify/pipeline.js';
import { createAlertMetrics } from './alert-metrics.js';
import { registerAlertsApi } from './alerts-api.js';
import { alertsConfigWarnings, alertsLink, channelNames, type AlertsExporterConfig } from './config.js';
import type { GroupLinks } from './build-notification.js';
import { createEvaluator, type Transition } from './evaluator.js';
import { createHaGate, type HaGate } from './ha/ha-gate.js';
import { createStateStore, legacyStateFile, stateDocument } from './state-store.js';
import type { ExporterFactory } from '../component.js';
import { ALERTS_EXPORTER_DEFAULTS, alertsExporterSchema } from './config.js';

export function createAlertsExporter(
  config: AlertsExporterConfig,
  context: ExporterContext,
  channelTypes: readonly ChannelType[],
): BuiltExporter {
  const { clock } = context;
  const logger = context.logger.child({ exporter: config.id });
  for (const warning of alertsConfigWarnings(config)) logger.warn({ path: warning.path }, warning.message);
  if (config.ha === null && context.storage.engine === 'postgres') {
    // Replicas sharing PostgreSQL share this exporter's state row: without ha each notifies and overwrites it.
    logger.warn(
      { path: `exporters.${config.id}.ha` },
      'alert state is kept in PostgreSQL, which replicas may share: if more than one replica runs this exporter, give it an ha block, or each notifies and they overwrite each other\'s alert state',
    );
  }

  const delivery = createNotificationPipeline({
    channels: config.channels,
    channelTypes,
    context,
    refreshIntervalMs: config.evaluationIntervalMs,
    id: config.id,
    replica: config.ha?.replica,
    // A dead replica's pending notifications move when its lease would: after lease_duration.
    ownershipMs: config.ha?.leaseDurationMs ?? 3 * config.evaluationIntervalMs,
  });
  const channels = channelNames(config.channels);
  const gate: HaGate | null =
    config.ha === null
      ? null
      : createHaGate({
          config: config.ha,
          exporterId: config.id,
          storage: context.storage,
          sink: delivery.sink,
          clock,
          registry: context.registry,
          logger,
          onTakeover: (state, now) => report(evaluator.adopt(state, now)),
        });
  const evaluator = createEvaluator({
    config,
    sink: gate?.sink ?? delivery.sink,
    clock,
    metrics: createAlertMetrics(context.registry),
    channels,
    links: groupLinks(config.publicUrl, config.groups, context),
    onSinkError: (error) => logger.error({ err: error }, 'the notification pipeline refused a notification'),
  });
  // With HA, replicas share one storage: the state to start from is the leader's shared copy (only
  // the leader writes it), so a restarted replica starts warm and followers never overwrite it.
  const store = createStateStore({
    storage: context.storage,
    name: stateDocument(config.id, gate === null ? 'state' : 'leader-state'),
    logger,
    importFile: legacyStateFile(context.dataDir, config.id),
  });
  registerAlertsApi(context.admin, {
    exporter: config.id,
    channels,
    view: () => evaluator.view(),
    test: (channel) => delivery.test(channel),
    channelViews: () => delivery.channels(),
  });

  const snapshot = () => evaluator.persisted(clock.now());
  const share = () => (gate?.isLeader(clock.now()) ? gate.share(snapshot) : Promise.resolve());
  const persist = async () => {
    if (evaluator.dirty) await (gate === null ? store.save(snapshot) : share());
  };
  const report = (transitions: readonly Transition[]) => {
    for (const t of transitions) {
      const notified = t.notification?.state ?? 'no';
      logger.info({ rule: t.rule, groupKey: t.groupKey, labels: t.labels, from: t.from, to: t.to, value: t.value, notified }, 'alert state changed');
    }
    if (evaluator.dirty) void persist();
  };
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  let evaluating: Promise<void> | null = null;
  /** Renews the lease (with HA), then evaluates; one at a time, a slow storage skips a beat. */
  const evaluate = async () => {
    if (gate !== null && (await gate.beforeEvaluation(clock.now()))) await share();
    report(evaluator.tick(clock.now()));
  };

  return {
    consumer: {
      consume(batch) {
        evaluator.consume(batch);
        if (evaluator.dirty) void persist();
      },
    },
    component: {
      async start() {
        await delivery.component.start();
        const saved = await store.load(clock.now());
        if (saved !== null) evaluator.restore(saved, clock.now());
        if (gate !== null && (await gate.beforeEvaluation(clock.now()))) await share();
        unsubscribe = context.groupSignalsOf(config.groups).subscribe((signal) => report(evaluator.signal(signal)));
        timer = setInterval(() => {
          if (evaluating !== null) return;
          evaluating = evaluate()
            .catch((error) => logger.error({ err: error }, 'alert evaluation failed'))
            .finally(() => (evaluating = null));
        }, config.evaluationIntervalMs);
        timer.unref();
      },
      async shutdown() {
        clearInterval(timer);
        unsubscribe?.();
        await evaluating;
        await persist();
        if (gate !== null) {
          await share();
          await gate.release(clock.now());
        }
        await delivery.component.shutdown();
      },
    },
  };
}

/**
 * Links resolved when a notification is built: the admin server is bound by then (it starts
 * first), so port 0 in tests gives the real port. Without a public_url or a bound admin server
 * (a stand-in), links are relative to the API root.
 */
function groupLinks(publicUrl: string, groups: string, context: Pick<ExporterContext, 'admin' | 'groupSignalsOf'>): GroupLinks {
  let base: string | undefined;
  const baseOf = (admin: AdminRoutes): string => {
    if (base !== undefined) return base;
    if (publicUrl !== '') return (base = publicUrl);
    try {
      const bound = admin.address?.();
      if (bound !== undefined) base = linkBase('', bound);
    } catch {
      // Not listening yet: try again at the next notification.
    }
    return base ?? '';
  };
  return {
    groupIdOf: (service, fingerprint) => context.groupSignalsOf(groups).groupIdOf(service, fingerprint),
    url: (id) => groupUrl(baseOf(context.admin), id),
  };
}

/** The alerts exporter type, its channels of the channel types given (src/components.ts CHANNELS). */
export const alertsExporterFactory = (channelTypes: readonly ChannelType[]): ExporterFactory<AlertsExporterConfig> => ({
  type: 'alerts',
  defaults: ALERTS_EXPORTER_DEFAULTS,
  schema: alertsExporterSchema(channelTypes),
  // Its notifications link to groups under service.public_url.
  withService: (config, service) => ({ ...config, publicUrl: service.publicUrl }),
  link: alertsLink,
  warnings: alertsConfigWarnings,
  create: (config, context) => createAlertsExporter(config, context, channelTypes),
});
