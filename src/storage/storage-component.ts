// The storage as a component of a Faultline instance: built with the instance (so exporters can be
// handed it when they are built), opened and migrated when it starts — before any exporter starts —
// and closed after every exporter has shut down. Until it is open, every unit rejects with a
// StorageError. A storage that cannot be used (a data_dir that is a file, a corrupt database, a
// wrong password, a schema newer than this build) stops the start with its message; a PostgreSQL
// that cannot be reached yet does not: Faultline starts, is not ready, and retries (1 s, doubling
// to 30 s) while the groups exporter holds what it accepts. Its health is `storage` in /health: ok while units succeed, failed with the
// storage's message while they fail (then /health/ready answers 503).
// Metrics:
//   faultline_storage_size_bytes      the database's size (SQLite file + WAL, or the tables)
//   faultline_storage_errors_total    units (transactions, reads) that failed
//   faultline_storage_info{engine}    1, with the engine in use

import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { Component } from '../component.js';
import type { StorageConfig } from '../config/storage.js';
import { openStorage, type StorageStatus } from './open.js';
import type { SqliteOptions } from './sqlite-options.js';
import { displayUrl } from '../config/storage.js';
import { SQL_DIALECTS, StorageError, type Storage } from './storage.js';

/** The longest wait between attempts to reach a PostgreSQL that was unreachable at start. */
const MAX_RETRY_MS = 30_000;
/** Errors that say the server cannot be reached (now), as opposed to a wrong password or schema. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', '57P03']);

function isUnreachable(error: unknown): boolean {
  const cause = (error as StorageError).cause as { code?: string; message?: string } | undefined;
  return (cause?.code !== undefined && UNREACHABLE.has(cause.code)) || /timeout|terminated/i.test(cause?.message ?? '');
}

export interface StorageComponent {
  readonly storage: Storage;
  readonly component: Component;
  /** Told '' when storage works, else what fails; first once it has opened. */
  onStatus(listener: (problem: string) => void): void;
}

export function createStorageComponent(options: {
  config: StorageConfig;
  dataDir: string;
  registry: Registry;
  logger: Logger;
  now: () => number;
  sqlite?: SqliteOptions;
}): StorageComponent {
  const { config, registry } = options;
  const logger = options.logger.child({ component: 'storage' });
  let opened: Storage | undefined;
  let status: StorageStatus | undefined;
  const listeners: ((problem: string) => void)[] = [];
  const errors = new Counter({ name: 'faultline_storage_errors_total', help: 'Storage units (transactions and reads) that failed.', registers: [registry] });
  new Gauge({
    name: 'faultline_storage_size_bytes',
    help: 'Bytes the storage takes: the SQLite file and its WAL, or the tables on PostgreSQL.',
    registers: [registry],
    async collect() {
      if (opened === undefined) return;
      try {
        this.set(await opened.sizeBytes());
      } catch {
        // failing storage: faultline_storage_errors_total and /health say so
      }
    },
  });
  new Gauge({ name: 'faultline_storage_info', help: 'The storage engine in use (always 1).', labelNames: ['engine'] as const, registers: [registry] }).set(
    { engine: config.engine },
    1,
  );

  const current = (): Storage => {
    if (opened === undefined) throw new StorageError('storage is not open (Faultline is starting or stopping)');
    return opened;
  };
  const counted = async <T>(unit: () => Promise<T>): Promise<T> => {
    try {
      return await unit();
    } catch (error) {
      if (error instanceof StorageError) errors.inc();
      throw error;
    }
  };
  const storage: Storage = {
    engine: config.engine,
    get where() {
      return opened?.where ?? '';
    },
    ...SQL_DIALECTS[config.engine],
    transaction: (work) => counted(() => current().transaction(work)),
    read: (work) => counted(() => current().read(work)),
    task: (task, input, answer) => counted(() => current().task(task, input, answer)),
    sizeBytes: () => current().sizeBytes(),
    close: async () => {},
  };

  let retry: NodeJS.Timeout | undefined;
  async function open(): Promise<void> {
    const result = await openStorage(config, { dataDir: options.dataDir, logger, nowMs: options.now(), sqlite: options.sqlite });
    opened = result.storage;
    status = result.status;
    for (const listener of listeners) {
      status.onChange(listener);
      listener(status.problem);
    }
  }
  function retryOpen(delayMs: number): void {
    retry = setTimeout(() => {
      open().then(
        () => logger.info({ where: opened?.where }, 'connected to storage'),
        (error: unknown) => {
          for (const listener of listeners) listener((error as Error).message);
          retryOpen(Math.min(MAX_RETRY_MS, delayMs * 2));
        },
      );
    }, delayMs);
    retry.unref();
  }

  return {
    storage,
    onStatus: (listener) => void listeners.push(listener),
    component: {
      async start() {
        try {
          await open();
        } catch (error) {
          // A database server that is not up yet (or not reachable now) is waited for, not a crash loop.
          if (!(config.engine === 'postgres' && isUnreachable(error))) throw error;
          logger.error({ err: error, where: displayUrl(config.url) }, 'PostgreSQL is unreachable; Faultline runs and retries (not ready until it connects)');
          for (const listener of listeners) listener((error as Error).message);
          retryOpen(1_000);
        }
      },
      async shutdown() {
        clearTimeout(retry);
        retry = undefined;
        const closing = opened;
        opened = undefined;
        await closing?.close();
      },
    },
  };
}
