// Events over time for the API and the web UI: the store's hourly counts (store/event-hours.ts)
// laid into buckets that end with the current hour. `24h` is 24 buckets of an hour, `14d` 14
// buckets of a day (rolling days ending with the current hour, so both ranges agree on the newest
// events whatever the viewer's time zone).

import { HOUR_MS, hourOf, type HourCount } from '../store/event-hours.js';

export const HISTOGRAM_RANGES = { '24h': { buckets: 24, bucketMs: HOUR_MS }, '14d': { buckets: 14, bucketMs: 24 * HOUR_MS } } as const;
export type HistogramRange = keyof typeof HISTOGRAM_RANGES;

export function isHistogramRange(text: string): text is HistogramRange {
  return Object.hasOwn(HISTOGRAM_RANGES, text);
}

/** Where the oldest bucket of `range` starts, at `nowMs`. */
export function rangeStart(range: HistogramRange, nowMs: number): number {
  const { buckets, bucketMs } = HISTOGRAM_RANGES[range];
  return hourOf(nowMs) + HOUR_MS - buckets * bucketMs;
}

/** Counts per bucket, oldest first, for each group id. */
export function bucketCounts(range: HistogramRange, nowMs: number, hours: readonly HourCount[]): Map<string, number[]> {
  const { buckets, bucketMs } = HISTOGRAM_RANGES[range];
  const start = rangeStart(range, nowMs);
  const byGroup = new Map<string, number[]>();
  for (const hour of hours) {
    const index = Math.floor((hour.hourMs - start) / bucketMs);
    if (index < 0 || index >= buckets) continue;
    let counts = byGroup.get(hour.groupId);
    if (counts === undefined) byGroup.set(hour.groupId, (counts = new Array<number>(buckets).fill(0)));
    counts[index]! += hour.count;
  }
  return byGroup;
}

/** One group's histogram by release: the shape of GET /api/v1/groups/:id/histogram. */
export function histogramView(range: HistogramRange, nowMs: number, hours: readonly HourCount[]) {
  const { buckets, bucketMs } = HISTOGRAM_RANGES[range];
  const start = rangeStart(range, nowMs);
  const rows = Array.from({ length: buckets }, (_, index) => ({ start: new Date(start + index * bucketMs).toISOString(), count: 0, releases: {} as Record<string, number> }));
  const releases = new Map<string, { count: number; firstMs: number; lastMs: number }>();
  for (const hour of hours) {
    const index = Math.floor((hour.hourMs - start) / bucketMs);
    if (index < 0 || index >= buckets) continue;
    const row = rows[index]!;
    row.count += hour.count;
    row.releases[hour.release] = (row.releases[hour.release] ?? 0) + hour.count;
    const seen = releases.get(hour.release);
    if (seen === undefined) releases.set(hour.release, { count: hour.count, firstMs: hour.hourMs, lastMs: hour.hourMs });
    else {
      seen.count += hour.count;
      seen.firstMs = Math.min(seen.firstMs, hour.hourMs);
      seen.lastMs = Math.max(seen.lastMs, hour.hourMs);
    }
  }
  return {
    range,
    bucket_seconds: bucketMs / 1000,
    start: new Date(start).toISOString(),
    buckets: rows,
    releases: [...releases].map(([release, seen]) => ({
      release,
      count: seen.count,
      first_hour: new Date(seen.firstMs).toISOString(),
      last_hour: new Date(seen.lastMs).toISOString(),
    })),
  };
}
