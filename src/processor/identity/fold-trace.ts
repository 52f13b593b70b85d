// One trace's error records → its errors. A real error is recorded many times in a trace: as an
// `exception` event on each span it passes through (an Express layer span, the request-handler
// span…), as the ERROR status of the SERVER span, and as the log line an error middleware writes.
// foldTrace keeps one event per error and counts the rest as folded:
//
// 1. Records that describe an exception (exception span events, log records with exception.* or a
//    stack trace, reports) are one error when their types agree (equal, or one is the generic
//    `Error`) and either both have stack traces with the same frames, or their normalised messages
//    are equal. Each such error is an event.
// 2. Log records that only say something failed (an ERROR line without exception details) fold into
//    the trace's first exception; without one, each distinct normalised message is one error.
// 3. ERROR spans without an exception event fold into the trace's first error; a trace with no
//    other record yields one `span_status` event, however many of its spans failed.
//
// The kept event is the richest record (a stack trace, then an exception, then a span event), as
// grouped, with the highest level among its copies, and `handled` only when every span that
// recorded it ended well and no span of the trace failed with it. Errors remembered from an
// earlier settle of the same trace (`remembered`) take part too, so a late copy folds into the
// event already sent instead of counting twice.

import type { ErrorEvent, ErrorLevel, RequestContext } from '../../extract/error-event.js';
import { normalizeMessage } from '../../group/normalize-message.js';
import { hasKeyWithPrefix } from '../../otlp/protobuf/wire-attributes.js';

/**
 * What is remembered of an error after its trace settled: enough to recognise a late copy. The
 * normalised message and the frames are kept as 32-bit hashes (0: none), so a remembered trace
 * costs about 200 bytes whatever its stack trace; they are only ever compared among the errors of
 * one trace, where two different ones colliding is next to impossible.
 */
export interface RememberedError {
  readonly type: string;
  readonly messageKey: number;
  readonly stackKey: number;
  /** False for an error known only from an ERROR span or a plain ERROR log line. */
  readonly exception: boolean;
}

/** Why a record did not become an event of its own (faultline_error_records_folded_total{reason}). */
/** `duplicate` (the same event id delivered again, an SDK's retry) is decided by the identity processor itself. */
export type FoldReason = 'same_exception' | 'error_log' | 'error_span' | 'late' | 'duplicate';
export const FOLD_REASONS: readonly FoldReason[] = ['same_exception', 'error_log', 'error_span', 'late', 'duplicate'];

export interface FoldedTrace<R> {
  /** One per new error, with the record it was built from (its pipeline lane, for the caller). */
  readonly events: readonly { readonly event: ErrorEvent; readonly from: R }[];
  readonly folded: Readonly<Record<FoldReason, number>>;
  /** Every error of the trace so far: the remembered ones and the new ones. */
  readonly remembered: readonly RememberedError[];
}

interface Cluster<R> extends RememberedError {
  /** Undefined for an error remembered from an earlier settle: it was sent then. */
  readonly records?: { event: ErrorEvent; from: R }[];
}

const GENERIC_TYPES = new Set(['Error', 'SpanError', '']);

export function foldTrace<R>(
  records: readonly { readonly event: ErrorEvent; readonly from: R }[],
  remembered: readonly RememberedError[],
  requests: ReadonlyMap<string, RequestContext> | undefined,
): FoldedTrace<R> {
  const folded: Record<FoldReason, number> = { same_exception: 0, error_log: 0, error_span: 0, late: 0, duplicate: 0 };
  if (records.length === 1 && remembered.length === 0) {
    // Most traces that fail record their error once: nothing to compare.
    const record = records[0]!;
    const { event } = record;
    const exception = describesException(event);
    const identity = exception ? identityOf(event) : { type: event.type, messageKey: event.source === 'log' ? messageKeyOf(event) : 0, stackKey: 0 };
    return { events: [mergeRecords(records, requests)], folded, remembered: [{ ...identity, exception }] };
  }
  const clusters: Cluster<R>[] = [...remembered];
  const plainLogs: { event: ErrorEvent; from: R }[] = [];
  const errorSpans: { event: ErrorEvent; from: R }[] = [];

  for (const record of records) {
    const { event } = record;
    if (event.source === 'span_status') errorSpans.push(record);
    else if (!describesException(event)) plainLogs.push(record);
    else {
      const identity = identityOf(event);
      const match = clusters.find((cluster) => cluster.exception && sameException(cluster, identity));
      // A trace that so far only had a failed span or log line: this exception is what that was.
      const onlyPlain = match === undefined && clusters.length > 0 && clusters.every((c) => !c.exception && c.records === undefined);
      if (match !== undefined) joinOrFold(match, record, 'same_exception', folded);
      else if (onlyPlain) folded.late++;
      else clusters.push({ ...identity, exception: true, records: [record] });
    }
  }

  for (const record of plainLogs) {
    const messageKey = messageKeyOf(record.event);
    // The trace's exception, else the same line logged again, else a failure known only from an
    // ERROR span (remembered from an earlier settle: in one settle, spans fold after the logs).
    const target =
      clusters.find((cluster) => cluster.exception) ??
      clusters.find((cluster) => cluster.messageKey === messageKey) ??
      clusters.find((cluster) => cluster.messageKey === 0);
    if (target !== undefined) joinOrFold(target, record, 'error_log', folded);
    else clusters.push({ type: record.event.type, messageKey, stackKey: 0, exception: false, records: [record] });
  }

  for (const record of errorSpans) {
    const target = clusters[0];
    if (target !== undefined) joinOrFold(target, record, 'error_span', folded);
    else clusters.push({ type: record.event.type, messageKey: 0, stackKey: 0, exception: false, records: [record] });
  }

  const events: { event: ErrorEvent; from: R }[] = [];
  for (const cluster of clusters) if (cluster.records !== undefined) events.push(mergeRecords(cluster.records, requests));
  return {
    events,
    folded,
    remembered: clusters.map(({ type, messageKey, stackKey, exception }) => ({ type, messageKey, stackKey, exception })),
  };
}

function joinOrFold<R>(cluster: Cluster<R>, record: { event: ErrorEvent; from: R }, reason: FoldReason, folded: Record<FoldReason, number>): void {
  if (cluster.records === undefined) {
    folded.late++;
    return;
  }
  cluster.records.push(record);
  folded[reason]++;
}

/** Whether the record says what was thrown, rather than only that something failed. */
function describesException(event: ErrorEvent): boolean {
  switch (event.source) {
    case 'span':
    case 'report':
    case 'sentry':
      return true;
    case 'span_status':
      return false;
    case 'log':
      return event.stacktrace !== '' || hasKeyWithPrefix(event.attributes, 'exception.');
  }
}

function identityOf(event: ErrorEvent): Omit<RememberedError, 'exception'> {
  return { type: event.type, messageKey: messageKeyOf(event), stackKey: stackKeyOf(event) };
}

function sameException(a: Omit<RememberedError, 'exception'>, b: Omit<RememberedError, 'exception'>): boolean {
  const typesAgree = a.type === b.type || GENERIC_TYPES.has(a.type) || GENERIC_TYPES.has(b.type);
  if (!typesAgree) return false;
  if (a.stackKey !== 0 && b.stackKey !== 0) return a.stackKey === b.stackKey;
  return a.messageKey === b.messageKey;
}

/** The normalised message, hashed: the group processor's title already holds it, after the type. */
function messageKeyOf(event: ErrorEvent): number {
  const title = event.grouping?.title;
  if (title === undefined) return hashText(normalizeMessage(event.message));
  const typed = title.startsWith(event.type) && title.startsWith(': ', event.type.length);
  return hashText(title, typed ? event.type.length + 2 : 0);
}

/**
 * The frames that identify where an error was thrown, hashed: in-app frames (all frames when none
 * is in-app) by module and function, without line numbers. 0 without parsed frames.
 */
function stackKeyOf(event: ErrorEvent): number {
  const frames = event.grouping?.frames;
  if (frames === undefined || frames.length === 0) return 0;
  const anyInApp = frames.some((frame) => frame.inApp);
  let hash = FNV_OFFSET;
  for (const frame of frames) {
    if (anyInApp && !frame.inApp) continue;
    hash = fnv(fnv(hash, frame.module), frame.function);
  }
  return hash >>> 0 || 1;
}

const FNV_OFFSET = 0x811c9dc5;

/** FNV-1a over `text` from `start`, continuing `hash`; a separator ends each text. */
function fnv(hash: number, text: string, start = 0): number {
  for (let i = start; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return Math.imul(hash ^ 0x0a, 16777619);
}

/** 0 for no text, else a non-zero 32-bit hash. */
function hashText(text: string, start = 0): number {
  return start >= text.length ? 0 : fnv(FNV_OFFSET, text, start) >>> 0 || 1;
}

const LEVEL_RANK: Readonly<Record<ErrorLevel, number>> = { debug: 0, info: 1, warning: 2, error: 3, fatal: 4, critical: 5 };

/** The event one error becomes: its richest record, with what its other copies add. */
function mergeRecords<R>(
  records: readonly { event: ErrorEvent; from: R }[],
  requests: ReadonlyMap<string, RequestContext> | undefined,
): { event: ErrorEvent; from: R } {
  let best = records[0]!;
  for (const record of records) if (richness(record.event) > richness(best.event)) best = record;
  const server = requests?.get(best.event.service);
  if (records.length === 1 && server === undefined) return best;
  let level = best.event.level;
  let spanRecorded = false;
  let everyRecordingSpanEndedWell = true;
  // A Sentry SDK says itself whether the error was handled (mechanism.handled).
  let sentryRecorded = false;
  let sentryHandled = true;
  let traceFailed = false;
  for (const { event } of records) {
    if (LEVEL_RANK[event.level] > LEVEL_RANK[level]) level = event.level;
    if (event.source === 'span') {
      spanRecorded = true;
      if (!event.handled) everyRecordingSpanEndedWell = false;
    }
    if (event.source === 'sentry') {
      sentryRecorded = true;
      if (!event.handled) sentryHandled = false;
    }
    if (event.source === 'span_status') traceFailed = true;
  }
  const handled = (spanRecorded || sentryRecorded) && everyRecordingSpanEndedWell && sentryHandled && !traceFailed;
  const event: ErrorEvent = {
    ...best.event,
    level,
    handled,
    ...(server === undefined
      ? {}
      : {
          spanName: server.name,
          httpRoute: server.httpRoute || best.event.httpRoute,
          httpMethod: server.httpMethod || best.event.httpMethod,
          httpStatusCode: server.httpStatusCode || best.event.httpStatusCode,
        }),
  };
  return { event, from: best.from };
}

function richness(event: ErrorEvent): number {
  return (event.stacktrace !== '' ? 4 : 0) + (describesException(event) ? 2 : 0) + (event.source === 'span' ? 1 : 0);
}
