// Timing helpers shared by the benchmarks: a bounded loop that reports wall time and this
// process's CPU time, percentiles, and a plain-text table.

export interface LoopResult {
  readonly ops: number;
  readonly seconds: number;
  /** User + system CPU of this process during the loop, seconds. */
  readonly cpuSeconds: number;
}

/**
 * Runs `op` (which returns the items it processed) repeatedly: a warm-up of `warmupMs`, then
 * `slices` measured slices of `sliceMs` each, keeping the slice that spent the least CPU per item
 * (best-of-N: other load on a small box only ever makes a slice slower). Bounded: at most
 * `maxOps` calls per slice.
 */
export function timeLoop(
  op: (i: number) => number,
  sliceMs: number,
  slices = 1,
  warmupMs = Math.min(300, sliceMs),
  maxOps = 10_000_000,
): LoopResult & { items: number } {
  const warmupEnd = performance.now() + warmupMs;
  let i = 0;
  while (performance.now() < warmupEnd && i < maxOps) op(i++);
  let best: (LoopResult & { items: number }) | undefined;
  for (let slice = 0; slice < slices; slice++) {
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    const end = start + sliceMs;
    let ops = 0;
    let items = 0;
    // Check the clock every few ops only: performance.now() is not free at 1-span requests.
    while (ops < maxOps) {
      items += op(i++);
      ops++;
      if ((ops & 7) === 0 && performance.now() >= end) break;
    }
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const result = { ops, items, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
    if (best === undefined || result.cpuSeconds / result.items < best.cpuSeconds / best.items) best = result;
  }
  return best!;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** Formats a number for tables: 3 significant digits, k/M suffixes for large values. */
export function fmt(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${(value / 1e6).toPrecision(3)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toPrecision(3)}k`;
  if (abs >= 100) return value.toFixed(0);
  return value.toPrecision(3);
}

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [line(headers), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}
