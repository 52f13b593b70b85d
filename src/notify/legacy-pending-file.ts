// The pending-notifications file of a Faultline that kept pending deliveries under data_dir
// (`<data_dir>/notifications/<id>.json`, `{ version: 1, items }`), read once at start so the outbox
// (outbox-store.ts) imports it. Temporary files of interrupted writes of it are removed first.

import { readFile } from 'node:fs/promises';
import { removeStaleTemporaries } from '../internal/atomic-file.js';
import type { PendingDelivery } from './delivery-queue.js';

interface StoredFile {
  readonly version: 1;
  readonly items: readonly PendingDelivery[];
}

/** The file's deliveries; null when there is no file. Throws on an unreadable file. */
export async function loadPendingFile(file: string): Promise<PendingDelivery[] | null> {
  await removeStaleTemporaries(file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<StoredFile>;
  if (parsed.version !== 1 || !Array.isArray(parsed.items)) throw new Error(`${file}: not a pending-notifications file`);
  return parsed.items.map((item) => ({ ...item }));
}
