// Pending deliveries on disk, so a restart retries what was not yet delivered. The whole set is
// rewritten on each change (notifications are few, and each queue is bounded) to a temporary file
// that is then renamed over the old one, so a crash leaves the old or the new file, never half of
// one. Writes are coalesced: while one runs, later changes wait and the newest set is written next.

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PendingDelivery } from './delivery-queue.js';

interface StoredFile {
  readonly version: 1;
  readonly items: readonly PendingDelivery[];
}

export interface PendingStore {
  readonly file: string;
  /** The deliveries of the last run; [] when none. Throws on an unreadable file. */
  load(): Promise<PendingDelivery[]>;
  /** Schedules a write of `snapshot()`'s result. */
  save(): void;
  /** Resolves once everything saved so far is on disk. */
  flush(): Promise<void>;
}

export function createPendingStore(
  file: string,
  snapshot: () => readonly PendingDelivery[],
  onError: (error: unknown) => void,
): PendingStore {
  let writing: Promise<void> | undefined;
  let dirty = false;
  let sequence = 0;

  async function writeLoop(): Promise<void> {
    while (dirty) {
      dirty = false;
      const body: StoredFile = { version: 1, items: snapshot() };
      const temporary = `${file}.${process.pid}.${++sequence}.tmp`;
      try {
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(temporary, JSON.stringify(body));
        await rename(temporary, file);
      } catch (error) {
        onError(error);
      }
    }
  }

  function save(): void {
    dirty = true;
    if (writing) return;
    writing = writeLoop().finally(() => {
      writing = undefined;
      // A change that came after the loop's last check but before this line.
      if (dirty) save();
    });
  }

  return {
    file,
    async load() {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      const parsed = JSON.parse(text) as Partial<StoredFile>;
      if (parsed.version !== 1 || !Array.isArray(parsed.items)) throw new Error(`${file}: not a pending-notifications file`);
      return parsed.items.map((item) => ({ ...item }));
    },
    save,
    async flush() {
      while (writing) await writing;
    },
  };
}
