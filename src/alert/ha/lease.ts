// A leader lease on a directory every replica shares, so that one replica of an HA pair notifies.
// The lease is a series of generation files `<dir>/<name>.lease.<n>` ({ holder, token, expiresAt });
// the highest generation is the lease. Every change (acquire, renew, take over, release) creates
// generation n+1 from a fully written temp file with link(2), which fails with EEXIST when another
// replica created n+1 first: a compare-and-set on the generation, so two replicas never both win
// the same step, and readers never see a half-written lease. A replica takes the lease only when
// none exists or the latest has expired (`now >= expiresAt`, by the caller's clock); the holder
// counts as holding only while `now < expiresAt`, and renews at every evaluation. Two generations
// are kept; older ones are removed by whoever wrote the newest.
//
// Filesystem: one directory shared by all replicas with atomic link(2) and readdir: a local disk
// (replicas on one host), NFSv3/v4, EFS, CephFS, GlusterFS. Not object-store mounts (s3fs, gcsfuse)
// nor SMB shares without hard links. Replica clocks must agree to well within lease_duration
// (NTP): a skew of S lets two replicas overlap for up to S around a takeover.
// Errors (unreadable or unwritable directory) are thrown to the caller (ha-gate.ts decides).

import { randomUUID } from 'node:crypto';
import { link, mkdir, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

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
  /** Acquires, renews or only observes the lease at `now`. Rejects on filesystem errors. */
  renew(now: number): Promise<LeaseOutcome>;
  /** Whether this replica holds the lease at `now`, from its last successful renew. */
  holds(now: number): boolean;
  /** Ends a held lease at once (shutdown), so another replica can take over at its next evaluation. */
  release(now: number): Promise<void>;
}

const LEASE_FILE = /^(.+)\.lease\.(\d+)$/;

export function createLease(options: { dir: string; name: string; replica: string; durationMs: number }): Lease {
  const { dir, replica, durationMs } = options;
  const name = options.name.replace(/[^A-Za-z0-9_-]/g, '_');
  const token = randomUUID();
  /** The generation this replica last created and the expiry it wrote; null when not holding. */
  let mine: { generation: number; expiresAt: number } | null = null;

  const fileOf = (generation: number) => path.join(dir, `${name}.lease.${generation}`);

  async function generations(): Promise<number[]> {
    const found: number[] = [];
    for (const entry of await readdir(dir)) {
      const match = LEASE_FILE.exec(entry);
      if (match !== null && match[1] === name) found.push(Number(match[2]));
    }
    return found.sort((a, b) => a - b);
  }

  async function latest(): Promise<{ generation: number; record: LeaseRecord } | null> {
    const all = await generations();
    if (all.length === 0) return null;
    const generation = all[all.length - 1]!;
    return { generation, record: await readRecord(fileOf(generation)) };
  }

  /** Creates `generation` unless another replica already has; true when this one did. */
  async function create(generation: number, record: LeaseRecord): Promise<boolean> {
    const temp = path.join(dir, `.${name}.lease.tmp-${randomUUID()}`);
    await writeFile(temp, JSON.stringify(record));
    try {
      await link(temp, fileOf(generation));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    } finally {
      await unlink(temp).catch(() => {});
    }
    // A replica that listed long ago could recreate a removed generation: only the highest counts.
    const all = await generations();
    if (all[all.length - 1] !== generation) return false;
    for (const old of all) if (old < generation - 1) await unlink(fileOf(old)).catch(() => {});
    return true;
  }

  const lease: Lease = {
    replica,
    async renew(now) {
      const wasHolding = lease.holds(now);
      await mkdir(dir, { recursive: true });
      const current = await latest();
      const ours = current !== null && current.record.token === token;
      const free = current === null || now >= current.record.expiresAt;
      if (!free && !ours) {
        mine = null;
        return outcome(false, false, current!.record);
      }
      const record: LeaseRecord = { holder: replica, token, expiresAt: now + durationMs };
      const generation = (current?.generation ?? 0) + 1;
      if (!(await create(generation, record))) {
        mine = null;
        return outcome(false, false, (await latest())?.record ?? null);
      }
      mine = { generation, expiresAt: record.expiresAt };
      const acquired = !wasHolding;
      return {
        held: true,
        acquired,
        previousHolder: acquired && current !== null ? current.record.holder : null,
        previousWasSelf: acquired && ours,
        latest: record,
      };
    },
    holds(now) {
      return mine !== null && now < mine.expiresAt;
    },
    async release(now) {
      if (!lease.holds(now)) return;
      const generation = mine!.generation + 1;
      mine = null;
      await create(generation, { holder: replica, token, expiresAt: now });
    },
  };
  return lease;
}

function outcome(held: boolean, acquired: boolean, latest: LeaseRecord | null): LeaseOutcome {
  return { held, acquired, previousHolder: null, previousWasSelf: false, latest };
}

/** A lease that cannot be read as one (edited by hand, foreign file) counts as expired. */
async function readRecord(file: string): Promise<LeaseRecord> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    // Removed between readdir and read: a newer generation exists; treat this one as expired.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { holder: '', token: '', expiresAt: 0 };
    throw error;
  }
  try {
    const value = JSON.parse(text) as LeaseRecord;
    if (typeof value.holder === 'string' && typeof value.token === 'string' && typeof value.expiresAt === 'number') return value;
  } catch {
    // fall through
  }
  return { holder: 'unreadable', token: '', expiresAt: 0 };
}
