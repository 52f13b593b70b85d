// A Sentry `log` item (`application/vnd.sentry.items.log+json`: `{items: [{timestamp, level, body,
// trace_id, severity_number, attributes: {k: {value, type}}}]}`) → OTLP's decoded log records, so
// extract/from-logs.ts turns them into error events by the same rules as OTLP logs
// (processors.errors.log_min_severity…). The severity number is the SDK's, else read from `level`.
// The resource is the project's service (a `service.name` attribute wins), release and environment.
// The trace id is kept only for records logged in a span (`sentry.trace.parent_span_id` or a span
// id): outside spans the SDK's trace id is one made up for the whole process (see from-event.ts).

import type { AttributeValue, DecodedLogs, LogRecord, ResourceLogs } from '../../otlp/types.js';
import { hexId, isRecord, textOf, timeNanos, typedAttributes, type ProjectIdentity } from './sentry-values.js';

const MAX_RECORDS_PER_ITEM = 1000;
const MAX_ATTRIBUTES = 64;

/** Sentry log levels → the OTel severity number of their range's start. */
const SEVERITY: Readonly<Record<string, number>> = { trace: 1, debug: 5, info: 9, warn: 13, warning: 13, error: 17, fatal: 21 };

export type LogsResult = { readonly ok: true; readonly logs: DecodedLogs } | { readonly ok: false; readonly reason: string };

export function fromLogItems(payload: unknown, project: ProjectIdentity): LogsResult {
  if (!isRecord(payload) || !Array.isArray(payload.items)) return { ok: false, reason: 'the log item has no items list' };
  // Records are grouped by the service, release and environment their attributes name.
  const byResource = new Map<string, { resource: Map<string, AttributeValue>; records: LogRecord[] }>();
  let count = 0;
  for (const item of payload.items.slice(0, MAX_RECORDS_PER_ITEM)) {
    if (!isRecord(item)) continue;
    const attributes = new Map<string, AttributeValue>();
    typedAttributes(item.attributes, attributes, MAX_ATTRIBUTES);
    const service = textOf(attributes.get('service.name')).trim() || project.service;
    const release = textOf(attributes.get('sentry.release'));
    const environment = textOf(attributes.get('sentry.environment')) || project.environment;
    const key = `${service}\0${release}\0${environment}`;
    let group = byResource.get(key);
    if (group === undefined) {
      const resource = new Map<string, AttributeValue>([
        ['service.name', service],
        ['service.version', release],
        ['deployment.environment.name', environment],
      ]);
      byResource.set(key, (group = { resource, records: [] }));
    }
    const level = textOf(item.level).toLowerCase();
    const given = item.severity_number;
    const time = timeNanos(item.timestamp);
    const spanId = hexId(item.span_id, 16) || hexId(attributes.get('sentry.trace.parent_span_id'), 16);
    group.records.push({
      timeUnixNano: time,
      observedTimeUnixNano: time,
      severityNumber: typeof given === 'number' && Number.isInteger(given) && given >= 1 && given <= 24 ? given : (SEVERITY[level] ?? 0),
      severityText: level.toUpperCase(),
      body: textOf(item.body),
      attributes,
      traceId: spanId === '' ? '' : hexId(item.trace_id, 32),
      spanId,
      eventName: '',
    });
    count++;
  }
  if (count === 0) return { ok: false, reason: 'the log item holds no log record' };
  const resourceLogs: ResourceLogs[] = [...byResource.values()].map(({ resource, records }) => ({
    resource,
    scopeLogs: [{ scopeName: 'sentry', logRecords: records }],
  }));
  return { ok: true, logs: { resourceLogs, logRecordCount: count, rejected: [] } };
}
