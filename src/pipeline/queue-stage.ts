// The bounded queue between the receivers and the consumers. Receivers answer the sender as soon
// as a batch is decoded and queued; the queue drains on the next turn of the event loop. When it
// holds `capacity` items (spans + log records) it admits nothing more: receivers then answer 503
// / UNAVAILABLE with Retry-After, so senders retry and nothing is lost. A batch is admitted
// whole when there is room at the moment it arrives, so the depth may pass capacity by at most
// one request. It also admits nothing while a downstream stage reports a backlog (`backlog`: the
// groups exporter while storage is behind), so a slow store slows senders down instead of making
// the pipeline drop what it acknowledged. A consumer that throws costs only its own batch: the
// batches behind it are still handed on, its items are given back, and drain() still resolves.
// Metrics: faultline_pipeline_queue_items, faultline_pipeline_queue_capacity (and, through
// onFailure, faultline_pipeline_failures_total{stage="queue"}).

import { FaultlineError } from '../errors.js';
import type { Extracted } from '../extract/error-event.js';
import type { Consumer, OnStageFailure } from './consumer.js';

export interface QueueStage {
  /** Whether a new batch would be admitted now. */
  hasRoom(): boolean;
  /** Why a downstream stage cannot take more now ('' when none is behind). */
  backlog(): string;
  /** True once drain() has begun: nothing more is admitted. */
  readonly closed: boolean;
  /** Queues a batch of `items` items for `consumer` (the caller checked hasRoom). */
  enqueue(batch: Extracted, items: number, consumer: Consumer): void;
  readonly depth: number;
  readonly capacity: number;
  /** Stops admitting and resolves once every queued batch has been consumed. */
  drain(): Promise<void>;
}

export function createQueueStage(options: {
  capacity: number;
  /** Told about a consumer that threw past its own stages' guards (stage `queue`). */
  onFailure: OnStageFailure;
  onDepthChange?: (depth: number) => void;
  /** Asked before each admission: a reason while a stage downstream is behind, '' otherwise. */
  backlog?: () => string;
}): QueueStage {
  const { capacity, onFailure, onDepthChange } = options;
  const backlog = options.backlog ?? (() => '');
  let pending: { batch: Extracted; items: number; consumer: Consumer }[] = [];
  let depth = 0;
  let scheduled = false;
  let closed = false;
  let drained: (() => void) | undefined;
  let draining: Promise<void> | undefined;

  function flush(): void {
    scheduled = false;
    const batches = pending;
    pending = [];
    for (const { batch, items, consumer } of batches) {
      try {
        consumer.consume(batch);
      } catch (error) {
        onFailure('queue', error);
      } finally {
        depth -= items;
      }
    }
    onDepthChange?.(depth);
    if (depth === 0 && drained !== undefined) drained();
  }

  return {
    hasRoom: () => !closed && depth < capacity && backlog() === '',
    backlog,
    enqueue(batch, items, consumer) {
      pending.push({ batch, items, consumer });
      depth += items;
      onDepthChange?.(depth);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    get depth() {
      return depth;
    },
    get closed() {
      return closed;
    },
    capacity,
    drain() {
      closed = true;
      if (depth === 0) return Promise.resolve();
      return (draining ??= new Promise<void>((resolve) => {
        drained = resolve;
      }));
    },
  };
}

const RETRY_AFTER_SECONDS = 1;

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
  const why = behind !== '' ? behind : `pipeline queue is full (${queue.capacity} items)`;
  throw new FaultlineError('FL_OVERLOADED', `${why}; retry later`, {
    retryAfterSeconds: RETRY_AFTER_SECONDS,
  });
}
