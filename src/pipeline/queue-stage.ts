// The bounded queue between the receivers and the consumers. Receivers answer the sender as soon
// as a batch is decoded and queued; the queue drains on the next turn of the event loop. When it
// holds `capacity` items (spans + log records), or `capacityBytes` of estimated memory
// (batch-bytes.ts; request bodies being read count too, reserveBody, and bodies waiting for their
// turn to decode or decoding, holdBytes), it admits
// nothing more: receivers then answer 503 / UNAVAILABLE with
// Retry-After, so senders retry and nothing is lost. A batch is admitted whole when there is room
// at the moment it arrives, so the queue may pass either bound by at most one request. It also admits nothing while a downstream stage reports a backlog (`backlog`: the
// groups exporter while storage is behind), so a slow store slows senders down instead of making
// the pipeline drop what it acknowledged. The queue is consumed in slices that yield: a batch goes
// to its consumer at most EVENTS_PER_SLICE events, or TIMINGS_PER_SLICE span timings or server
// spans, at a time (an error event costs its processors about a thousand times what a timing does:
// stack parsing, grouping, identity): its events, then its timings, then its server spans (after
// every event of the batch, as the identity processor expects), or the whole batch at once when it
// is within those sizes. A slice of events is sized by what events cost in the last one: new
// groups' events (stack parsing, fingerprints, scrubbing) cost 1–3 ms each, so 16 of them held the
// loop for 25–45 ms; slices shrink until one takes about TURN_BUDGET_MS, and grow back (at most
// doubling per slice, never past EVENTS_PER_SLICE) when events are cheap again.
// One turn of the event loop consumes slices for at most TURN_BUDGET_MS (10 ms)
// before handing the loop back (to I/O: health probes, other requests) and carrying on at the next
// turn (sliced-turns.ts). A consumer that throws costs only that slice: the rest is still handed on, the batch's
// items are given back, and drain() still resolves.
// Metrics: faultline_pipeline_queue_items, faultline_pipeline_queue_capacity,
// faultline_pipeline_queue_bytes, faultline_pipeline_queue_capacity_bytes,
// faultline_pipeline_reading_bytes (through onDepthChange; and, through onFailure,
// faultline_pipeline_failures_total{stage="queue"}).

import { FaultlineError } from '../errors.js';
import type { Extracted } from '../extract/error-event.js';
import { fitted } from '../internal/fitted.js';
import { batchBytes } from './batch-bytes.js';
import type { Consumer, OnStageFailure } from './consumer.js';
import { compactedHead, createSlicedTurns, TURN_BUDGET_MS } from './sliced-turns.js';
import { createTurnGate, type TurnGate } from './turn-gate.js';

export interface QueueStage {
  /** Whether a new batch would be admitted now. */
  hasRoom(): boolean;
  /** Why a downstream stage cannot take more now ('' when none is behind). */
  backlog(): string;
  /** True once drain() has begun: nothing more is admitted. */
  readonly closed: boolean;
  /**
   * Queues a batch of `items` items for `consumer` (the caller checked hasRoom); `requestBytes`:
   * the size of the decoded request it came from (part of its memory while it waits; batch-bytes.ts).
   */
  enqueue(batch: Extracted, items: number, consumer: Consumer, requestBytes?: number): void;
  readonly depth: number;
  readonly capacity: number;
  /**
   * Counts a request body that waits for its turn to decode against capacityBytes, until the
   * returned function is called (its turn has come): bodies read from many connections at once
   * are memory the queue's bound must cover too.
   */
  holdBytes(bytes: number): () => void;
  /**
   * Counts a request body against capacityBytes while it is being read (reserve() as its
   * Content-Length is known or its bytes arrive), so bodies read from many connections at once
   * are bounded before they are read. reserve() throws what admitInto() does when the queue admits
   * nothing now; close() gives every byte back (ingest's turn() then holds the body itself).
   */
  reserveBody(): BodyReservation;
  /** Bytes of bodies being read now (reserveBody), part of `bytes`. */
  readonly readingBytes: number;
  /** The estimated bytes waiting (queued batches and held bodies), and the most the queue admits. */
  readonly bytes: number;
  readonly capacityBytes: number;
  /** Stops admitting and resolves once every queued batch has been consumed. */
  drain(): Promise<void>;
  /** Where receivers wait for their turn to decode a request (turn-gate.ts), one gate per queue. */
  readonly turns: TurnGate;
}

export interface BodyReservation {
  reserve(bytes: number): void;
  close(): void;
}

/** The most error events handed to a consumer at once (fewer while they are slow: see the top). */
export const EVENTS_PER_SLICE = 16;
/** Span timings, or server spans, handed to a consumer at once (a few µs each). */
export const TIMINGS_PER_SLICE = 1024;

interface Pending {
  readonly batch: Extracted;
  readonly items: number;
  readonly bytes: number;
  readonly consumer: Consumer;
  /** Events, then timings, then server spans handed on so far. */
  offset: number;
}

export function createQueueStage(options: {
  capacity: number;
  /** Default: no bound in bytes (tests of the item bound). */
  capacityBytes?: number;
  /** Told about a consumer that threw past its own stages' guards (stage `queue`). */
  onFailure: OnStageFailure;
  /** `readingBytes`: the part of `bytes` that bodies being read hold (reserveBody). */
  onDepthChange?: (depth: number, bytes: number, readingBytes: number) => void;
  /** Asked before each admission: a reason while a stage downstream is behind, '' otherwise. */
  backlog?: () => string;
  /** Defaults EVENTS_PER_SLICE, TIMINGS_PER_SLICE and TURN_BUDGET_MS (sliced-turns.ts); tests make turns of one slice with a budget of 0. */
  eventsPerSlice?: number;
  timingsPerSlice?: number;
  turnBudgetMs?: number;
  /** Times slices of events (ms); tests pass their own. Default performance.now. */
  now?: () => number;
}): QueueStage {
  const { capacity, onFailure, onDepthChange } = options;
  const capacityBytes = options.capacityBytes ?? Number.POSITIVE_INFINITY;
  const backlog = options.backlog ?? (() => '');
  const eventsPerSlice = options.eventsPerSlice ?? EVENTS_PER_SLICE;
  const sliceBudgetMs = options.turnBudgetMs || TURN_BUDGET_MS;
  const now = options.now ?? (() => performance.now());
  /** Events in the next slice: eventsPerSlice, or fewer while events are slow. */
  let eventsNow = eventsPerSlice;
  const timingsPerSlice = options.timingsPerSlice ?? TIMINGS_PER_SLICE;
  const pending: Pending[] = [];
  let head = 0;
  let depth = 0;
  let bytes = 0;
  let readingBytes = 0;
  let closed = false;
  let drained: (() => void) | undefined;
  let draining: Promise<void> | undefined;

  const turns = createSlicedTurns({
    budgetMs: options.turnBudgetMs,
    slice() {
      consumeSlice(pending[head]!);
      return head < pending.length;
    },
    afterTurn() {
      head = compactedHead(pending, head);
      onDepthChange?.(depth, bytes, readingBytes);
      if (depth === 0 && drained !== undefined) drained();
    },
  });

  /** Hands the next slice of the oldest batch to its consumer; a finished batch leaves the queue. */
  function consumeSlice(entry: Pending): void {
    const { batch, consumer } = entry;
    const [events, timings, serverSpans] = segmentsOf(batch);
    const total = events + timings + serverSpans;
    const from = entry.offset;
    const whole = from === 0 && events <= eventsNow && timings <= timingsPerSlice && serverSpans <= timingsPerSlice;
    const to = whole ? total : from < events ? Math.min(events, from + eventsNow) : Math.min(from < events + timings ? events + timings : total, from + timingsPerSlice);
    entry.offset = to;
    const last = to === total;
    const eventsHanded = Math.max(0, Math.min(to, events) - from);
    const started = eventsHanded > 0 ? now() : 0;
    try {
      consumer.consume(whole ? batch : sliceOf(batch, from, to));
    } catch (error) {
      onFailure('queue', error);
    }
    if (eventsHanded > 0) eventsNow = fitted(eventsHanded, now() - started, sliceBudgetMs, eventsPerSlice, eventsNow);
    if (!last) return;
    depth -= entry.items;
    bytes -= entry.bytes;
    pending[head++] = undefined as unknown as Pending;
  }

  const stage: QueueStage = {
    hasRoom: () => !closed && depth < capacity && bytes < capacityBytes && backlog() === '',
    backlog,
    enqueue(batch, items, consumer, requestBytes = 0) {
      const batchSize = batchBytes(batch, requestBytes);
      pending.push({ batch, items, bytes: batchSize, consumer, offset: 0 });
      depth += items;
      bytes += batchSize;
      onDepthChange?.(depth, bytes, readingBytes);
      turns.schedule();
    },
    get depth() {
      return depth;
    },
    holdBytes(held) {
      bytes += held;
      onDepthChange?.(depth, bytes, readingBytes);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        bytes -= held;
        onDepthChange?.(depth, bytes, readingBytes);
      };
    },
    get bytes() {
      return bytes;
    },
    get readingBytes() {
      return readingBytes;
    },
    reserveBody() {
      let reserved = 0;
      return {
        reserve(more) {
          admitInto(stage);
          reserved += more;
          readingBytes += more;
          bytes += more;
          onDepthChange?.(depth, bytes, readingBytes);
        },
        close() {
          if (reserved === 0) return;
          readingBytes -= reserved;
          bytes -= reserved;
          reserved = 0;
          onDepthChange?.(depth, bytes, readingBytes);
        },
      };
    },
    capacityBytes,
    get closed() {
      return closed;
    },
    capacity,
    turns: createTurnGate(),
    drain() {
      closed = true;
      if (depth === 0) return Promise.resolve();
      return (draining ??= new Promise<void>((resolve) => {
        drained = resolve;
      }));
    },
  };
  return stage;
}

/** A batch's items in the order they are handed on: its events, its timings, its server spans. */
function segmentsOf(batch: Extracted): [number, number, number] {
  return [batch.events.length, batch.timings.length, batch.serverSpans?.length ?? 0];
}

/** Items [from, to) of a batch, counted over its events, then its timings, then its server spans; within one segment. */
function sliceOf(batch: Extracted, from: number, to: number): Extracted {
  const [events, timings] = segmentsOf(batch);
  const slice: Extracted = {
    events: from < events ? batch.events.slice(from, to) : [],
    timings: from >= events && from < events + timings ? batch.timings.slice(from - events, to - events) : [],
    skippedExceptions: from === 0 ? batch.skippedExceptions : 0,
  };
  if (from < events + timings) return slice;
  return { ...slice, serverSpans: batch.serverSpans!.slice(from - events - timings, to - events - timings) };
}

const RETRY_AFTER_SECONDS = 1;

function mib(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
}

/**
 * Throws the retryable error a receiver answers when `queue` admits nothing now: FL_SHUTTING_DOWN
 * while draining, FL_OVERLOADED when full or behind. Every receiver admits through this one rule.
 */
export function admitInto(queue: QueueStage): void {
  if (queue.hasRoom()) return;
  if (queue.closed) {
    throw new FaultlineError('FL_SHUTTING_DOWN', 'Faultline is shutting down; retry against another instance or later', {
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    });
  }
  const behind = queue.backlog();
  const why = behind !== '' ? behind : queue.depth >= queue.capacity ? `pipeline queue is full (${queue.capacity} items)` : `pipeline queue is full (${mib(queue.capacityBytes)} of events waiting)`;
  throw new FaultlineError('FL_OVERLOADED', `${why}; retry later`, {
    retryAfterSeconds: RETRY_AFTER_SECONDS,
  });
}
