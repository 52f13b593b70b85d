// email: one message per notification over SMTP (nodemailer), plain text and HTML with the same
// content (an alert about one error group names it and links to it). SMTP answers classify like HTTP ones: 4xx replies and lost connections are retryable,
// 5xx replies and refused logins are not. nodemailer takes no AbortSignal, so the attempt's
// deadline also bounds the connection, greeting and socket timeouts. close() closes the transport
// (and any pooled connection) at shutdown.

import type { Transporter } from 'nodemailer';
import type { ChannelFactory, ChannelType } from '../channel.js';
import type { ChannelConfig } from '../config.js';
import { EMAIL_FIELDS, emailSettings, type EmailSettings } from './config.js';
import { buildMessage, cutChars, type MessageView } from '../message.js';
import type { AlertNotification, DeliveryResult } from '../notification.js';
import { reasonOf } from '../redact.js';

type EmailConfig = ChannelConfig<EmailSettings>;

export function emailText(view: MessageView): string {
  const lines = [view.title, ''];
  if (view.summary) lines.push(view.summary, '');
  if (view.description) lines.push(view.description, '');
  if (view.group) lines.push(`error group ${view.group.id}: ${view.group.url}`, '');
  for (const fact of view.facts) lines.push(`${fact.name}: ${fact.value}`);
  if (view.labels.length > 0) lines.push('', 'labels:', ...view.labels.map((label) => `  ${label.name}=${label.value}`));
  if (view.sample) lines.push('', `${view.sample.type} in ${view.sample.service}: ${view.sample.message}`);
  if (view.traceId) lines.push(`trace: ${view.traceId}`);
  if (view.stacktrace) lines.push('', view.stacktrace);
  return lines.join('\n');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function emailHtml(view: MessageView): string {
  const rows = [...view.facts, ...view.labels]
    .map((field) => `<tr><th align="left">${escapeHtml(field.name)}</th><td>${escapeHtml(field.value)}</td></tr>`)
    .join('');
  const parts = [`<h2>${escapeHtml(view.title)}</h2>`];
  if (view.summary) parts.push(`<p><strong>${escapeHtml(view.summary)}</strong></p>`);
  if (view.description) parts.push(`<p>${escapeHtml(view.description)}</p>`);
  if (view.group) {
    parts.push(`<p>error group <a href="${escapeHtml(view.group.url)}">${escapeHtml(view.group.id)}</a></p>`);
  }
  parts.push(`<table>${rows}</table>`);
  if (view.sample) {
    parts.push(`<p><code>${escapeHtml(view.sample.type)}</code> in ${escapeHtml(view.sample.service)}: ${escapeHtml(view.sample.message)}</p>`);
  }
  if (view.traceId) parts.push(`<p>trace <code>${escapeHtml(view.traceId)}</code></p>`);
  if (view.stacktrace) parts.push(`<pre>${escapeHtml(view.stacktrace)}</pre>`);
  return `<!doctype html><html><body>${parts.join('\n')}</body></html>`;
}

function classify(error: unknown, secrets: readonly string[]): DeliveryResult {
  const { responseCode, code } = (error ?? {}) as { responseCode?: number; code?: string };
  const reason = `smtp: ${reasonOf(error, secrets)}`;
  if (typeof responseCode === 'number') {
    return responseCode >= 400 && responseCode < 500 ? { outcome: 'retryable', reason } : { outcome: 'failed', reason };
  }
  if (code === 'EAUTH' || code === 'EENVELOPE' || code === 'EMESSAGE') return { outcome: 'failed', reason };
  return { outcome: 'retryable', reason };
}

export const createEmailNotifier: ChannelFactory<EmailConfig> = (config) => {
  const secrets = [config.password, config.username].filter((secret) => secret !== '');
  const timeout = config.delivery.timeoutMs;
  const options = {
    host: config.host,
    port: config.port,
    secure: config.tls === 'implicit',
    requireTLS: config.tls === 'starttls',
    ignoreTLS: config.tls === 'none',
    auth: config.username === '' ? undefined : { user: config.username, pass: config.password },
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  };
  // nodemailer is loaded at the first message (a few hundred ms of every start otherwise).
  let transport: Transporter | undefined;
  const transportOf = async (): Promise<Transporter> => (transport ??= (await import('nodemailer')).default.createTransport(options));
  return {
    name: config.name,
    secrets,
    async notify(notification: AlertNotification, signal: AbortSignal) {
      const view = buildMessage(notification, config.delivery.template);
      const sending = transportOf()
        .then((ready) => ready.sendMail({
          from: config.from,
          to: [...config.to],
          subject: cutChars(`${view.title}${view.summary ? `: ${view.summary}` : ''}`, 200).replace(/[\r\n]+/g, ' '),
          text: emailText(view),
          html: emailHtml(view),
          headers: { 'X-Faultline-Notification-Id': notification.id },
        }))
        .then((): DeliveryResult => ({ outcome: 'delivered' }), (error: unknown) => classify(error, secrets));
      const aborted = new Promise<DeliveryResult>((resolve) => {
        const onAbort = () => resolve({ outcome: 'retryable', reason: 'smtp: timed out' });
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      });
      return Promise.race([sending, aborted]);
    },
    async close() {
      transport?.close();
    },
  };
};

/** The email channel type: its keys (config.ts) and its notifier; listed in src/components.ts. */
export const emailChannel: ChannelType<EmailSettings, typeof EMAIL_FIELDS> = {
  type: 'email',
  fields: EMAIL_FIELDS,
  settings: emailSettings,
  create: createEmailNotifier,
};
