// Between the pipeline and the store: consume() must not wait for storage, so accepted events wait
// here, at most `maxPending` of them, and are written in transactions of at most `batchSize`.
// A full batch is written at the next turn of the event loop; fewer wait at most `intervalMs`, so a
// trickle of events costs one transaction per interval, not one per event. Each write has a turn
// of the loop of its own, apart from the add() that filled its batch and from the write before it
// (each batch is a short unit), so probes and requests are answered while a backlog drains.
//
// A failed write keeps its events and is retried after a pause that doubles up to `maxBackoffMs`;
// meanwhile new events are still taken until `maxPending` wait, then dropped and counted (never
// silently). What waits here is the window a kill -9 can lose: at most `intervalMs` of events when
// storage keeps up. flush() writes everything now (shutdown); it rejects when storage still fails
// after `deadline`, so the process can exit non-zero instead of claiming a clean stop.

import { setImmediate as nextTurn } from 'node:timers/promises';

export interface WriteBehind<T> {
  /** Takes items to write; those past maxPending are dropped (and reported through onDrop). */
  add(items: readonly T[]): void;
  /** Writes everything waiting; rejects with the last error if that is not done by `deadlineMs` (epoch ms). */
  flush(deadlineMs: number): Promise<void>;
  readonly pending: number;
  /** Stops the timer; items still waiting stay (call flush first). */
  stop(): void;
}

export function createWriteBehind<T>(options: {
  write: (items: readonly T[]) => Promise<void>;
  maxPending: number;
  batchSize: number;
  intervalMs: number;
  maxBackoffMs?: number;
  now?: () => number;
  onDrop: (count: number) => void;
  onFailure: (error: unknown) => void;
  onPendingChange?: (count: number) => void;
}): WriteBehind<T> {
  const { write, maxPending, batchSize, intervalMs, onDrop, onFailure } = options;
  const maxBackoffMs = options.maxBackoffMs ?? 5_000;
  const now = options.now ?? (() => performance.timeOrigin + performance.now());
  let waiting: T[] = [];
  let timer: NodeJS.Timeout | undefined;
  let draining: Promise<void> | undefined;
  let backoffMs = 0;
  let lastError: unknown;
  let stopped = false;

  const changed = () => options.onPendingChange?.(waiting.length);

  function schedule(): void {
    if (draining !== undefined || stopped || waiting.length === 0) return;
    if (waiting.length >= batchSize && backoffMs === 0) {
      clearTimeout(timer);
      timer = undefined;
      // add() runs inside the pipeline's own work: the write gets a turn of the loop of its own.
      draining = nextTurn().then(() => drain());
    } else if (timer === undefined) {
      timer = setTimeout(() => {
        timer = undefined;
        draining ??= drain();
      }, Math.max(intervalMs, backoffMs));
      timer.unref();
    }
  }

  /** Writes one batch, then more while full ones wait (yielding between them); the rest waits for the timer. */
  async function drain(all = false): Promise<void> {
    try {
      if (stopped && !all) return; // stopped while waiting for its turn
      while (waiting.length > 0) {
        const batch = waiting.slice(0, batchSize);
        try {
          await write(batch);
          lastError = undefined;
          backoffMs = 0;
        } catch (error) {
          lastError = error;
          onFailure(error);
          backoffMs = Math.min(maxBackoffMs, Math.max(100, backoffMs * 2));
          return;
        }
        waiting = waiting.slice(batch.length);
        changed();
        if (!all && waiting.length < batchSize) return;
        await nextTurn();
      }
    } finally {
      draining = undefined;
      schedule();
    }
  }

  return {
    add(items) {
      const room = Math.max(0, maxPending - waiting.length);
      if (items.length > room) onDrop(items.length - room);
      if (room === 0) return;
      for (let i = 0; i < Math.min(room, items.length); i++) waiting.push(items[i]!);
      changed();
      schedule();
    },
    async flush(deadlineMs) {
      while (waiting.length > 0) {
        if (draining !== undefined) {
          await draining;
          continue;
        }
        clearTimeout(timer);
        timer = undefined;
        draining = drain(true);
        await draining;
        if (waiting.length === 0) break;
        if (now() >= deadlineMs) throw lastError ?? new Error(`${waiting.length} items could not be written`);
        await new Promise((resolve) => setTimeout(resolve, Math.min(backoffMs || 100, Math.max(0, deadlineMs - now()))));
      }
    },
    get pending() {
      return waiting.length;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
