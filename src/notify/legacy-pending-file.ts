// The one-time import of the pending-notifications file of a Faultline that kept pending
// deliveries under data_dir (`<data_dir>/notifications/<id>.json`, `{ version: 1, items }`) into
// the outbox (outbox-store.ts), as rows no replica owns yet (the next sweep adopts them); the file
// is then renamed `<file>.imported-<ms>`. An unreadable file is logged and set aside as
// `<file>.corrupt`. Temporary files of interrupted writes of it are removed first.

import { readFile, rename } from 'node:fs/promises';
import type { Logger } from 'pino';
import { removeStaleTemporaries } from '../internal/atomic-file.js';
import type { PendingDelivery } from './delivery-queue.js';
import type { Outbox } from './outbox-store.js';

export async function importPendingFile(file: string, outbox: Pick<Outbox, 'importItems'>, logger: Logger, nowMs: number): Promise<void> {
  let items: PendingDelivery[] | null;
  try {
    items = await loadPendingFile(file);
  } catch (error) {
    logger.error({ err: error, file }, 'pending notifications unreadable; set aside');
    await rename(file, `${file}.corrupt`).catch(() => undefined);
    return;
  }
  if (items === null) return;
  try {
    const imported = await outbox.importItems(items);
    await rename(file, `${file}.imported-${nowMs}`);
    logger.info({ file, imported }, 'imported the pending notifications file into the outbox');
  } catch (error) {
    logger.error({ err: error, file }, 'the pending notifications file could not be imported; trying again at the next start');
  }
}

interface StoredFile {
  readonly version: 1;
  readonly items: readonly PendingDelivery[];
}

/** The file's deliveries; null when there is no file. Throws on an unreadable file. */
async function loadPendingFile(file: string): Promise<PendingDelivery[] | null> {
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
