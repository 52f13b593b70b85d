// The storage as a component of a Faultline instance: built with the instance (so exporters can be
// handed it when they are built), opened and migrated when it starts — before any exporter starts —
// and closed after every exporter has shut down. Until it is open, every unit rejects with a
// StorageError. Its health is `storage` in /health: ok while units succeed, failed with the
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
import type { SqliteOptions } from './sqlite.js';
import { StorageError, type Storage } from './storage.js';

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
    forUpdate: config.engine === 'postgres' ? ' FOR UPDATE' : '',
    skipLocked: config.engine === 'postgres' ? ' SKIP LOCKED' : '',
    jsonHas: (column) => current().jsonHas(column),
    transaction: (work) => counted(() => current().transaction(work)),
    read: (work) => counted(() => current().read(work)),
    sizeBytes: () => current().sizeBytes(),
    close: async () => {},
  };

  return {
    storage,
    onStatus: (listener) => void listeners.push(listener),
    component: {
      async start() {
        const result = await openStorage(config, { dataDir: options.dataDir, logger, nowMs: options.now(), sqlite: options.sqlite });
        opened = result.storage;
        status = result.status;
        for (const listener of listeners) {
          status.onChange(listener);
          listener(status.problem);
        }
      },
      async shutdown() {
        const closing = opened;
        opened = undefined;
        await closing?.close();
      },
    },
  };
}
