// Requests take turns at the event loop. Decoding an export request runs synchronously (a 4 MiB
// body: tens of milliseconds); when many bodies finish arriving together, their decodes would run
// back to back in one poll phase, and a health probe that arrived among them would wait for all of
// them (3.2 s with 32 concurrent ~4 MiB bodies). Through the gate, each request's decode waits for
// a turn: one is let through per turn of the loop (setImmediate), in arrival order, so I/O — probes,
// the next request's bytes — is served between any two decodes (sliced-turns.ts, turns of one slice).

import { compactedHead, createSlicedTurns } from './sliced-turns.js';

export interface TurnGate {
  /** Resolves at a later turn of the event loop, after the requests that asked before. */
  take(): Promise<void>;
  /** Requests waiting for their turn now. */
  readonly waiting: number;
}

export function createTurnGate(): TurnGate {
  const queue: (() => void)[] = [];
  let head = 0;
  // Turns of one slice each (a budget of 0): one request through per turn.
  const turns = createSlicedTurns({
    budgetMs: 0,
    slice() {
      const next = queue[head];
      queue[head++] = undefined as unknown as () => void;
      next?.();
      return head < queue.length;
    },
    afterTurn() {
      head = compactedHead(queue, head);
    },
  });

  return {
    take() {
      return new Promise<void>((resolve) => {
        queue.push(resolve);
        turns.schedule();
      });
    },
    get waiting() {
      return queue.length - head;
    },
  };
}
