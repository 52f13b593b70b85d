// Time is passed in, never read from the global clock inside the pipeline, so tests drive a
// manual clock with no sleeps and no timing thresholds.

export interface Clock {
  /** Unix time in milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told to: for tests. */
export class ManualClock implements Clock {
  private current: number;
  constructor(startMs = 1_700_000_000_000) {
    this.current = startMs;
  }
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  set(ms: number): void {
    this.current = ms;
  }
}
