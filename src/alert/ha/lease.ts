// A leader lease in service.storage, so that one replica of an HA group notifies. The lease is one
// row of the `leases` table (name, holder, token, expires_ms). Acquiring, renewing and taking over
// are one conditional upsert: the row is written only when there is none, it has expired
// (`expires_ms <= now`, by the caller's clock) or this replica's token already holds it; the row
// count says whether it was. Two replicas never both win: PostgreSQL locks the row for the
// upsert and re-checks the condition on its newest version, SQLite runs one writer at a time.
// The holder counts as holding only while `now < expiresAt`, renews at every evaluation, and
// releases at shutdown by setting `expires_ms = now` (the row stays, naming the last holder, so the
// next holder knows it takes over from another replica).
// Replica clocks must agree to well within lease_duration (NTP): a skew of S lets two replicas
// overlap for up to S around a takeover. Errors are StorageErrors, thrown to the caller
// (ha-gate.ts decides).

import { randomUUID } from 'node:crypto';
import type { Storage } from '../../storage/storage.js';

export interface LeaseRecord {
  /** The replica's name (for people); `token` is what identifies a holder. */
  readonly holder: string;
  readonly token: string;
  /** Unix ms; the lease is free from then on. */
  readonly expiresAt: number;
}

export interface LeaseOutcome {
  readonly held: boolean;
  /** True when this call made this replica the holder (it was not before). */
  readonly acquired: boolean;
  /** When `acquired`: the replica whose (expired or released) lease was replaced; null when there was none. */
  readonly previousHolder: string | null;
  /** Whether `previousHolder` was this very lease object (a holder that let its lease lapse). */
  readonly previousWasSelf: boolean;
  /** The latest lease seen, for logs and for keeping a role through a passing error. */
  readonly latest: LeaseRecord | null;
}

export interface Lease {
  readonly replica: string;
  /** Acquires, renews or only observes the lease at `now`. Rejects on storage errors. */
  renew(now: number): Promise<LeaseOutcome>;
  /** Whether this replica holds the lease at `now`, from its last successful renew. */
  holds(now: number): boolean;
  /** Ends a held lease at once (shutdown), so another replica can take over at its next evaluation. */
  release(now: number): Promise<void>;
}

interface LeaseRow {
  readonly holder: string;
  readonly token: string;
  readonly expires_ms: number;
}

const TAKE = `INSERT INTO leases (name, holder, token, expires_ms) VALUES (?, ?, ?, ?)
  ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, token = excluded.token, expires_ms = excluded.expires_ms
  WHERE leases.expires_ms <= ? OR leases.token = ?`;

export function createLease(options: { storage: Storage; name: string; replica: string; durationMs: number }): Lease {
  const { storage, name, replica, durationMs } = options;
  const token = randomUUID();
  /** The expiry this replica last wrote; null when not holding. */
  let heldUntil: number | null = null;
  const record = (row: LeaseRow | undefined): LeaseRecord | null =>
    row === undefined ? null : { holder: row.holder, token: row.token, expiresAt: Number(row.expires_ms) };
  const select = `SELECT holder, token, expires_ms FROM leases WHERE name = ?${storage.forUpdate}`;

  const lease: Lease = {
    replica,
    async renew(now) {
      const wasHolding = lease.holds(now);
      const expiresAt = now + durationMs;
      const { before, taken, after } = await storage.transaction(async (sql) => {
        const before = record(await sql.one<LeaseRow>(select, [name]));
        const taken = (await sql.run(TAKE, [name, replica, token, expiresAt, now, token])) === 1;
        const after = taken ? null : record(await sql.one<LeaseRow>(select, [name]));
        return { before, taken, after };
      });
      if (!taken) {
        heldUntil = null;
        return { held: false, acquired: false, previousHolder: null, previousWasSelf: false, latest: after };
      }
      heldUntil = expiresAt;
      const acquired = !wasHolding;
      return {
        held: true,
        acquired,
        previousHolder: acquired && before !== null ? before.holder : null,
        previousWasSelf: acquired && before?.token === token,
        latest: { holder: replica, token, expiresAt },
      };
    },
    holds(now) {
      return heldUntil !== null && now < heldUntil;
    },
    async release(now) {
      if (!lease.holds(now)) return;
      heldUntil = null;
      await storage.transaction((sql) => sql.run('UPDATE leases SET expires_ms = ? WHERE name = ? AND token = ?', [now, name, token]));
    },
  };
  return lease;
}
