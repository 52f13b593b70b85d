// Event ids and the stand-in grouping. An event's id is the one its receiver gave it (the report
// receiver does, at receive time, so it can answer with the id synchronously), else its time and a
// digest of what identifies the event: source, service, trace and span ids, time, type, message
// and stack trace. Both are deterministic, so an event delivered twice keeps one id.

import { createHash } from 'node:crypto';
import type { ErrorEvent } from '../../extract/error-event.js';
import { idTimePrefix } from '../../internal/time-ordered-id.js';
import type { Grouping } from '../grouping.js';

const EVENT_ID = /^[0-9a-f]{32}$/;

export function isEventId(value: string): boolean {
  return EVENT_ID.test(value);
}

/**
 * The event's time (idTimePrefix: 12 hex digits of milliseconds), then 20 digits of the digest:
 * live traffic's ids sort by arrival, so the samples' id index (and the Kafka buffer's) grows at
 * its end. With the digest alone every new sample wrote an index page of its own, at random.
 */
export function eventIdOf(event: ErrorEvent): string {
  if (event.id !== undefined) return event.id;
  const digest = createHash('sha256')
    .update(`${event.source}\0${event.service}\0${event.traceId}\0${event.spanId}\0${event.timestampMs}\0${event.type}\0${event.message}\0`)
    // Apart: joining kilobytes of stack trace to the rest would copy them first.
    .update(event.stacktrace)
    .digest('hex');
  return idTimePrefix(event.timestampMs) + digest.slice(0, 20);
}

/**
 * Used only when an event arrives without `grouping` (no `group` processor ran before the store):
 * a fingerprint of service + type + message, with no normalising and no frames.
 */
export function fallbackGrouping(event: ErrorEvent): Grouping {
  const firstLine = event.message.split('\n', 1)[0]!.slice(0, 200);
  return {
    fingerprint: createHash('sha256').update(`fallback\0${event.service}\0${event.type}\0${event.message}`).digest('hex'),
    method: 'message',
    rule: '',
    version: 0,
    title: firstLine === '' ? event.type : `${event.type}: ${firstLine}`,
    culprit: '',
    frames: [],
  };
}

/** A group's id: short, stable, derived from the service and fingerprint it was opened by. */
export function groupIdOf(key: string, length = 12): string {
  return createHash('sha256').update(key).digest('hex').slice(0, length);
}

/** Groups are per service: the same client fingerprint in two services is two groups. */
export function groupKeyOf(service: string, fingerprint: string): string {
  return `${service}\0${fingerprint}`;
}
