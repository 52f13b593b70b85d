// Turns a rule and one of its groups into the AlertNotification handed to the delivery pipeline:
// labels (the rule's, then the group's), annotations templated with `{{ }}`, a default summary
// when the rule gives none, the sample error, the groupKey every channel dedups on, and for an
// alert about one error group (new_group, regression, or grouped by fingerprint) that group's id
// and link. The id is asked of the group store at each notification, so a resolve sent after the
// group was merged points to where it went.

import { createHash } from 'node:crypto';
import type { ErrorEvent } from '../extract/error-event.js';
import type { AlertNotification } from '../notify/notification.js';
import type { GroupState } from './alert-state.js';
import { isAboutOneGroup, type AlertRuleConfig } from './config.js';
import { fingerprintOf, labelsKey } from './group-table.js';
import { formatSeconds, formatValue, renderTemplate } from './template.js';

/** What the evaluator remembers of a group's latest data, for the notification's context. */
export interface GroupSample {
  readonly event?: ErrorEvent;
  readonly traceId?: string;
  /** The error group's title (new_group, regression). */
  readonly title?: string;
  /** The group store's id from the signal (new_group, regression). */
  readonly groupId?: string;
}

/** How an alert about one error group finds the group's id and link. */
export interface GroupLinks {
  /** The id of the group (service, fingerprint) files into now; undefined when no store holds it. */
  groupIdOf(service: string, fingerprint: string): string | undefined;
  url(groupId: string): string;
}


/** Stable for one rule and group, across notifications and restarts (PagerDuty's dedup_key). */
export function groupKeyOf(rule: string, labels: Readonly<Record<string, string>>): string {
  return createHash('sha256').update(`${rule}\u0000${labelsKey(labels)}`).digest('hex').slice(0, 32);
}

/**
 * The notification's idempotency key, the same wherever and whenever it is built from the same
 * incident: the group key (rule and labels), the state and the incident's start; a firing
 * notification also carries when it went out, so a reminder (repeat: cooldown) or a re-fire after
 * a cooldown is a new notification rather than a duplicate. Webhooks send it as Idempotency-Key;
 * the outbox keys its rows on it (notify/outbox-store.ts).
 */
export function notificationId(groupKey: string, state: 'firing' | 'resolved', startsAt: number, now: number): string {
  return state === 'resolved' ? `${groupKey}-resolved-${startsAt}` : `${groupKey}-firing-${startsAt}-${now}`;
}

export function formatThreshold(rule: AlertRuleConfig): string {
  return rule.type === 'latency' ? formatSeconds(rule.threshold) : formatValue(rule.type, rule.threshold);
}

export function buildNotification(
  rule: AlertRuleConfig,
  group: GroupState,
  state: 'firing' | 'resolved',
  now: number,
  sample: GroupSample | undefined,
  allChannels: readonly string[],
  links?: GroupLinks,
): AlertNotification {
  const groupKey = groupKeyOf(rule.name, group.labels);
  const labels = { ...rule.labels, ...group.labels };
  const errorGroup = links === undefined ? undefined : errorGroupOf(rule, group.labels, sample, links);
  const variables: Record<string, string> = {
    ...labels,
    rule: rule.name,
    value: formatValue(rule.type, group.value),
    threshold: formatThreshold(rule),
    severity: rule.severity,
    window: formatSeconds(rule.windowMs / 1000),
    title: sample?.title ?? (sample?.event === undefined ? '' : `${sample.event.type}: ${sample.event.message}`),
    message: sample?.event?.message ?? '',
    group_id: errorGroup?.id ?? '',
    group_url: errorGroup?.url ?? '',
  };
  const annotations: Record<string, string> = {};
  for (const [name, template] of Object.entries(rule.annotations)) annotations[name] = renderTemplate(template, variables);
  annotations.summary ??= defaultSummary(rule, variables, group.labels);
  return {
    id: notificationId(groupKey, state, group.startsAt, now),
    rule: rule.name,
    state,
    severity: rule.severity,
    groupKey,
    labels,
    annotations,
    value: group.value,
    threshold: rule.threshold,
    windowMs: rule.windowMs,
    startsAt: group.startsAt,
    ...(state === 'resolved' ? { endsAt: group.endsAt } : {}),
    ...sampleOf(rule, group, sample),
    ...(errorGroup === undefined ? {} : { group: errorGroup }),
    channels: rule.channels.length > 0 ? rule.channels : allChannels,
  };
}

function errorGroupOf(
  rule: AlertRuleConfig,
  labels: Readonly<Record<string, string>>,
  sample: GroupSample | undefined,
  links: GroupLinks,
): AlertNotification['group'] {
  if (!isAboutOneGroup(rule)) return undefined;
  const event = sample?.event;
  // Without a sample (a resolve after a restart) the labels still name the group when they hold both.
  const service = event?.service ?? labels.service;
  const fingerprint = labels.fingerprint ?? (event === undefined ? undefined : fingerprintOf(event));
  const known = service === undefined || fingerprint === undefined ? undefined : links.groupIdOf(service, fingerprint);
  const id = known ?? (sample?.groupId || undefined);
  return id === undefined ? undefined : { id, url: links.url(id) };
}

function defaultSummary(rule: AlertRuleConfig, v: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): string {
  const where = Object.entries(labels)
    .filter(([name, value]) => value !== '' && name !== 'fingerprint')
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
  const scope = where === '' ? '' : ` (${where})`;
  switch (rule.type) {
    case 'threshold':
      return `${v.value} errors in ${v.window}, ${rule.operator} ${v.threshold}${scope}`;
    case 'error_ratio':
      return `error ratio ${v.value} over ${v.window}, ${rule.operator} ${v.threshold}${scope}`;
    case 'latency':
      return `p${Math.round(rule.quantile * 100)} latency ${v.value} over ${v.window}, ${rule.operator} ${v.threshold}${scope}`;
    case 'absent':
      return `no data for ${v.value}${scope}`;
    case 'new_group':
      return `new error: ${v.title}${scope}`;
    case 'regression':
      return `regression: ${v.title}${scope}; latest: ${v.message}`;
  }
}

function sampleOf(rule: AlertRuleConfig, group: GroupState, sample: GroupSample | undefined): Pick<AlertNotification, 'sample'> {
  const event = sample?.event;
  if (event !== undefined) {
    return {
      sample: { service: event.service, type: event.type, message: event.message, stacktrace: event.stacktrace, traceId: event.traceId },
    };
  }
  if (sample?.traceId) {
    const slow = rule.type === 'latency';
    return {
      sample: {
        service: group.labels.service ?? '',
        type: slow ? 'SlowSpan' : 'SpanError',
        message: slow ? `a span took longer than ${formatThreshold(rule)}` : 'a span ended in ERROR',
        stacktrace: '',
        traceId: sample.traceId,
      },
    };
  }
  return {};
}
