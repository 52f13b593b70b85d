// The notification outbox: the durable record of what is pending delivery, one row of the `outbox`
// table per notification and channel (migration 2), so a restart retries it and, with replicas
// sharing PostgreSQL, any replica delivers what a dead one left. A lane inserts the row when it
// queues a delivery, updates it after a failed attempt, deletes it once delivered or given up.
// The row's id is the delivery's idempotency key (exporter, channel, notification id, digested):
// the same notification is never queued twice.
// Each row names the replica delivering it (`owner`, the replica's name) until `owner_until_ms`.
// Every sweep (about a third of the ownership time) renews this replica's rows and adopts rows
// whose owner lapsed — a replica that died, or one that shut down (it lets go of its rows at
// once) — taking them with `FOR UPDATE SKIP LOCKED` on PostgreSQL so two replicas never adopt the
// same row. The first sweep after a start also takes back the rows that name this replica (its
// previous run, killed before it could let go), so a replica name must be unique among replicas
// running at once; a name that changes at each start (hostname-pid) waits for the ownership to lapse. Time is the
// injected clock; replica clocks must agree to well within the ownership time (NTP).
// Errors are StorageErrors, thrown to the caller (pipeline.ts logs them and keeps delivering what it
// holds in memory).

import { createHash } from 'node:crypto';
import type { Storage } from '../storage/storage.js';
import type { PendingDelivery } from './delivery-queue.js';
import type { AlertNotification } from './notification.js';

/** How long a replica owns its rows without renewing them, unless told (the alerts exporter: lease_duration); it renews every third of that. */
export const OWNERSHIP_MS = 30_000;
/** Rows one sweep adopts at most (the rest at the next). */
const ADOPT_BATCH = 500;

export interface Outbox {
  readonly owner: string;
  keyOf(item: Pick<PendingDelivery, 'channel' | 'notification'>): string;
  /** Inserts the row of a delivery; false when a row with its key exists already (it is queued). */
  add(item: PendingDelivery, nowMs: number): Promise<boolean>;
  /** Records a failed attempt (attempts, not_before). */
  update(item: PendingDelivery): Promise<void>;
  remove(item: Pick<PendingDelivery, 'channel' | 'notification'>): Promise<void>;
  /**
   * Renews this replica's rows, adopts lapsed ones; resolves with the adopted deliveries and the
   * keys of every row this replica owns now.
   */
  sweep(nowMs: number, options?: { takeBackOwn?: boolean }): Promise<{ adopted: PendingDelivery[]; owned: Set<string> }>;
  /** Lets go of this replica's rows (shutdown), so another replica (or the next start) adopts them at once. */
  release(): Promise<void>;
  /** The one-time import of deliveries from the old pending file, as rows no replica owns yet. */
  importItems(items: readonly PendingDelivery[]): Promise<number>;
}

interface OutboxRow {
  readonly id: string;
  readonly channel: string;
  readonly notification: string;
  readonly attempts: number;
  readonly not_before_ms: number;
  readonly enqueued_ms: number;
}

export function createOutbox(options: { storage: Storage; exporter: string; owner: string; ownershipMs?: number }): Outbox {
  const { storage, exporter, owner } = options;
  const ownershipMs = options.ownershipMs ?? OWNERSHIP_MS;
  const keyOf: Outbox['keyOf'] = (item) =>
    createHash('sha256').update(`${exporter}\u0000${item.channel}\u0000${item.notification.id}`).digest('hex').slice(0, 40);
  const insert = (item: PendingDelivery, rowOwner: string, until: number) =>
    storage.transaction((sql) =>
      sql.run(
        `INSERT INTO outbox (id, exporter, channel, notification, attempts, not_before_ms, enqueued_ms, owner, owner_until_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
        [keyOf(item), exporter, item.channel, JSON.stringify(item.notification), item.attempts, item.notBefore, item.enqueuedAt, rowOwner, until],
      ),
    );

  return {
    owner,
    keyOf,
    add: async (item, nowMs) => (await insert(item, owner, nowMs + ownershipMs)) === 1,
    async update(item) {
      await storage.transaction((sql) =>
        sql.run('UPDATE outbox SET attempts = ?, not_before_ms = ? WHERE id = ? AND owner = ?', [item.attempts, item.notBefore, keyOf(item), owner]),
      );
    },
    async remove(item) {
      await storage.transaction((sql) => sql.run('DELETE FROM outbox WHERE id = ?', [keyOf(item)]));
    },
    sweep: (nowMs, sweepOptions = {}) =>
      storage.transaction(async (sql) => {
        const until = nowMs + ownershipMs;
        // Rows of this replica's previous run are let go of first, and so adopted like any lapsed row.
        if (sweepOptions.takeBackOwn === true) await sql.run("UPDATE outbox SET owner = '', owner_until_ms = 0 WHERE exporter = ? AND owner = ?", [exporter, owner]);
        const rows = await sql.all<OutboxRow>(
          `SELECT id, channel, notification, attempts, not_before_ms, enqueued_ms FROM outbox
           WHERE exporter = ? AND owner_until_ms <= ? ORDER BY enqueued_ms, id LIMIT ${ADOPT_BATCH}${storage.forUpdate}${storage.skipLocked}`,
          [exporter, nowMs],
        );
        await sql.run('UPDATE outbox SET owner_until_ms = ? WHERE exporter = ? AND owner = ?', [until, exporter, owner]);
        const adopted: PendingDelivery[] = [];
        for (const row of rows) {
          await sql.run('UPDATE outbox SET owner = ?, owner_until_ms = ? WHERE id = ?', [owner, until, row.id]);
          adopted.push({
            channel: row.channel,
            notification: JSON.parse(row.notification) as AlertNotification,
            attempts: Number(row.attempts),
            notBefore: Number(row.not_before_ms),
            enqueuedAt: Number(row.enqueued_ms),
          });
        }
        const owned = await sql.all<{ id: string }>('SELECT id FROM outbox WHERE exporter = ? AND owner = ?', [exporter, owner]);
        return { adopted, owned: new Set(owned.map((row) => row.id)) };
      }),
    async release() {
      await storage.transaction((sql) => sql.run('UPDATE outbox SET owner_until_ms = 0 WHERE exporter = ? AND owner = ?', [exporter, owner]));
    },
    async importItems(items) {
      let imported = 0;
      for (const item of items) imported += await insert(item, '', 0);
      return imported;
    },
  };
}
