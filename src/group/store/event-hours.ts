// How many events each group had in each hour, by release: the group_hours table (migration 6)
// behind GET /api/v1/groups/:id/histogram and the list's small charts. Samples cannot answer it (a
// group keeps a few of them), so filing a batch adds its events to their hours here, one upsert per
// group, hour and release it touched. Bounded by time: hours older than HOURS_KEPT_MS are not
// counted and are deleted with the expired samples; an event stamped in the future counts now.

import type { ErrorEvent } from '../../extract/error-event.js';
import type { SqlSession } from '../../storage/storage.js';

export const HOUR_MS = 3_600_000;
/** The longest range a histogram shows (14 days), and how long hours are kept. */
export const HOURS_KEPT_MS = 14 * 24 * HOUR_MS;

/** Events of one group in one hour (hourMs: its start, Unix ms) from one release ('' when unknown). */
export interface HourCount {
  readonly groupId: string;
  readonly hourMs: number;
  readonly release: string;
  readonly count: number;
}

const ADD = `INSERT INTO group_hours (exporter, group_id, hour_ms, release, count) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (exporter, group_id, hour_ms, release) DO UPDATE SET count = group_hours.count + excluded.count`;
// SQLite reads `ON CONFLICT` after a bare SELECT as a join clause: the WHERE settles it.
const MOVE = `INSERT INTO group_hours (exporter, group_id, hour_ms, release, count)
  SELECT exporter, ?, hour_ms, release, count FROM group_hours WHERE exporter = ? AND group_id = ?
  ON CONFLICT (exporter, group_id, hour_ms, release) DO UPDATE SET count = group_hours.count + excluded.count`;

export function hourOf(ms: number): number {
  return ms - (((ms % HOUR_MS) + HOUR_MS) % HOUR_MS);
}

/** Adds `events` (all filed into group `groupId`) to their hours. */
export async function countHours(sql: SqlSession, exporter: string, groupId: string, events: readonly Pick<ErrorEvent, 'timestampMs' | 'serviceVersion'>[], nowMs: number): Promise<void> {
  const oldest = nowMs - HOURS_KEPT_MS;
  const counts = new Map<string, { hourMs: number; release: string; count: number }>();
  for (const event of events) {
    const at = Math.min(event.timestampMs, nowMs);
    if (at < oldest) continue;
    const hourMs = hourOf(at);
    const key = `${hourMs}\0${event.serviceVersion}`;
    const entry = counts.get(key);
    if (entry === undefined) counts.set(key, { hourMs, release: event.serviceVersion, count: 1 });
    else entry.count++;
  }
  for (const { hourMs, release, count } of counts.values()) await sql.run(ADD, [exporter, groupId, hourMs, release, count]);
}

/** The hours of `groupIds` from `fromMs` on, oldest first. */
export async function hoursOf(sql: SqlSession, exporter: string, groupIds: readonly string[], fromMs: number): Promise<HourCount[]> {
  if (groupIds.length === 0) return [];
  const rows = await sql.all<{ group_id: string; hour_ms: number; release: string; count: number }>(
    `SELECT group_id, hour_ms, release, count FROM group_hours WHERE exporter = ? AND group_id IN (${groupIds.map(() => '?').join(', ')}) AND hour_ms >= ? ORDER BY hour_ms`,
    [exporter, ...groupIds, hourOf(fromMs)],
  );
  return rows.map((row) => ({ groupId: row.group_id, hourMs: Number(row.hour_ms), release: row.release, count: Number(row.count) }));
}

/** Adds the hours of group `fromId` to group `toId` (a merge) and deletes them from `fromId`. */
export async function moveHours(sql: SqlSession, exporter: string, fromId: string, toId: string): Promise<void> {
  await sql.run(MOVE, [toId, exporter, fromId]);
  await sql.run('DELETE FROM group_hours WHERE exporter = ? AND group_id = ?', [exporter, fromId]);
}

/** Up to `limit` hours of one exporter that started before a time, found through group_hours_time. */
export const EXPIRE_HOURS = `DELETE FROM group_hours WHERE exporter = ? AND (group_id, hour_ms, release) IN
  (SELECT group_id, hour_ms, release FROM group_hours WHERE exporter = ? AND hour_ms < ? LIMIT ?)`;

/** Deletes at most `limit` hours that started before `beforeMs`; resolves with how many went. */
export function expireHours(sql: SqlSession, exporter: string, beforeMs: number, limit: number): Promise<number> {
  return sql.run(EXPIRE_HOURS, [exporter, exporter, hourOf(beforeMs), limit]);
}
