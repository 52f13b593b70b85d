// Pending deliveries on disk, so a restart retries what was not yet delivered. The whole set is
// rewritten on each change (notifications are few, and each queue is bounded), atomically, and
// coalesced: while one write runs, later changes wait and the newest set is written next
// (internal/atomic-file.ts). Loading at start removes temporary files of interrupted writes.

import { readFile } from 'node:fs/promises';
import { coalescedWrites, removeStaleTemporaries, writeFileAtomic } from '../internal/atomic-file.js';
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
  const writes = coalescedWrites(async () => {
    const body: StoredFile = { version: 1, items: snapshot() };
    try {
      await writeFileAtomic(file, JSON.stringify(body));
    } catch (error) {
      onError(error);
    }
  });

  return {
    file,
    async load() {
      await removeStaleTemporaries(file);
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
    save: () => void writes.request(),
    flush: () => writes.settled(),
  };
}
