// State files that must never be half-written: the error groups, alert state and pending
// notifications. A write goes to a temporary file beside the target and is renamed over it, so a
// crash leaves the old file or the new one. Temporary names are unique per process and write, so
// replicas sharing a directory (HA) or two stores in one process never write the same one.

import { randomBytes } from 'node:crypto';
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
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
