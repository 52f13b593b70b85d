// A real, migrated storage for tests: SQLite in a fresh temporary directory (the default engine),
// or PostgreSQL at a URL (a database of the private cluster test/helpers/postgres.ts starts).
// Close it in `after`/`afterEach`, or let the process end.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '../../src/internal/logger.js';
import { openStorage } from '../../src/storage/open.js';
import type { SqliteOptions } from '../../src/storage/sqlite-options.js';
import { SQL_DIALECTS, type Storage } from '../../src/storage/storage.js';

export async function sqliteStorage(options: { dir?: string; sqlite?: SqliteOptions } = {}): Promise<Storage & { readonly dir: string }> {
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'faultline-storage-'));
  const { storage } = await openStorage({ engine: 'sqlite', path: '' }, { dataDir: dir, logger: createLogger('silent'), nowMs: Date.now(), sqlite: options.sqlite });
  return Object.assign(storage, { dir });
}

export async function postgresStorage(url: string, poolSize = 4): Promise<Storage> {
  const { storage } = await openStorage({ engine: 'postgres', url, poolSize, connectTimeoutMs: 5_000 }, { dataDir: '', logger: createLogger('silent'), nowMs: Date.now() });
  return storage;
}

/**
 * A storage that opens a fresh SQLite database the first time it is used: for contexts that must
 * be built synchronously (test/processor/build-context.ts).
 */
export function lazySqliteStorage(): Storage {
  let opened: Promise<Storage> | undefined;
  const storage = () => (opened ??= sqliteStorage());
  return {
    engine: 'sqlite',
    where: '(a temporary SQLite database, opened on first use)',
    ...SQL_DIALECTS.sqlite,
    transaction: async (work) => (await storage()).transaction(work),
    read: async (work) => (await storage()).read(work),
    task: async (task, input, answer) => (await storage()).task(task, input, answer),
    sizeBytes: async () => (await storage()).sizeBytes(),
    close: async () => (opened === undefined ? undefined : (await opened).close()),
  };
}
