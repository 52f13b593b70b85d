// An envelope's items → the batches to queue, one per pipeline, and what became of each item:
//   event            → an ErrorEvent (from-event.ts), into the traces pipeline (else logs)
//   transaction/span → span timings and ERROR-span events (from-spans.ts), into the traces pipeline
//   log              → log records through the errors processor's log rules (from-logs.ts), into logs
//   client_report    → counted, its discarded_events added to faultline_sentry_client_discarded_events_total
//   anything else    → counted (session, attachment, profile, replay…), never stored
// An item larger than max_event_size, not JSON, or not what its type needs is rejected alone. Events
// and transactions take a unit of their project's quota; past it they are refused as rate_limited.
// An item whose pipeline is not configured (a transaction when only logs list the receiver) is counted.

import type { ErrorEvent, Extracted, ServerSpan, SpanTiming } from '../../extract/error-event.js';
import { extractFromLogs } from '../../extract/from-logs.js';
import { extractFromTraces } from '../../extract/from-spans.js';
import type { SignalRoute } from '../../pipeline/ingest.js';
import type { ResolvedProject } from './auth.js';
import type { EnvelopeItem, ItemRejection } from './envelope.js';
import { fromSentryEvent, type TextLimits } from './from-event.js';
import { fromLogItems } from './from-logs.js';
import { fromSpanItems, fromTransaction } from './from-spans.js';
import type { ItemOutcome } from './sentry-metrics.js';
import { isRecord, textOf } from './sentry-values.js';

export interface ItemRoutes {
  /** Where error events go: the traces pipeline, else the logs one. */
  readonly events: SignalRoute | undefined;
  readonly traces: SignalRoute | undefined;
  readonly logs: SignalRoute | undefined;
}

export interface RouteBatch {
  readonly route: SignalRoute;
  readonly events: ErrorEvent[];
  readonly timings: SpanTiming[];
  readonly serverSpans: ServerSpan[];
  skippedExceptions: number;
  /** Items (events, spans, log records) for the queue's depth. */
  items: number;
}

export interface ItemsResult {
  readonly batches: readonly RouteBatch[];
  readonly outcomes: readonly { readonly type: string; readonly outcome: ItemOutcome }[];
  readonly rejected: readonly ItemRejection[];
  /** Events and transactions refused over quota. */
  readonly rateLimited: number;
  /** The client reports' discarded_events. */
  readonly discarded: readonly { readonly reason: string; readonly category: string; readonly quantity: number }[];
  /** The first event's id, for the reply. */
  readonly eventId: string;
}

export function readItems(
  items: readonly EnvelopeItem[],
  context: {
    readonly project: ResolvedProject;
    readonly routes: ItemRoutes;
    readonly maxEventBytes: number;
    readonly nowMs: number;
    /** Whether the envelope header's trace context (the dynamic sampling context) names a transaction: its events happened in a span. */
    readonly inSpan: boolean;
    /** Takes one unit of the project's quota; false when it is used up. */
    readonly takeQuota: () => boolean;
  },
): ItemsResult {
  const { project, routes, maxEventBytes } = context;
  const batches = new Map<SignalRoute, RouteBatch>();
  const outcomes: { type: string; outcome: ItemOutcome }[] = [];
  const rejected: ItemRejection[] = [];
  const discarded: { reason: string; category: string; quantity: number }[] = [];
  let rateLimited = 0;
  let eventId = '';
  const batchOf = (route: SignalRoute): RouteBatch => {
    let batch = batches.get(route);
    if (batch === undefined) batches.set(route, (batch = { route, events: [], timings: [], serverSpans: [], skippedExceptions: 0, items: 0 }));
    return batch;
  };
  const add = (route: SignalRoute, extracted: Extracted, items: number) => {
    const batch = batchOf(route);
    batch.events.push(...extracted.events);
    batch.timings.push(...extracted.timings);
    if (extracted.serverSpans !== undefined) batch.serverSpans.push(...extracted.serverSpans);
    batch.skippedExceptions += extracted.skippedExceptions;
    batch.items += items;
  };
  const note = (type: string, outcome: ItemOutcome): void => {
    outcomes.push({ type, outcome });
  };
  const reject = (type: string, rejection: ItemRejection): void => {
    rejected.push(rejection);
    note(type, 'rejected');
  };

  items.forEach((item, index) => {
    try {
      readItem(item, index);
    } catch (error) {
      // A payload nested past what the JSON reader or writer can walk: this item only.
      reject(item.type, { reason: 'invalid_payload', message: `item ${index} (${item.type}): ${(error as Error).message}` });
    }
  });
  return { batches: [...batches.values()], outcomes, rejected, rateLimited, discarded, eventId };

  function readItem(item: EnvelopeItem, index: number): void {
    const { type } = item;
    const at = `item ${index} (${type})`;
    const needsPayload = type === 'event' || type === 'transaction' || type === 'span' || type === 'log' || type === 'client_report';
    if (!needsPayload) return note(type, 'counted');
    if ((type === 'event' || type === 'transaction') && item.payload.length > maxEventBytes) {
      return reject(type, { reason: 'too_large', message: `${at}: ${item.payload.length} bytes; max_event_size is ${maxEventBytes}` });
    }
    let payload: unknown;
    try {
      payload = JSON.parse(item.payload.toString('utf8'));
    } catch (error) {
      return reject(type, { reason: 'invalid_payload', message: `${at}: not JSON (${(error as Error).message})` });
    }
    switch (type) {
      case 'event': {
        const route = routes.events;
        const read = fromSentryEvent(payload, project, {
          nowMs: context.nowMs,
          inSpan: context.inSpan,
          limits: route?.options ?? COUNTED_ONLY_LIMITS,
        });
        if (!read.ok) return reject(type, { reason: 'invalid_payload', message: `${at}: ${read.reason}` });
        if (eventId === '' && read.event.id !== undefined) eventId = read.event.id;
        if (!context.takeQuota()) {
          rateLimited++;
          return note(type, 'rate_limited');
        }
        if (route === undefined) return note(type, 'counted');
        add(route, { events: [read.event], timings: [], skippedExceptions: 0 }, 1);
        return note(type, 'stored');
      }
      case 'transaction':
      case 'span': {
        const read = type === 'transaction' ? fromTransaction(payload, project) : fromSpanItems(payload, project);
        if (!read.ok) return reject(type, { reason: 'invalid_payload', message: `${at}: ${read.reason}` });
        if (type === 'transaction' && !context.takeQuota()) {
          rateLimited++;
          return note(type, 'rate_limited');
        }
        if (routes.traces === undefined) return note(type, 'counted');
        add(routes.traces, extractFromTraces(read.traces, routes.traces.options), read.traces.spanCount);
        return note(type, 'stored');
      }
      case 'log': {
        const read = fromLogItems(payload, project);
        if (!read.ok) return reject(type, { reason: 'invalid_payload', message: `${at}: ${read.reason}` });
        if (routes.logs === undefined) return note(type, 'counted');
        add(routes.logs, extractFromLogs(read.logs, routes.logs.options), read.logs.logRecordCount);
        return note(type, 'stored');
      }
      default: {
        // client_report
        const entries = isRecord(payload) && Array.isArray(payload.discarded_events) ? payload.discarded_events.slice(0, 100) : [];
        for (const entry of entries) {
          if (!isRecord(entry)) continue;
          const quantity = entry.quantity;
          if (typeof quantity === 'number' && Number.isSafeInteger(quantity) && quantity > 0) {
            discarded.push({ reason: textOf(entry.reason), category: textOf(entry.category), quantity });
          }
        }
        return note(type, 'counted');
      }
    }
  }
}

/** Caps for an event no pipeline will store (it is only counted). */
const COUNTED_ONLY_LIMITS: TextLimits = { maxMessageBytes: 8192, maxStacktraceBytes: 65536 };
