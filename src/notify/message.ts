// What a notification says, before a channel lays it out: the fields its template keeps (labels
// such as request headers can be hidden, the stack trace cut to its last useful lines), and the
// helpers every channel uses to fit text into its service's limits with "… N more lines" rather
// than letting the service refuse the message. An alert about one error group always shows the
// group's id and link, whatever the template: it is how a reader gets from the alert to the issue.

import type { TemplateConfig, TemplateField } from './config.js';
import type { AlertNotification } from './notification.js';

export interface MessageField {
  readonly name: string;
  readonly value: string;
}

export interface MessageView {
  /** `[FIRING] rule` or `[RESOLVED] rule`. */
  readonly title: string;
  readonly summary?: string;
  readonly description?: string;
  /** value, threshold, window, started, ended, severity, then other annotations. */
  readonly facts: readonly MessageField[];
  /** The labels left after `hide_labels`. */
  readonly labels: readonly MessageField[];
  readonly sample?: { readonly service: string; readonly type: string; readonly message: string };
  /** Already cut to `max_stacktrace_lines`. */
  readonly stacktrace?: string;
  readonly traceId?: string;
  /** The error group the alert is about, with its link. */
  readonly group?: { readonly id: string; readonly url: string };
}

export function buildMessage(notification: AlertNotification, template: TemplateConfig): MessageView {
  const shows = (field: TemplateField) => template.fields.includes(field);
  const { annotations, sample } = notification;
  const facts: MessageField[] = [{ name: 'severity', value: notification.severity }];
  if (shows('value')) facts.push({ name: 'value', value: formatNumber(notification.value) });
  if (shows('threshold')) facts.push({ name: 'threshold', value: formatNumber(notification.threshold) });
  if (shows('window')) facts.push({ name: 'window', value: formatDuration(notification.windowMs) });
  if (shows('started')) facts.push({ name: 'started', value: new Date(notification.startsAt).toISOString() });
  if (shows('ended') && notification.endsAt !== undefined) {
    facts.push({ name: 'ended', value: new Date(notification.endsAt).toISOString() });
  }
  if (shows('annotations')) {
    for (const [name, value] of Object.entries(annotations)) {
      if (name !== 'summary' && name !== 'description') facts.push({ name, value });
    }
  }
  const labels = shows('labels')
    ? Object.entries(notification.labels)
        .filter(([name]) => !isHidden(name, template.hideLabels))
        .map(([name, value]) => ({ name, value }))
    : [];
  return {
    title: `[${notification.state.toUpperCase()}] ${notification.rule}`,
    summary: shows('summary') ? annotations.summary : undefined,
    description: shows('description') ? annotations.description : undefined,
    facts,
    labels,
    sample: shows('sample') && sample ? { service: sample.service, type: sample.type, message: sample.message } : undefined,
    stacktrace:
      shows('stacktrace') && sample && sample.stacktrace !== ''
        ? cutLines(sample.stacktrace, template.maxStacktraceLines)
        : undefined,
    traceId: shows('trace_id') && sample && sample.traceId !== '' ? sample.traceId : undefined,
    group: notification.group,
  };
}

export function isHidden(label: string, hidden: readonly string[]): boolean {
  return hidden.some((pattern) => (pattern.endsWith('*') ? label.startsWith(pattern.slice(0, -1)) : label === pattern));
}

/** The first `maxLines` lines, then "… N more lines". */
export function cutLines(text: string, maxLines: number): string {
  const lines = text.split('\n');
  if (lines.length <= maxLines) return text;
  return [...lines.slice(0, maxLines), moreLines(lines.length - maxLines)].join('\n');
}

export function moreLines(count: number): string {
  return `… ${count} more line${count === 1 ? '' : 's'}`;
}

/**
 * `text` within `maxChars` (UTF-16 units, as the services count): whole lines while they fit,
 * then "… N more lines"; a single overlong line is cut with "…". Never splits a surrogate pair.
 */
export function fitText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const lines = text.split('\n');
  let kept = 0;
  let length = 0;
  for (; kept < lines.length; kept++) {
    const next = length + (kept > 0 ? 1 : 0) + lines[kept].length;
    // Room for the marker of the lines that would still be left out.
    if (next + 1 + moreLines(lines.length - kept - 1).length > maxChars) break;
    length = next;
  }
  if (kept === 0) return cutChars(lines[0], maxChars - 1 - moreLines(lines.length - 1).length) + '\n' + moreLines(lines.length - 1);
  return [...lines.slice(0, kept), moreLines(lines.length - kept)].join('\n');
}

/** At most `maxChars` units, ending in "…" when cut. */
export function cutChars(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  if (maxChars <= 0) return '';
  let end = maxChars - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/** Fields up to `max`, the last replaced by "+N more" when some do not fit. */
export function capFields(fields: readonly MessageField[], max: number): MessageField[] {
  if (fields.length <= max) return [...fields];
  const kept = fields.slice(0, max - 1);
  return [...kept, { name: `+${fields.length - kept.length} more`, value: fields.slice(max - 1).map((f) => f.name).join(', ') }];
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
