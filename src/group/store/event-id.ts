// Event ids and the stand-in grouping. An event's id is the one its receiver gave it (the report
// receiver does, at receive time, so it can answer with the id synchronously), else its time and a
// digest of what identifies the event: source, service, trace and span ids, time, type, message
// and stack trace. Both are deterministic, so an event delivered twice keeps one id.

import { createHash } from 'node:crypto';
import type { ErrorEvent } from '../../extract/error-event.js';
import type { Grouping } from '../grouping.js';

const EVENT_ID = /^[0-9a-f]{32}$/;

export function isEventId(value: string): boolean {
  return EVENT_ID.test(value);
}

/** The largest time an event id holds: 12 hex digits of milliseconds (the year 10889). */
const ID_TIME_MAX = 0xffff_ffff_ffff;

/**
 * The event's time in milliseconds (12 hex digits, as a UUIDv7 starts), then 20 of the digest.
 * Live traffic's ids so sort by arrival, and the samples' id index (and the Kafka buffer's) grows
 * at its end: with the digest alone every new sample wrote an index page of its own at random
 * (bench/README.md, "Event ids that start with their time").
 */
export function eventIdOf(event: ErrorEvent): string {
  if (event.id !== undefined) return event.id;
  const time = Number.isFinite(event.timestampMs) ? Math.min(Math.max(Math.trunc(event.timestampMs), 0), ID_TIME_MAX) : 0;
  const digest = createHash('sha256')
    .update(`${event.source}\0${event.service}\0${event.traceId}\0${event.spanId}\0${event.timestampMs}\0${event.type}\0${event.message}\0`)
    // Apart: joining kilobytes of stack trace to the rest would copy them first.
    .update(event.stacktrace)
    .digest('hex');
  return time.toString(16).padStart(12, '0') + digest.slice(0, 20);
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
