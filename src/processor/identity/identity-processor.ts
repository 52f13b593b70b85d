// The `identity` processor: one real error is one event, however many spans and logs of its trace
// record it. Error records with a trace id wait `settle_time` from the first one of their
// trace, because the spans and logs of one trace arrive in several export requests, over both
// receivers, in any order; then the trace's records are folded (fold-trace.ts) and the events go on
// down the pipeline that brought each kept record. SERVER and CONSUMER spans of a waiting trace give
// its errors their request context (route, method, status, transaction name). Records without a
// trace id, and reports, pass at once. Exception events marked handled are dropped here, once the
// trace has decided, when the pipeline's errors processor says include_handled_exceptions: false.
//
// Bounded (keys and defaults in config.ts): `max_pending_traces` traces wait at once, holding
// `max_pending_records` records in all and `max_records_per_trace` each; past a bound the oldest
// trace (or the full one) settles early: less folding, nothing lost. After settling, a trace's
// errors are remembered for `remember_for`, at most `remembered_traces` of them (about 660 bytes
// of heap each), oldest forgotten first, so a copy that arrives late folds into the event already
// sent; a late copy of a forgotten trace counts again. Due traces settle oldest first in slices
// that yield, as the queue is consumed (16 traces at a time, at most 10 ms of slices per turn of
// the event loop), so a tick that finds thousands due does not hold the loop. Everything waiting is
// settled at shutdown, at once, after the queue drained and before the exporters stop. A crash
// loses what waits, as it loses the queue: at most settle_time of errors.
//
// Metrics (label `processor`): faultline_error_records_total{source},
// faultline_error_records_folded_total{reason}, faultline_identity_pending_traces,
// faultline_identity_remembered_traces, faultline_identity_limit_hits_total{limit}.

import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Component } from '../../component.js';
import type { ErrorEvent, ErrorSource, Extracted, RequestContext, ServerSpan } from '../../extract/error-event.js';
import { requestContextOf } from '../../extract/from-spans.js';
import type { Clock } from '../../internal/clock.js';
import { FifoMap } from '../../internal/fifo-map.js';
import type { Consumer } from '../../pipeline/consumer.js';
import type { HoldingStage, LaneOptions } from '../../pipeline/processor.js';
import { EVENTS_PER_SLICE } from '../../pipeline/queue-stage.js';
import { createSlicedTurns } from '../../pipeline/sliced-turns.js';
import type { IdentityProcessorConfig } from './config.js';
import { FOLD_REASONS, foldTrace, type RememberedError } from './fold-trace.js';
import { createIdentityMetrics } from './identity-metrics.js';
import type { ProcessorFactory } from '../../component.js';
import { IDENTITY_DEFAULTS, identityProcessorType } from './config.js';

interface Lane {
  readonly next: Consumer;
  readonly options: LaneOptions;
}

interface PendingTrace {
  readonly settlesAt: number;
  readonly records: { event: ErrorEvent; from: Lane }[];
  /** The request of each service (its entry span), when one arrived while the trace waited. */
  requests?: Map<string, RequestContext>;
}

interface RememberedTrace {
  readonly forgetAt: number;
  readonly errors: readonly RememberedError[];
}

type Limit = 'pending_traces' | 'pending_records' | 'records_per_trace' | 'remembered_traces' | 'remembered_event_ids';
const LIMITS: readonly Limit[] = ['pending_traces', 'pending_records', 'records_per_trace', 'remembered_traces', 'remembered_event_ids'];
const SOURCES: readonly ErrorSource[] = ['span', 'span_status', 'log', 'report', 'sentry'];

export interface IdentityStage extends HoldingStage {
  /**
   * Folds and hands on the traces whose settle time has passed, oldest first: a first slice now,
   * the rest at later turns of the event loop (sliced-turns.ts). The timer calls it.
   */
  settleDue(): void;
  readonly component: Component;
}

export function createIdentityProcessor(
  config: IdentityProcessorConfig,
  context: { readonly registry: Registry; readonly clock: Clock; readonly logger: Logger },
  /** Defaults TRACES_PER_SLICE and TURN_BUDGET_MS; tests make turns of one small slice with a budget of 0. */
  slicing: { readonly tracesPerSlice?: number; readonly turnBudgetMs?: number } = {},
): { readonly holding: IdentityStage; readonly component: Component } {
  const { clock, logger } = context;
  const tracesPerSlice = slicing.tracesPerSlice ?? TRACES_PER_SLICE;
  const metrics = createIdentityMetrics(context.registry);
  const label = { processor: config.id };
  const recordsBySource = Object.fromEntries(SOURCES.map((source) => [source, metrics.records.labels({ ...label, source })]));
  const foldedBy = Object.fromEntries(FOLD_REASONS.map((reason) => [reason, metrics.folded.labels({ ...label, reason })]));
  const limitHits = Object.fromEntries(LIMITS.map((limit) => [limit, metrics.limitHits.labels({ ...label, limit })])) as Record<Limit, { inc(): void }>;
  for (const counter of [...Object.values(recordsBySource), ...Object.values(foldedBy), ...Object.values(limitHits)]) counter.inc(0);
  const pendingGauge = metrics.pendingTraces.labels(label);
  const rememberedGauge = metrics.rememberedTraces.labels(label);
  pendingGauge.set(0);
  rememberedGauge.set(0);

  // Oldest first is settle (and forget) order: one settle_time and one remember_for for all, so
  // due entries are always at the front.
  const pending = new FifoMap<string, PendingTrace>();
  const remembered = new FifoMap<string, RememberedTrace>();
  /** Sender-given event ids seen lately → when they are forgotten. */
  const seenIds = new FifoMap<string, { readonly forgetAt: number }>();
  /** Events settled since the last hand-on, per lane, so each lane gets one batch per settle. */
  let ready = new Map<Lane, ErrorEvent[]>();
  /** Records held by all pending traces. */
  let pendingRecords = 0;
  let timer: NodeJS.Timeout | undefined;

  function hold(event: ErrorEvent, lane: Lane, now: number): void {
    let trace = pending.get(event.traceId);
    if (trace === undefined) {
      if (pending.size >= config.maxPendingTraces) {
        const [oldestId, oldest] = pending.oldest()!;
        settle(oldestId, oldest, now);
        limitHits.pending_traces.inc();
      }
      trace = { settlesAt: now + config.settleTimeMs, records: [] };
      pending.set(event.traceId, trace);
    }
    trace.records.push({ event, from: lane });
    pendingRecords++;
    if (trace.records.length >= config.maxRecordsPerTrace) {
      settle(event.traceId, trace, now);
      limitHits.records_per_trace.inc();
    }
    while (pendingRecords > config.maxPendingRecords) {
      const [oldestId, oldest] = pending.oldest()!;
      settle(oldestId, oldest, now);
      limitHits.pending_records.inc();
    }
  }

  function attach(span: ServerSpan): void {
    const trace = pending.get(span.traceId);
    if (trace === undefined) return;
    trace.requests ??= new Map();
    const known = trace.requests.get(span.service);
    if (known === undefined || isBetterEntry(span, known)) trace.requests.set(span.service, requestContextOf(span));
  }

  function settle(traceId: string, trace: PendingTrace, now: number): void {
    pending.delete(traceId);
    pendingRecords -= trace.records.length;
    const memory = remembered.get(traceId);
    const earlier = memory !== undefined && memory.forgetAt > now ? memory.errors : [];
    const result = foldTrace(trace.records, earlier, trace.requests);
    for (const reason of FOLD_REASONS) if (result.folded[reason] > 0) foldedBy[reason]!.inc(result.folded[reason]);
    remember(traceId, result.remembered, now);
    for (const { event, from } of result.events) {
      let events = ready.get(from);
      if (events === undefined) ready.set(from, (events = []));
      events.push(event);
    }
  }

  function remember(traceId: string, errors: readonly RememberedError[], now: number): void {
    if (config.rememberedTraces === 0) return;
    remembered.delete(traceId);
    if (remembered.size >= config.rememberedTraces) {
      remembered.shift();
      limitHits.remembered_traces.inc();
    }
    remembered.set(traceId, { forgetAt: now + config.rememberForMs, errors });
  }

  function forgetExpired(now: number): void {
    for (let oldest = remembered.oldest(); oldest !== undefined && oldest[1].forgetAt <= now; oldest = remembered.oldest()) {
      remembered.shift();
    }
    for (let oldest = seenIds.oldest(); oldest !== undefined && oldest[1].forgetAt <= now; oldest = seenIds.oldest()) seenIds.shift();
  }

  /** Whether the sender already delivered an event with this id (an SDK retrying a request it thought lost). */
  function isRetry(id: string, now: number): boolean {
    if (config.rememberedEventIds === 0) return false;
    const seen = seenIds.get(id);
    if (seen !== undefined && seen.forgetAt > now) return true;
    seenIds.delete(id);
    if (seenIds.size >= config.rememberedEventIds) {
      seenIds.shift();
      limitHits.remembered_event_ids.inc();
    }
    seenIds.set(id, { forgetAt: now + config.rememberForMs });
    return false;
  }

  /** Hands the settled events on, one batch per lane. A failing stage downstream is logged, never thrown into the timer. */
  function handOn(): void {
    if (ready.size === 0) return;
    const batches = ready;
    ready = new Map();
    for (const [lane, events] of batches) {
      const kept = lane.options.includeHandledExceptions ? events : events.filter((event) => !event.handled);
      if (kept.length === 0) continue;
      try {
        lane.next.consume({ events: kept, timings: NO_TIMINGS, skippedExceptions: 0 });
      } catch (error) {
        logger.error({ err: error, processor: config.id }, 'a pipeline stage failed on settled error events');
      }
    }
  }

  function updateGauges(): void {
    pendingGauge.set(pending.size);
    rememberedGauge.set(remembered.size);
  }

  // A timer tick can find thousands of traces due at once: their folding, and their events' run
  // through the rest of the pipeline, go in slices that yield, like the queue's.
  const settling = createSlicedTurns({
    budgetMs: slicing.turnBudgetMs,
    slice: settleDueSlice,
    afterTurn() {
      forgetExpired(clock.now());
      updateGauges();
    },
  });

  /** Settles the oldest due traces, at most tracesPerSlice, and hands their events on; returns whether more are due. */
  function settleDueSlice(): boolean {
    const now = clock.now();
    for (let settled = 0; settled < tracesPerSlice; settled++) {
      const oldest = pending.oldest();
      if (oldest === undefined || oldest[1].settlesAt > now) break;
      settle(oldest[0], oldest[1], now);
    }
    handOn();
    const oldest = pending.oldest();
    return oldest !== undefined && oldest[1].settlesAt <= now;
  }

  function settleDue(): void {
    settling.runNow();
  }

  function settleAll(): void {
    const now = clock.now();
    for (let oldest = pending.oldest(); oldest !== undefined; oldest = pending.oldest()) settle(oldest[0], oldest[1], now);
    updateGauges();
    handOn();
  }

  const holding: IdentityStage = {
    lane(next, options) {
      const lane: Lane = { next, options };
      return {
        consume(batch) {
          const passing: ErrorEvent[] = [];
          const now = clock.now();
          const bySource: Record<ErrorSource, number> = { span: 0, span_status: 0, log: 0, report: 0, sentry: 0 };
          let duplicates = 0;
          for (const event of batch.events) {
            bySource[event.source]++;
            if (event.source === 'sentry' && event.id !== undefined && isRetry(event.id, now)) {
              duplicates++;
              continue;
            }
            const waits = config.settleTimeMs > 0 && event.traceId !== '' && event.source !== 'report';
            if (waits) hold(event, lane, now);
            else if (options.includeHandledExceptions || !event.handled) passing.push(event);
          }
          for (const source of SOURCES) if (bySource[source] > 0) recordsBySource[source]!.inc(bySource[source]);
          if (duplicates > 0) foldedBy.duplicate!.inc(duplicates);
          if (batch.serverSpans !== undefined && pending.size > 0) for (const span of batch.serverSpans) attach(span);
          updateGauges();
          // Records of a trace that hit a bound settled early: they go on now, before this batch.
          handOn();
          if (passing.length > 0 || batch.timings.length > 0) {
            next.consume(passing.length === batch.events.length ? batch : { ...batch, events: passing });
          }
        },
      };
    },
    settleDue,
    component: {
      async start() {
        if (config.settleTimeMs <= 0 || timer !== undefined) return;
        timer = setInterval(settleDue, Math.min(1000, Math.max(20, config.settleTimeMs / 5)));
        timer.unref();
      },
      async shutdown() {
        if (timer !== undefined) clearInterval(timer);
        timer = undefined;
        settleAll();
      },
    },
  };
  return { holding, component: holding.component };
}

const NO_TIMINGS: Extracted['timings'] = [];
/** Due traces settled, and their events handed on, at once: a trace folds to about one event, so as many as the queue's events per slice. */
const TRACES_PER_SLICE = EVENTS_PER_SLICE;

/** A SERVER span is the request; a CONSUMER span only when no SERVER span is known. The earliest of a kind is the entry. */
function isBetterEntry(candidate: ServerSpan, known: RequestContext): boolean {
  if (candidate.kind !== known.kind) return candidate.kind === 'server';
  return candidate.startTimeUnixNano < known.startTimeUnixNano;
}

export const identityProcessorFactory: ProcessorFactory<IdentityProcessorConfig> = {
  type: 'identity',
  defaults: IDENTITY_DEFAULTS,
  schema: identityProcessorType,
  create: createIdentityProcessor,
};
