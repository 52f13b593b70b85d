// The Kafka message of one error event: key = its group id (one group's events stay in one
// partition, in order), value = JSON of schema `faultline.error_event` version 1 (docs/kafka.md
// describes every field), headers = the schema, its version, the service and the event id.
// `template.fields` picks the optional fields; the identifying ones are always there. What is
// sent was scrubbed upstream (the scrub processor runs first in every pipeline).

import type { ErrorEvent } from '../extract/error-event.js';
import { eventIdOf, fallbackGrouping, groupIdOf, groupKeyOf } from '../group/store/event-id.js';
import type { OutgoingMessage } from './producer.js';

export const EVENT_SCHEMA = 'faultline.error_event';
export const EVENT_SCHEMA_VERSION = 1;

/** The fields `template.fields` may pick; every one by default. */
export const EVENT_FIELDS = [
  'service_version',
  'environment',
  'source',
  'level',
  'type',
  'message',
  'stacktrace',
  'title',
  'culprit',
  'grouping',
  'trace',
  'span',
  'http',
  'handled',
] as const;
export type EventField = (typeof EVENT_FIELDS)[number];

/** Where an event's group id comes from: the groups store's answer (after merges), else the id a new group gets. */
export type GroupIdLookup = (service: string, fingerprint: string) => string | undefined;

export function eventMessage(event: ErrorEvent, fields: ReadonlySet<EventField>, lookup: GroupIdLookup): OutgoingMessage & { readonly eventId: string } {
  const grouping = event.grouping ?? fallbackGrouping(event);
  const groupId = lookup(event.service, grouping.fingerprint) ?? groupIdOf(groupKeyOf(event.service, grouping.fingerprint));
  const eventId = eventIdOf(event);
  const shows = (field: EventField) => fields.has(field);
  const value = {
    schema: EVENT_SCHEMA,
    version: EVENT_SCHEMA_VERSION,
    event_id: eventId,
    group_id: groupId,
    fingerprint: grouping.fingerprint,
    service: event.service,
    timestamp: new Date(event.timestampMs).toISOString(),
    service_version: shows('service_version') ? event.serviceVersion : undefined,
    environment: shows('environment') ? event.environment : undefined,
    source: shows('source') ? event.source : undefined,
    level: shows('level') ? event.level : undefined,
    type: shows('type') ? event.type : undefined,
    message: shows('message') ? event.message : undefined,
    stacktrace: shows('stacktrace') ? event.stacktrace : undefined,
    title: shows('title') ? grouping.title : undefined,
    culprit: shows('culprit') ? grouping.culprit : undefined,
    grouping: shows('grouping') ? { method: grouping.method, rule: grouping.rule, version: grouping.version } : undefined,
    trace_id: shows('trace') ? event.traceId : undefined,
    span_id: shows('span') ? event.spanId : undefined,
    span_name: shows('span') ? event.spanName : undefined,
    http: shows('http')
      ? { route: event.httpRoute, method: event.httpMethod, status_code: event.httpStatusCode, url_path: event.urlPath }
      : undefined,
    handled: shows('handled') ? event.handled : undefined,
  };
  return {
    eventId,
    key: groupId,
    value: JSON.stringify(value),
    headers: {
      'faultline-schema': EVENT_SCHEMA,
      'faultline-schema-version': String(EVENT_SCHEMA_VERSION),
      'faultline-service': event.service,
      'faultline-event-id': eventId,
    },
  };
}
