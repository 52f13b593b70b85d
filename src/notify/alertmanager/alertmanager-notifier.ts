// alertmanager: Prometheus Alertmanager API v2, POST <url>/api/v2/alerts to every listed URL (HA
// replicas do not gossip alerts, each must receive them). Alertmanager resolves an alert it stops
// hearing about once endsAt passes, so firing alerts are re-sent after every evaluation
// (refresh) with endsAt = now + the hold the pipeline passes (3 evaluation intervals); a resolve
// is sent with endsAt = now. Re-sending is harmless: Alertmanager keys alerts by their labels.
// An alert about one error group carries `group_id` and `group_url` annotations (not labels: a
// merge changes the id, and a label change would make it another alert).

import type { ChannelFactory, ChannelType } from '../channel.js';
import type { ChannelConfig } from '../config.js';
import { ALERTMANAGER_FIELDS, alertmanagerSettings, type AlertmanagerSettings } from './config.js';
import { postJson } from '../http-delivery.js';
import { isHidden } from '../message.js';
import type { AlertNotification, DeliveryResult } from '../notification.js';

type AlertmanagerConfig = ChannelConfig<AlertmanagerSettings>;

/** Alertmanager label names must match [a-zA-Z_][a-zA-Z0-9_]*. */
function labelName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

export function alertmanagerAlert(
  notification: AlertNotification,
  config: AlertmanagerConfig,
  endsAtMs: number,
): Record<string, unknown> {
  const { template } = config.delivery;
  const shows = (field: (typeof template.fields)[number]) => template.fields.includes(field);
  const labels: Record<string, string> = {};
  for (const [name, value] of Object.entries(notification.labels)) {
    if (!isHidden(name, template.hideLabels) && value !== '') labels[labelName(name)] = value;
  }
  labels.alertname = notification.rule;
  labels.severity = notification.severity;
  const annotations: Record<string, string> = {};
  for (const [name, value] of Object.entries(notification.annotations)) {
    const field = name === 'summary' || name === 'description' ? name : 'annotations';
    if (shows(field)) annotations[name] = value;
  }
  if (shows('value')) annotations.value = String(notification.value);
  if (shows('threshold')) annotations.threshold = String(notification.threshold);
  const { sample } = notification;
  if (sample && shows('sample')) annotations.sample = `${sample.type} in ${sample.service}: ${sample.message}`;
  if (sample && shows('trace_id') && sample.traceId !== '') annotations.trace_id = sample.traceId;
  if (notification.group) {
    annotations.group_id = notification.group.id;
    annotations.group_url = notification.group.url;
  }
  const generator = new URL(config.generatorUrl);
  generator.searchParams.set('rule', notification.rule);
  return {
    labels,
    annotations,
    startsAt: new Date(notification.startsAt).toISOString(),
    endsAt: new Date(endsAtMs).toISOString(),
    generatorURL: generator.href,
  };
}

/** Worst of the replicas' results: a retry re-sends to all, which Alertmanager deduplicates. */
function worst(results: readonly DeliveryResult[]): DeliveryResult {
  const failed = results.find((result) => result.outcome === 'failed');
  if (failed) return failed;
  let retry: DeliveryResult | undefined;
  for (const result of results) {
    if (result.outcome !== 'retryable') continue;
    if (!retry || (result.retryAfterMs ?? 0) > ((retry as { retryAfterMs?: number }).retryAfterMs ?? 0)) retry = result;
  }
  return retry ?? { outcome: 'delivered' };
}

export const createAlertmanagerNotifier: ChannelFactory<AlertmanagerConfig> = (config, { clock, holdMs }) => {
  const secrets = [...config.urls];
  const endpoints = config.urls.map((url) => `${url.replace(/\/+$/, '')}/api/v2/alerts`);
  async function post(alerts: readonly Record<string, unknown>[], signal: AbortSignal): Promise<DeliveryResult> {
    const body = JSON.stringify(alerts);
    return worst(await Promise.all(endpoints.map((url) => postJson({ url, body, signal, secrets, clock }))));
  }
  return {
    name: config.name,
    secrets,
    notify(notification, signal) {
      const now = clock.now();
      const endsAt = notification.state === 'resolved' ? now : now + holdMs();
      return post([alertmanagerAlert(notification, config, endsAt)], signal);
    },
    refresh(firing, hold, signal) {
      const endsAt = clock.now() + hold;
      return post(
        firing.map((notification) => alertmanagerAlert(notification, config, endsAt)),
        signal,
      );
    },
  };
};

/** The alertmanager channel type: its keys (config.ts) and its notifier; listed in src/components.ts. */
export const alertmanagerChannel: ChannelType<AlertmanagerSettings, typeof ALERTMANAGER_FIELDS> = {
  type: 'alertmanager',
  fields: ALERTMANAGER_FIELDS,
  settings: alertmanagerSettings,
  create: createAlertmanagerNotifier,
};
