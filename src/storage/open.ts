// Opens the storage service.storage names, applies the schema's migrations, and watches every
// unit: the first failure marks the storage failing (health shows the message, /health/ready
// answers 503, faultline_storage_errors_total counts it), the next success marks it working again.
// A storage that cannot be opened or migrated at start is a clear error, never a crash loop with
// a stack trace: main.ts prints it and exits non-zero.

import path from 'node:path';
import type { Logger } from 'pino';
import type { StorageConfig } from '../config/storage.js';
import { migrate } from './migrations.js';
import type { SqliteOptions } from './sqlite-options.js';
import { openSqlite } from './sqlite.js';
import { StorageError, type Storage } from './storage.js';

export interface StorageStatus {
  /** Told on each change between working and failing; `problem` is '' when working. */
  onChange(listener: (problem: string) => void): void;
  readonly problem: string;
}

export const SQLITE_FILE = 'faultline.db';

/** The SQLite file service.storage means (`<data_dir>/faultline.db` unless a path is given). */
export function sqlitePath(config: StorageConfig & { engine: 'sqlite' }, dataDir: string): string {
  return config.path === '' ? path.join(dataDir, SQLITE_FILE) : config.path;
}

export async function openStorage(
  config: StorageConfig,
  options: { dataDir: string; logger: Logger; nowMs: number; sqlite?: SqliteOptions },
): Promise<{ storage: Storage; status: StorageStatus }> {
  const { logger } = options;
  // The PostgreSQL client is loaded only when it is used (a few hundred ms of every start otherwise).
  const raw =
    config.engine === 'sqlite'
      ? await openSqlite(sqlitePath(config, options.dataDir), options.sqlite)
      : (await import('./postgres.js')).openPostgres({
          ...config,
          onIdleError: (error) => logger.warn({ err: error }, 'a pooled PostgreSQL connection failed; the next query reconnects'),
        });
  try {
    const { from, to } = await migrate(raw, options.nowMs);
    logger.info({ engine: raw.engine, where: raw.where, schema: to, migratedFrom: from === to ? undefined : from }, 'storage opened');
  } catch (error) {
    await raw.close().catch(() => undefined);
    throw error;
  }
  return watch(raw, logger);
}

function watch(raw: Storage, logger: Logger): { storage: Storage; status: StorageStatus } {
  const listeners: ((problem: string) => void)[] = [];
  let problem = '';
  const set = (next: string) => {
    if (next === problem) return;
    if (next === '') logger.info({ where: raw.where }, 'storage works again');
    else if (problem === '') logger.error({ where: raw.where, problem: next }, 'storage is failing');
    problem = next;
    for (const listener of listeners) listener(problem);
  };
  async function watched<T>(unit: Promise<T>): Promise<T> {
    try {
      const result = await unit;
      set('');
      return result;
    } catch (error) {
      if (error instanceof StorageError) set(error.message);
      throw error;
    }
  }
  const storage: Storage = {
    ...raw,
    transaction: (work) => watched(raw.transaction(work)),
    read: (work) => watched(raw.read(work)),
    task: (task, input, answer) => watched(raw.task(task, input, answer)),
    sizeBytes: () => raw.sizeBytes(),
    close: () => raw.close(),
  };
  return {
    storage,
    status: {
      onChange: (listener) => listeners.push(listener),
      get problem() {
        return problem;
      },
    },
  };
}
