// Requests take turns at the event loop. Decoding an export request runs synchronously (a 4 MiB
// body: tens of milliseconds); when many bodies finish arriving together, their decodes would run
// back to back in one poll phase, and a health probe that arrived among them would wait for all of
// them (3.2 s with 32 concurrent ~4 MiB bodies). Through the gate, each request's decode waits for
// a turn: one is let through per turn of the loop (setImmediate), in arrival order, so I/O — probes,
// the next request's bytes — is served between any two decodes.

export interface TurnGate {
  /** Resolves at a later turn of the event loop, after the requests that asked before. */
  take(): Promise<void>;
  /** Requests waiting for their turn now. */
  readonly waiting: number;
}

export function createTurnGate(): TurnGate {
  const queue: (() => void)[] = [];
  let head = 0;
  let scheduled = false;

  function release(): void {
    scheduled = false;
    const next = queue[head];
    queue[head++] = undefined as unknown as () => void;
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
    } else {
      if (head >= 1024) {
        queue.splice(0, head);
        head = 0;
      }
      schedule();
    }
    next?.();
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(release);
  }

  return {
    take() {
      return new Promise<void>((resolve) => {
        queue.push(resolve);
        schedule();
      });
    },
    get waiting() {
      return queue.length - head;
    },
  };
}
