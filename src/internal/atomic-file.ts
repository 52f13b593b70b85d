// State files that must never be half-written: the error groups, alert state and pending
// notifications. A write goes to a temporary file beside the target and is renamed over it, so a
// crash leaves the old file or the new one. Temporary names are unique per process and write, so
// replicas sharing a directory (HA) or two stores in one process never write the same one.
// A process killed mid-write (kill -9, OOM) leaves its temporary file behind; the stores call
// removeStaleTemporaries when they load at start, so such files do not pile up across restarts.

import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

const PROCESS_TAG = `${process.pid}-${randomBytes(4).toString('hex')}`;
let sequence = 0;

/** Writes `text` to `file` atomically, creating its directory. Rejects on I/O failure. */
export async function writeFileAtomic(file: string, text: string, options: { mode?: number } = {}): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${PROCESS_TAG}-${++sequence}.tmp`;
  try {
    await writeFile(temporary, text, options.mode === undefined ? undefined : { mode: options.mode });
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/**
 * How old a temporary file must be before start-up removes it: a state write takes milliseconds,
 * so an older one was interrupted, while a younger one may be a live replica's write in flight.
 */
export const STALE_TEMPORARY_MS = 60_000;

/** What writeFileAtomic appends to the target's name: `.<pid>-<8 hex>-<sequence>.tmp`. */
const TEMPORARY_SUFFIX = /^\d+-[0-9a-f]{8}-\d+\.tmp$/;

/**
 * Removes the temporary files interrupted writes of `file` left beside it (regular files named as
 * writeFileAtomic names them, last modified over STALE_TEMPORARY_MS ago) and returns their paths.
 * Best effort: a missing directory, or a file another replica removed first, is no failure.
 */
export async function removeStaleTemporaries(file: string): Promise<string[]> {
  const directory = path.dirname(file);
  const prefix = `${path.basename(file)}.`;
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return [];
  }
  const cutoff = Date.now() - STALE_TEMPORARY_MS;
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !TEMPORARY_SUFFIX.test(name.slice(prefix.length))) continue;
    const temporary = path.join(directory, name);
    try {
      const stats = await lstat(temporary);
      if (!stats.isFile() || stats.mtimeMs > cutoff) continue;
      await unlink(temporary);
      removed.push(temporary);
    } catch {
      // Gone already or not ours to remove: leave it.
    }
  }
  return removed;
}

/**
 * Serialises writes of a changing state: one runs at a time, and requests made while it runs
 * share a single next write, which reads the state as it is then. `write` must not reject.
 */
export interface CoalescedWrites {
  /** Resolves once a write that started after this call has finished. */
  request(): Promise<void>;
  /** Resolves once no write is running or queued. */
  settled(): Promise<void>;
}

export function coalescedWrites(write: () => Promise<void>): CoalescedWrites {
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;

  function request(): Promise<void> {
    if (running === null) {
      running = write().finally(() => {
        running = null;
      });
      return running;
    }
    queued ??= running.then(() => {
      queued = null;
      return request();
    });
    return queued;
  }

  return {
    request,
    async settled() {
      while (running !== null || queued !== null) await (queued ?? running);
    },
  };
}
