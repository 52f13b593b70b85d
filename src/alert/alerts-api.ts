// The alerts API on the admin endpoint:
//   GET  /api/v1/alerts       every rule of every alerts exporter, each group with its state,
//                             value, last notification and cooldown deadline; and every channel
//                             with its type, circuit state, queued notifications and delivery
//                             outcomes (since start; on PostgreSQL, of every replica: the
//                             latest, with its time and reason, is this replica's)
//   POST /api/v1/alerts/test  body {"channel"?: name}: a test notification to that channel (or
//                             all), answered with each channel's result; 200 when all delivered,
//                             502 when one was not, 404 for an unknown channel, 400 for a bad body
// Registered once per admin server however many alerts exporters there are. Channel settings
// (URLs, keys) never appear; URLs inside delivery reasons are cut to their origin.

import type http from 'node:http';
import { json, type AdminRoutes } from '../admin/admin-server.js';
import type { ChannelView } from '../notify/channel-lane.js';
import type { DeliveryResult } from '../notify/notification.js';
import type { RuleView } from './evaluator.js';

export interface AlertsApiSource {
  readonly exporter: string;
  readonly channels: readonly string[];
  view(): RuleView[];
  test(channel?: string): Promise<Record<string, DeliveryResult>>;
  /** Each channel's delivery state; absent, the API lists none. */
  channelViews?(): (ChannelView & { readonly type: string })[];
}

const sourcesByAdmin = new WeakMap<AdminRoutes, AlertsApiSource[]>();
const MAX_BODY_BYTES = 64 * 1024;

export function registerAlertsApi(admin: AdminRoutes, source: AlertsApiSource): void {
  let sources = sourcesByAdmin.get(admin);
  if (sources !== undefined) {
    sources.push(source);
    return;
  }
  sources = [source];
  sourcesByAdmin.set(admin, sources);
  const all = sources;
  admin.route('GET', '/api/v1/alerts', (_request, response) => json(response, 200, { rules: all.flatMap(describeRules), channels: all.flatMap(describeChannels) }));
  admin.route('POST', '/api/v1/alerts/test', async (request, response) => {
    const body = await readJson(request);
    if (body === undefined || (body.channel !== undefined && typeof body.channel !== 'string')) {
      json(response, 400, { error: 'expected a JSON body {"channel": "<name>"} or an empty body' });
      return;
    }
    const channel = body.channel as string | undefined;
    const targets = all.filter((s) => channel === undefined || s.channels.includes(channel));
    if (channel !== undefined && targets.length === 0) {
      json(response, 404, { error: `no alerts exporter has a channel named "${channel}"` });
      return;
    }
    const results: Record<string, unknown>[] = [];
    for (const target of targets) {
      const outcome = await target.test(channel);
      for (const [name, result] of Object.entries(outcome)) results.push({ exporter: target.exporter, channel: name, ...describeResult(result) });
    }
    json(response, results.every((r) => r.outcome === 'delivered') ? 200 : 502, { results });
  });
}

function describeRules(source: AlertsApiSource): Record<string, unknown>[] {
  return source.view().map(({ rule, groups }) => ({
    exporter: source.exporter,
    name: rule.name,
    type: rule.type,
    severity: rule.severity,
    window_seconds: rule.windowMs / 1000,
    for_seconds: rule.forMs / 1000,
    cooldown_seconds: rule.cooldownMs / 1000,
    repeat: rule.repeat,
    threshold: rule.threshold,
    channels: rule.channels.length > 0 ? rule.channels : source.channels,
    groups: groups.map((g) => ({
      labels: g.labels,
      group_key: g.groupKey,
      state: g.state,
      value: g.value,
      active_since: time(g.activeSince),
      starts_at: time(g.startsAt),
      ends_at: time(g.endsAt),
      last_notified_at: time(g.lastNotifiedAt),
      cooldown_until: time(g.cooldownUntil),
    })),
  }));
}

function describeChannels(source: AlertsApiSource): Record<string, unknown>[] {
  return (source.channelViews?.() ?? []).map((channel) => ({
    exporter: source.exporter,
    name: channel.name,
    type: channel.type,
    circuit: channel.circuit,
    queued: channel.queued,
    outcomes: channel.outcomes,
    last: channel.last === undefined ? null : { outcome: channel.last.outcome, at: time(channel.last.atMs), reason: redactUrls(channel.last.reason) },
  }));
}

function time(ms: number): string | null {
  return ms > 0 ? new Date(ms).toISOString() : null;
}

function describeResult(result: DeliveryResult): Record<string, unknown> {
  if (result.outcome === 'delivered') return { outcome: 'delivered' };
  const reason = redactUrls(result.reason);
  if (result.outcome === 'retryable' && result.retryAfterMs !== undefined) return { outcome: result.outcome, reason, retry_after_ms: result.retryAfterMs };
  return { outcome: result.outcome, reason };
}

/** Webhook URLs carry secrets in their paths and queries: keep the origin only. */
export function redactUrls(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (url) => {
    try {
      const parsed = new URL(url);
      return `${parsed.protocol}//${parsed.host}/…`;
    } catch {
      return '[url]';
    }
  });
}

async function readJson(request: http.IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
