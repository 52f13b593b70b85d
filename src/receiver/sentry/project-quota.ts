// Each project's quota of error events and transactions per minute (events_per_minute), counted in
// fixed one-minute windows of the receiver's clock. Past it, items are refused and the reply says so
// in Sentry's terms: `X-Sentry-Rate-Limits: <seconds left in the minute>:error;default;transaction:project:quota_exceeded`,
// which every Sentry SDK honours by holding back those categories until then (and telling us, in
// its next client report, how many it dropped: faultline_sentry_client_discarded_events_total).
// At most MAX_PROJECTS projects are tracked; past it the oldest window is forgotten (its count restarts).

import { FifoMap } from '../../internal/fifo-map.js';

const WINDOW_MS = 60_000;
export const MAX_PROJECTS = 1000;
/** The Sentry data categories the quota covers: error events and transactions (spans with them). */
export const QUOTA_CATEGORIES = 'error;default;transaction;span';

export interface ProjectQuota {
  /** Takes one unit of `projectId`'s quota; false when it is used up for this minute. */
  take(projectId: string, perMinute: number, now: number): boolean;
  /** Seconds until the project's window ends (at least 1). */
  secondsLeft(now: number): number;
}

export function createProjectQuota(): ProjectQuota {
  const windows = new FifoMap<string, { start: number; used: number }>();
  return {
    take(projectId, perMinute, now) {
      const start = now - (now % WINDOW_MS);
      let window = windows.get(projectId);
      if (window === undefined || window.start !== start) {
        if (window === undefined && windows.size >= MAX_PROJECTS) windows.shift();
        window = { start, used: 0 };
        windows.set(projectId, window);
      }
      if (window.used >= perMinute) return false;
      window.used++;
      return true;
    },
    secondsLeft(now) {
      return Math.max(1, Math.ceil((WINDOW_MS - (now % WINDOW_MS)) / 1000));
    },
  };
}

/** The X-Sentry-Rate-Limits value for a used-up quota. */
export function quotaHeader(seconds: number): string {
  return `${seconds}:${QUOTA_CATEGORIES}:project:quota_exceeded`;
}
