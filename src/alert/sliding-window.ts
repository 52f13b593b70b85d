// Sliding windows bounded in memory: a ring of slots, each covering `slotMs` (one second, or a few
// seconds for long windows), so a window costs the same whatever the traffic. The window at `now`
// is the slot holding `now` plus the slots before it, `slots` in all: it covers between
// window - slotMs and window of the past. A slot is reused when its time comes round again.
//
// CountWindow sums numbers (events, or errors and totals for a ratio); LatencyWindow keeps, per
// slot, a log-scale histogram of durations (±5% relative error, 1ms to ~3h) allocated on first use.

const MAX_COUNT_SLOTS = 120;
const MAX_LATENCY_SLOTS = 30;

export interface SlotLayout {
  readonly slotMs: number;
  readonly slots: number;
}

export function slotLayout(windowMs: number, maxSlots: number): SlotLayout {
  const slots = Math.max(1, Math.min(maxSlots, Math.ceil(windowMs / 1000)));
  return { slotMs: Math.ceil(windowMs / slots), slots };
}

export const countLayout = (windowMs: number) => slotLayout(windowMs, MAX_COUNT_SLOTS);
export const latencyLayout = (windowMs: number) => slotLayout(windowMs, MAX_LATENCY_SLOTS);

/** `width` counters per slot (1 for counts, 2 for error/total). */
export class CountWindow {
  private readonly ids: Float64Array;
  private readonly values: Float64Array;
  constructor(
    private readonly layout: SlotLayout,
    private readonly width: number,
  ) {
    this.ids = new Float64Array(layout.slots).fill(-1);
    this.values = new Float64Array(layout.slots * width);
  }

  add(now: number, column: number, amount: number): void {
    const id = Math.floor(now / this.layout.slotMs);
    const ring = id % this.layout.slots;
    if (this.ids[ring] !== id) {
      this.ids[ring] = id;
      this.values.fill(0, ring * this.width, ring * this.width + this.width);
    }
    this.values[ring * this.width + column] += amount;
  }

  sum(now: number, column: number): number {
    const newest = Math.floor(now / this.layout.slotMs);
    let total = 0;
    for (let ring = 0; ring < this.layout.slots; ring++) {
      const id = this.ids[ring];
      if (id > newest - this.layout.slots && id <= newest) total += this.values[ring * this.width + column];
    }
    return total;
  }

  /** True when no slot of the window at `now` holds data: the group can be forgotten. */
  isEmpty(now: number): boolean {
    const newest = Math.floor(now / this.layout.slotMs);
    for (let ring = 0; ring < this.layout.slots; ring++) {
      if (this.ids[ring] > newest - this.layout.slots && this.ids[ring] <= newest) return false;
    }
    return true;
  }
}

const MIN_SECONDS = 0.001;
const GAMMA = 1.1;
const LOG_GAMMA = Math.log(GAMMA);
const BINS = 170;

/** The histogram bin of a duration: 0 holds everything up to 1ms; the last bin everything above ~3h. */
export function latencyBin(seconds: number): number {
  if (!(seconds > MIN_SECONDS)) return 0;
  return Math.min(BINS - 1, Math.ceil(Math.log(seconds / MIN_SECONDS) / LOG_GAMMA));
}

/** A representative duration of a bin (the geometric middle of its bounds). */
export function binSeconds(bin: number): number {
  return bin === 0 ? MIN_SECONDS : MIN_SECONDS * Math.pow(GAMMA, bin - 0.5);
}

export class LatencyWindow {
  private readonly ids: Float64Array;
  private readonly histograms: (Uint32Array | null)[];
  constructor(private readonly layout: SlotLayout) {
    this.ids = new Float64Array(layout.slots).fill(-1);
    this.histograms = new Array<Uint32Array | null>(layout.slots).fill(null);
  }

  add(now: number, seconds: number): void {
    const id = Math.floor(now / this.layout.slotMs);
    const ring = id % this.layout.slots;
    let histogram = this.histograms[ring];
    if (histogram === null) histogram = this.histograms[ring] = new Uint32Array(BINS);
    else if (this.ids[ring] !== id) histogram.fill(0);
    this.ids[ring] = id;
    histogram[latencyBin(seconds)]++;
  }

  /** The q-quantile of the durations in the window, seconds, and how many there were. */
  quantile(now: number, q: number): { seconds: number; count: number } {
    const newest = Math.floor(now / this.layout.slotMs);
    const merged = new Float64Array(BINS);
    let count = 0;
    for (let ring = 0; ring < this.layout.slots; ring++) {
      const histogram = this.histograms[ring];
      const id = this.ids[ring];
      if (histogram === null || id <= newest - this.layout.slots || id > newest) continue;
      for (let bin = 0; bin < BINS; bin++) merged[bin] += histogram[bin];
    }
    for (let bin = 0; bin < BINS; bin++) count += merged[bin];
    if (count === 0) return { seconds: 0, count: 0 };
    // The nearest-rank quantile: the smallest value with at least q of the durations at or below it.
    const rank = Math.max(1, Math.ceil(q * count));
    let seen = 0;
    for (let bin = 0; bin < BINS; bin++) {
      seen += merged[bin];
      if (seen >= rank) return { seconds: binSeconds(bin), count };
    }
    return { seconds: binSeconds(BINS - 1), count };
  }

  isEmpty(now: number): boolean {
    const newest = Math.floor(now / this.layout.slotMs);
    return !this.ids.some((id) => id > newest - this.layout.slots && id <= newest);
  }
}
