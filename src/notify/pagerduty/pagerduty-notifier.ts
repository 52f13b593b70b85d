// pagerduty: Events API v2. A firing notification triggers, a resolved one resolves, both with
// the same dedup_key (the rule and group's stable groupKey), and the resolve carries summary,
// source and severity too, so event rules that route on them still match it. An alert about one
// error group carries the group's link in `links` and its id in custom_details.group_id.

import { createHash } from 'node:crypto';
import type { ChannelFactory, ChannelType } from '../channel.js';
import type { ChannelConfig } from '../config.js';
import { PAGERDUTY_FIELDS, pagerDutySettings, type PagerDutySettings } from './config.js';
import { postJson } from '../http-delivery.js';
import { buildMessage, cutChars } from '../message.js';
import type { AlertNotification, AlertSeverity } from '../notification.js';

type PagerDutyConfig = ChannelConfig<PagerDutySettings>;

const PD_SEVERITY: Readonly<Record<AlertSeverity, string>> = {
  critical: 'critical',
  high: 'error',
  medium: 'warning',
  low: 'info',
};

/** PagerDuty accepts at most 255 characters; longer keys are hashed, still stable. */
export function dedupKey(groupKey: string): string {
  return groupKey.length <= 255 ? groupKey : `faultline-${createHash('sha256').update(groupKey).digest('hex')}`;
}

export function pagerDutyBody(notification: AlertNotification, config: PagerDutyConfig): Record<string, unknown> {
  const view = buildMessage(notification, config.delivery.template);
  const details: Record<string, unknown> = Object.fromEntries(view.facts.map((fact) => [fact.name, fact.value]));
  if (view.labels.length > 0) details.labels = Object.fromEntries(view.labels.map((label) => [label.name, label.value]));
  if (view.description) details.description = cutChars(view.description, 4000);
  if (view.sample) details.sample = `${view.sample.type} in ${view.sample.service}: ${cutChars(view.sample.message, 1000)}`;
  if (view.stacktrace) details.stacktrace = cutChars(view.stacktrace, 8000);
  if (view.traceId) details.trace_id = view.traceId;
  if (view.group) details.group_id = view.group.id;
  return {
    routing_key: config.routingKey,
    event_action: notification.state === 'firing' ? 'trigger' : 'resolve',
    dedup_key: dedupKey(notification.groupKey),
    client: 'Faultline',
    payload: {
      summary: cutChars(`${view.title}${view.summary ? `: ${view.summary}` : ''}`, 1024),
      source: config.source,
      severity: PD_SEVERITY[notification.severity],
      timestamp: new Date(notification.endsAt ?? notification.startsAt).toISOString(),
      component: notification.labels.service ?? view.sample?.service,
      class: view.sample?.type,
      custom_details: details,
    },
    ...(view.group ? { links: [{ href: view.group.url, text: `Faultline error group ${view.group.id}` }] } : {}),
  };
}

export const createPagerDutyNotifier: ChannelFactory<PagerDutyConfig> = (config, { clock }) => {
  const secrets = [config.routingKey];
  return {
    name: config.name,
    secrets,
    notify: (notification, signal) =>
      postJson({ url: config.url, body: JSON.stringify(pagerDutyBody(notification, config)), signal, secrets, clock }),
  };
};

/** The pagerduty channel type: its keys (config.ts) and its notifier; listed in src/components.ts. */
export const pagerDutyChannel: ChannelType<PagerDutySettings, typeof PAGERDUTY_FIELDS> = {
  type: 'pagerduty',
  fields: PAGERDUTY_FIELDS,
  settings: pagerDutySettings,
  create: createPagerDutyNotifier,
};
