// webhook: POSTs the notification as JSON (fields per the channel's template) and, when secrets
// are set, signs the exact bytes with X-Faultline-Signature (see signature.ts, README "Notification
// channels"). The body carries `id`, so a receiver can drop a retry it already accepted, and for an
// alert about one error group `group_id` and `group_url` (GET it for the group).

import type { ChannelConfig } from '../config.js';
import { WEBHOOK_FIELDS, webhookSettings, type WebhookSettings } from './config.js';
import type { ChannelFactory, ChannelType } from '../channel.js';
import { postJson } from '../http-delivery.js';
import { buildMessage } from '../message.js';
import type { AlertNotification } from '../notification.js';
import { SIGNATURE_HEADER, signatureHeader } from './signature.js';

type WebhookConfig = ChannelConfig<WebhookSettings>;

/** The webhook's JSON body (also the kafka channel's message): only the channel's template is read. */
export function webhookBody(notification: AlertNotification, config: Pick<WebhookConfig, 'delivery'>): Record<string, unknown> {
  const shows = (field: (typeof config.delivery.template.fields)[number]) => config.delivery.template.fields.includes(field);
  const view = buildMessage(notification, config.delivery.template);
  const { sample } = notification;
  return {
    version: 1,
    id: notification.id,
    rule: notification.rule,
    state: notification.state,
    severity: notification.severity,
    group_key: notification.groupKey,
    group_id: notification.group?.id,
    group_url: notification.group?.url,
    labels: Object.fromEntries(view.labels.map((label) => [label.name, label.value])),
    annotations: shows('annotations') || shows('summary') || shows('description') ? annotationsShown(notification, shows) : {},
    value: shows('value') ? notification.value : undefined,
    threshold: shows('threshold') ? notification.threshold : undefined,
    window_seconds: shows('window') ? notification.windowMs / 1000 : undefined,
    started_at: shows('started') ? new Date(notification.startsAt).toISOString() : undefined,
    ended_at: shows('ended') && notification.endsAt !== undefined ? new Date(notification.endsAt).toISOString() : undefined,
    sample:
      sample && (shows('sample') || shows('stacktrace') || shows('trace_id'))
        ? {
            service: shows('sample') ? sample.service : undefined,
            type: shows('sample') ? sample.type : undefined,
            message: shows('sample') ? sample.message : undefined,
            stacktrace: view.stacktrace,
            trace_id: view.traceId,
          }
        : undefined,
  };
}

function annotationsShown(
  notification: AlertNotification,
  shows: (field: 'summary' | 'description' | 'annotations') => boolean,
): Record<string, string> {
  const shown: Record<string, string> = {};
  for (const [name, value] of Object.entries(notification.annotations)) {
    const field = name === 'summary' || name === 'description' ? name : 'annotations';
    if (shows(field)) shown[name] = value;
  }
  return shown;
}

export const createWebhookNotifier: ChannelFactory<WebhookConfig> = (config, { clock }) => {
  const secrets = [config.url, ...config.secrets];
  return {
    name: config.name,
    secrets,
    notify(notification, signal) {
      // Serialised once: these bytes are both signed and sent.
      const body = Buffer.from(JSON.stringify(webhookBody(notification, config)), 'utf8');
      const headers: Record<string, string> = { 'idempotency-key': notification.id };
      if (config.secrets.length > 0) {
        headers[SIGNATURE_HEADER] = signatureHeader(body, config.secrets, Math.floor(clock.now() / 1000));
      }
      return postJson({ url: config.url, body, headers, signal, secrets, clock });
    },
  };
};

/** The webhook channel type: its keys (config.ts) and its notifier; listed in src/components.ts. */
export const webhookChannel: ChannelType<WebhookSettings, typeof WEBHOOK_FIELDS> = {
  type: 'webhook',
  fields: WEBHOOK_FIELDS,
  settings: webhookSettings,
  create: createWebhookNotifier,
};
