// The values the groups were seen with, per facet (service, environment, release, level): the
// group_values table (migration 8) behind GET /api/v1/groups/facets and the web UI's filter
// suggestions. Reading them from the groups would read every group (environments and releases
// are JSON lists in each row); this table holds one row per value with the last time an event
// carrying it was filed (Faultline's clock, not the event's, which a client may skew), so the
// answer is a walk of its (exporter, facet, last_seen_ms) index, most recent first.
// Filing a batch upserts the values of its events, each at most once a minute per store (a
// bounded cache of what it wrote): the table costs a few writes a minute, not one per batch, and
// last_seen is exact to that minute. Bounded by time: values not seen for HOURS_KEPT_MS (14 days)
// are deleted with the expired samples (a group keeps its own lists for longer).

import type { ErrorEvent } from '../../extract/error-event.js';
import { LruCache } from '../../internal/lru-cache.js';
import type { SqlSession } from '../../storage/storage.js';
import { HOURS_KEPT_MS } from './event-hours.js';

export const FACETS = ['service', 'environment', 'release', 'level'] as const;
export type Facet = (typeof FACETS)[number];

/** A value seen, and when an event carrying it was last filed (Unix ms, to the minute). */
export interface FacetValue {
  readonly value: string;
  readonly lastSeenMs: number;
}

/** How stale a value's last_seen may get before a batch writes it again (by this store). */
export const REWRITE_AFTER_MS = 60_000;
/** Values whose last write a store remembers. */
const REMEMBERED = 4_096;

const UPSERT = `INSERT INTO group_values (exporter, facet, value, last_seen_ms) VALUES (?, ?, ?, ?)
  ON CONFLICT (exporter, facet, value) DO UPDATE SET last_seen_ms = excluded.last_seen_ms WHERE group_values.last_seen_ms < excluded.last_seen_ms`;
/** The newest values of one facet: a walk of group_values_recent backwards. */
export const NEWEST_VALUES = 'SELECT value, last_seen_ms FROM group_values WHERE exporter = ? AND facet = ? ORDER BY last_seen_ms DESC, value LIMIT ?';

/** Upserts `keys` (facet NUL value, from due()) as last seen at `nowMs`. */
export async function writeValues(sql: SqlSession, exporter: string, keys: readonly string[], nowMs: number): Promise<void> {
  for (const key of keys) {
    const [facet, value] = key.split('\0') as [Facet, string];
    await sql.run(UPSERT, [exporter, facet, value, nowMs]);
  }
}

export function createValueNotes(exporter: string): {
  /** What `events` carried that this store has not written within REWRITE_AFTER_MS, for writeValues(). */
  due(events: readonly ErrorEvent[], nowMs: number): string[];
  /** Remembers what writeValues() wrote at `nowMs`, once its transaction committed. */
  remember(keys: readonly string[], nowMs: number): void;
  newest(sql: SqlSession, facet: Facet, limit: number): Promise<FacetValue[]>;
  expire(sql: SqlSession, nowMs: number): Promise<number>;
} {
  const written = new LruCache<string, number>(REMEMBERED);
  return {
    due(events, nowMs) {
      const seen = new Set<string>();
      const see = (facet: Facet, value: string) => value !== '' && seen.add(`${facet}\0${value}`);
      for (const event of events) {
        see('service', event.service);
        see('environment', event.environment);
        see('release', event.serviceVersion);
        see('level', event.level);
      }
      // In a fixed order, so replicas writing the same values never deadlock each other.
      return [...seen].sort().filter((key) => {
        const last = written.get(key);
        return last === undefined || nowMs >= last + REWRITE_AFTER_MS;
      });
    },
    remember(keys, nowMs) {
      for (const key of keys) written.set(key, nowMs);
    },
    newest: async (sql, facet, limit) =>
      (await sql.all<{ value: string; last_seen_ms: number }>(NEWEST_VALUES, [exporter, facet, limit])).map((row) => ({ value: row.value, lastSeenMs: Number(row.last_seen_ms) })),
    expire: (sql, nowMs) => sql.run('DELETE FROM group_values WHERE exporter = ? AND last_seen_ms < ?', [exporter, nowMs - HOURS_KEPT_MS]),
  };
}
