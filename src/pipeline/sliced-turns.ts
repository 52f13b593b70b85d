// Long work in slices that yield. One turn runs slices for at most a budget of time (at least one
// slice), then hands the event loop back (to I/O: health probes, other requests) and carries on at
// the next turn (setImmediate). The queue consumes its batches this way, the identity processor
// settles its due traces this way, and the turn gate lets one request decode per turn (a budget of
// 0), so none holds the loop for longer than a turn.

/** How long one turn runs slices before yielding (at least one slice). */
export const TURN_BUDGET_MS = 10;

/**
 * For work kept as an array read from index `head` (the queue's batches, the gate's waiters): the
 * head after a turn. The array empties once all is read; under steady load it never does, so its
 * read entries are dropped every 1,024.
 */
export function compactedHead(items: unknown[], head: number): number {
  if (head >= items.length) {
    items.length = 0;
    return 0;
  }
  if (head < 1024) return head;
  items.splice(0, head);
  return 0;
}

export interface SlicedTurns {
  /** Runs a turn at the next turn of the event loop (once, however often it is asked). */
  schedule(): void;
  /** Runs a turn now, unless one is already scheduled (it will do the work). */
  runNow(): void;
}

export function createSlicedTurns(options: {
  /** Does one slice of the work; returns whether any is left. */
  slice(): boolean;
  /** Called at the end of each turn, with whether work is left (another turn is scheduled). */
  afterTurn?(more: boolean): void;
  /** Default TURN_BUDGET_MS; tests make turns of one slice with a budget of 0. */
  budgetMs?: number;
}): SlicedTurns {
  const { slice, afterTurn } = options;
  const budgetMs = options.budgetMs ?? TURN_BUDGET_MS;
  let scheduled = false;

  function turn(): void {
    scheduled = false;
    const started = performance.now();
    let more: boolean;
    do more = slice();
    while (more && performance.now() - started < budgetMs);
    afterTurn?.(more);
    if (more) schedule();
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(turn);
  }

  return {
    schedule,
    runNow() {
      if (!scheduled) turn();
    },
  };
}
