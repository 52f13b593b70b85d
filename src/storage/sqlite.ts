// The SQLite engine (better-sqlite3): the default store, one file under data_dir, no other service.
// - WAL with synchronous=NORMAL: a commit is an append to the WAL, safe against a crash of the
//   process (kill -9 loses no committed transaction); the WAL is synced at checkpoints, so a power
//   cut may lose the last commits. Readers never wait for the writer.
// - Checkpoints (copying the WAL into the file, with an fsync) run in a worker thread with its own
//   connection (sqlite-checkpointer.ts), never on the event loop.
// - better-sqlite3 is synchronous: each statement runs on the event loop. Units run one at a time
//   (a promise chain), so a unit's statements never interleave with another's, and callers keep
//   units short (the groups store writes at most write_batch events per unit; see
//   group/store/write-behind.ts) so the loop is never held for long.
// - Errors (SQLITE_FULL, SQLITE_READONLY, SQLITE_CORRUPT, I/O) become StorageError naming the file.

import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { SQL_DIALECTS, StorageError, type SqlSession, type SqlValue, type Storage } from './storage.js';

/** How often the checkpointer copies the WAL into the database. */
const CHECKPOINT_EVERY_MS = 1_000;
/** Past this size the writer waits for a checkpoint that lets the WAL restart (letWalRestart). */
export const WAL_SIZE_LIMIT = 64 * 1024 * 1024;
/**
 * When the WAL restarts, SQLite trims a file larger than this. Trimming is an ftruncate on the
 * event loop that waits for the dropped pages' writeback: 15-20 ms, and the main cause of 50-65 ms
 * commits. The WAL only passes WAL_SIZE_LIMIT by the units written before the next size check
 * (it reached 89 MiB under the store bench), so twice the limit leaves trimming to an unusual
 * unit (a migration, an import) and still bounds the file.
 */
export const WAL_TRIM_BYTES = 2 * WAL_SIZE_LIMIT;

export interface SqliteOptions {
  /** Only for tests of a full disk: the most pages the file may grow to. */
  readonly maxPageCount?: number;
  /**
   * Opens an existing file for reading only (`faultline validate` looks at a running Faultline's
   * store): nothing is created, no pragma is written, no checkpointer runs, and a write fails.
   */
  readonly readOnly?: boolean;
}

export function openSqlite(file: string, options: SqliteOptions = {}): Storage {
  let db: Database.Database;
  try {
    if (options.readOnly === true) {
      db = new Database(file, { readonly: true, fileMustExist: true });
      db.pragma('busy_timeout = 5000');
      db.prepare('SELECT count(*) FROM sqlite_master').get();
      return sqliteStorage(file, db, null);
    }
    mkdirSync(path.dirname(file), { recursive: true });
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    // Checkpoints run in a worker thread (sqlite-checkpointer.ts): their fsync must not block the loop.
    db.pragma('wal_autocheckpoint = 0');
    db.pragma(`journal_size_limit = ${WAL_TRIM_BYTES}`);
    if (options.maxPageCount !== undefined) db.pragma(`max_page_count = ${options.maxPageCount}`);
    // Reading the schema fails at once on a file that is not a database (or is corrupt at its start).
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (error) {
    throw new StorageError(`cannot open the SQLite database ${file}: ${(error as Error).message}`, error);
  }

  return sqliteStorage(file, db, startCheckpointer(file, db));
}

/** The Storage over an open connection; `checkpointer` null when read-only. */
function sqliteStorage(file: string, db: Database.Database, checkpointer: ReturnType<typeof startCheckpointer> | null): Storage {
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  /** Runs one call into SQLite; its failure becomes a StorageError (a caller's own errors pass as they are). */
  const sqlite = <T>(call: () => T): T => {
    try {
      return call();
    } catch (error) {
      throw new StorageError(`SQLite ${file}: ${(error as Error).message}`, error);
    }
  };
  const session: SqlSession = {
    all: async <T>(sql: string, params: readonly SqlValue[] = []) => sqlite(() => prepare(sql).all(...params) as T[]),
    one: async <T>(sql: string, params: readonly SqlValue[] = []) => sqlite(() => prepare(sql).get(...params) as T | undefined),
    run: async (sql: string, params: readonly SqlValue[] = []) => sqlite(() => prepare(sql).run(...params).changes),
  };

  /**
   * Under writes without a pause the worker's checkpoints never catch the WAL's end, so it cannot
   * restart and would grow without bound. Every 32 commits the writer looks at its size; past
   * WAL_SIZE_LIMIT the next unit first waits (asynchronously: the loop runs) for a checkpoint that
   * copies everything, so the commit after it restarts the WAL. Writes pause for that long instead
   * of an fsync on the event loop.
   */
  let commits = 0;
  let walTooLarge = false;
  function noteCommit(): void {
    if (++commits % 32 !== 0) return;
    try {
      walTooLarge = statSync(`${file}-wal`).size > WAL_SIZE_LIMIT;
    } catch {
      walTooLarge = false;
    }
  }
  async function letWalRestart(): Promise<void> {
    if (!walTooLarge) return;
    walTooLarge = false;
    for (let attempt = 0; attempt < 20 && checkpointer !== null && !(await checkpointer.catchUp()); attempt++);
    // The worker's answer arrives in the loop's poll phase. A unit run there, and the next unit its
    // caller queues with setImmediate, would run in one turn of the loop, with no timer between
    // them: start the unit in the check phase instead, as if the caller had yielded once more.
    await nextTurn();
  }

  /** The tail of the chain of units: each starts when the one before has settled. */
  let tail: Promise<unknown> = Promise.resolve();
  let closed = false;
  function serialised<T>(unit: () => Promise<T>): Promise<T> {
    const run = tail.then(() => {
      if (closed) throw new StorageError(`the SQLite database ${file} is closed`);
      return unit();
    });
    tail = run.catch(() => undefined);
    return run;
  }

  return {
    engine: 'sqlite',
    where: file,
    ...SQL_DIALECTS.sqlite,
    transaction: (work) =>
      serialised(async () => {
        await letWalRestart();
        sqlite(() => db.exec('BEGIN IMMEDIATE'));
        try {
          const result = await work(session);
          sqlite(() => db.exec('COMMIT'));
          noteCommit();
          return result;
        } catch (error) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw error;
        }
      }),
    read: (work) => serialised(() => work(session)),
    async sizeBytes() {
      let bytes = 0;
      for (const name of [file, `${file}-wal`]) {
        try {
          bytes += statSync(name).size;
        } catch {
          // no WAL yet
        }
      }
      return bytes;
    },
    async close() {
      if (closed) return;
      await tail;
      closed = true;
      await checkpointer?.stop();
      db.close();
    },
  };
}

/**
 * Starts the checkpointing worker for `file`. catchUp() asks for a checkpoint now and resolves
 * whether it copied every frame. If the worker fails, checkpoints go back to the main connection
 * (automatic, every 1,000 pages): slower commits rather than an ever-growing WAL.
 */
function startCheckpointer(file: string, db: Database.Database): { catchUp(): Promise<boolean>; stop(): Promise<void> } {
  const worker = new Worker(new URL('./sqlite-checkpointer.js', import.meta.url), { workerData: { file, intervalMs: CHECKPOINT_EVERY_MS } });
  let failed = false;
  const waiting = new Map<number, (complete: boolean) => void>();
  let requests = 0;
  worker.on('message', (message: { request?: number; complete?: boolean }) => {
    if (message.request === undefined) return;
    waiting.get(message.request)?.(message.complete === true);
    waiting.delete(message.request);
    if (waiting.size === 0) worker.unref();
  });
  const fallBack = () => {
    if (failed) return;
    failed = true;
    for (const resolve of waiting.values()) resolve(true);
    waiting.clear();
    try {
      db.pragma('wal_autocheckpoint = 1000');
    } catch {
      // the database is closed already
    }
  };
  worker.on('error', fallBack);
  worker.on('exit', fallBack);
  // After the listeners (adding one refs the worker again): an open database never keeps the process alive.
  worker.unref();
  return {
    catchUp() {
      if (failed) return Promise.resolve(true);
      const request = ++requests;
      const done = new Promise<boolean>((resolve) => waiting.set(request, resolve));
      worker.ref(); // a write waits for the answer: keep the process alive until it comes
      worker.postMessage({ request });
      return done;
    },
    async stop() {
      if (failed) return;
      const stopped = new Promise<void>((resolve) => {
        worker.on('message', (message: { stopped?: boolean }) => message.stopped === true && resolve());
        worker.on('exit', () => resolve());
      });
      worker.ref(); // until it has stopped
      worker.postMessage({ stop: true });
      await stopped;
      await worker.terminate();
    },
  };
}
