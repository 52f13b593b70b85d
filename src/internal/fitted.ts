// Work cut to a time budget: the queue's slices of events and SQLite's write units each hold the
// event loop for about one budget, whatever an item costs now.

/**
 * The next unit's size after `size` items took `tookMs`: scaled toward `budgetMs`, at most double
 * `growFrom` (the unit's size now; `size` unless fewer items were at hand), within 1..max.
 */
export function fitted(size: number, tookMs: number, budgetMs: number, max: number, growFrom = size): number {
  const scaled = Math.floor((size * budgetMs) / Math.max(tookMs, 0.01));
  return Math.max(1, Math.min(max, growFrom * 2, scaled));
}
