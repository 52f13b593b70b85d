// The SQLite engine's thread: the one connection that reads and writes faultline.db. better-sqlite3
// is synchronous, and on the event loop its statements held the loop for as long as they ran: a
// commit's CPU, a read asleep on a page the checkpoint's write-back had locked (20-40 ms at 100,000
// groups). Here they hold only this thread. sqlite.ts, on the main thread, sends it one request at
// a time and waits for the answer:
// - { op: 'begin' | 'commit' | 'rollback' } and { op: 'all' | 'one' | 'run', sql, params }: the
//   statements of a unit written as a closure on the main thread, a message each (~25 µs of CPU).
// - { op: 'task', task: { module, name }, input }: a whole unit in one message (storage.ts, Task):
//   the export `name` of `module` runs here in one transaction. The groups store files its batches
//   so. A task's questions go to the main thread as { id, question } (id: the task's), answered
//   with { op: 'reply', id, value } or { op: 'reply', id, error }.
// - { op: 'close' }: stops the checkpointer and closes the connection.
// Each answer is { id, value } or { id, error: { message, storage } } (`storage`: a failure of SQLite
// itself, which the main thread turns back into a StorageError). The first message this thread
// sends says whether the database opened.
//
// - WAL with synchronous=NORMAL: a commit is an append to the WAL, safe against a crash of the
//   process (kill -9 loses no committed transaction); the WAL is synced at checkpoints, so a power
//   cut may lose the last commits. Readers never wait for the writer.
// - Checkpoints (copying the WAL into the file, with an fsync) run in a thread of their own with
//   their own connection (sqlite-checkpointer.ts), so they never hold up this one's units.

import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { lowerThreadPriority } from '../internal/thread-priority.js';
import { WAL_SIZE_LIMIT, WAL_TRIM_BYTES, type SqliteOptions } from './sqlite-options.js';
import { runTask, StorageError, type SqlSession, type SqlValue, type Task } from './storage.js';

/** How often the checkpointer copies the WAL into the database. */
const CHECKPOINT_EVERY_MS = 1_000;

export type SqliteRequest =
  | { readonly id: number; readonly op: 'begin' | 'commit' | 'rollback' | 'close' }
  | { readonly id: number; readonly op: 'all' | 'one' | 'run'; readonly sql: string; readonly params: readonly SqlValue[] }
  | { readonly id: number; readonly op: 'task'; readonly task: Task<unknown, unknown, unknown, unknown>; readonly input: unknown }
  | { readonly id: number; readonly op: 'reply'; readonly value?: unknown; readonly error?: string };

export type SqliteAnswer =
  | { readonly id: number; readonly value: unknown }
  | { readonly id: number; readonly error: { readonly message: string; readonly storage: boolean } }
  | { readonly id: number; readonly question: unknown }
  | { readonly opened: true }
  | { readonly openError: string };

/** Opens the connection; a failure names the file and what was wrong. */
function open(file: string, options: SqliteOptions): Database.Database {
  if (options.readOnly === true) {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return db;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // Checkpoints run in the checkpointer's thread: their fsync must not hold up this one's units.
  db.pragma('wal_autocheckpoint = 0');
  db.pragma(`journal_size_limit = ${WAL_TRIM_BYTES}`);
  if (options.maxPageCount !== undefined) db.pragma(`max_page_count = ${options.maxPageCount}`);
  // Reading the schema fails at once on a file that is not a database (or is corrupt at its start).
  db.prepare('SELECT count(*) FROM sqlite_master').get();
  return db;
}

/** Serves the main thread's requests on `db` until it asks to close. */
function serve(file: string, db: Database.Database, checkpointer: Checkpointer | null): void {
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  /** Runs one call into SQLite; its failure becomes a StorageError (a task's own errors pass as they are). */
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
   * Under writes without a pause the checkpointer never catches the WAL's end, so it cannot
   * restart and would grow without bound. Every 32 commits the writer looks at its size; past
   * WAL_SIZE_LIMIT the next unit first waits for a checkpoint that copies everything, so the
   * commit after it restarts the WAL. Writes pause for that long; the main thread's loop runs on.
   */
  let commits = 0;
  let walTooLarge = false;
  function commit(): void {
    sqlite(() => db.exec('COMMIT'));
    if (++commits % 32 !== 0) return;
    try {
      walTooLarge = statSync(`${file}-wal`).size > WAL_SIZE_LIMIT;
    } catch {
      walTooLarge = false;
    }
  }
  async function begin(): Promise<void> {
    if (walTooLarge) {
      walTooLarge = false;
      for (let attempt = 0; attempt < 20 && checkpointer !== null && !(await checkpointer.catchUp()); attempt++);
    }
    sqlite(() => db.exec('BEGIN IMMEDIATE'));
  }
  const rollback = () => {
    if (db.inTransaction) db.exec('ROLLBACK');
  };

  /** The task waiting for the main thread's reply to its question, if any. */
  let replied: { resolve: (value: unknown) => void; reject: (error: Error) => void } | undefined;
  function askMain(id: number): (question: unknown) => Promise<unknown> {
    return (question) =>
      new Promise((resolve, reject) => {
        replied = { resolve, reject };
        parentPort!.postMessage({ id, question } satisfies SqliteAnswer);
      });
  }

  async function answer(request: Exclude<SqliteRequest, { op: 'reply' }>): Promise<unknown> {
    switch (request.op) {
      case 'begin':
        return begin();
      case 'commit':
        return commit();
      case 'rollback':
        return rollback();
      case 'all':
      case 'one':
      case 'run':
        return session[request.op](request.sql, request.params);
      case 'task': {
        await begin();
        try {
          const result = await runTask(request.task, session, request.input, askMain(request.id));
          commit();
          return result;
        } catch (error) {
          rollback();
          throw error;
        }
      }
      case 'close':
        await checkpointer?.stop();
        db.close();
        return undefined;
    }
  }

  parentPort!.on('message', (request: SqliteRequest) => {
    if (request.op === 'reply') {
      const waiting = replied;
      replied = undefined;
      if (request.error !== undefined) waiting?.reject(new Error(request.error));
      else waiting?.resolve(request.value);
      return;
    }
    answer(request).then(
      (value) => parentPort!.postMessage({ id: request.id, value } satisfies SqliteAnswer),
      (error: unknown) =>
        parentPort!.postMessage({
          id: request.id,
          error: { message: error instanceof Error ? error.message : String(error), storage: error instanceof StorageError },
        } satisfies SqliteAnswer),
    );
  });
}

interface Checkpointer {
  /** Asks for a checkpoint now; resolves whether it copied every frame. */
  catchUp(): Promise<boolean>;
  stop(): Promise<void>;
}

/**
 * Starts the checkpointing thread for `file`. If it fails, checkpoints go back to this connection
 * (automatic, every 1,000 pages): slower commits rather than an ever-growing WAL.
 */
function startCheckpointer(file: string, db: Database.Database): Checkpointer {
  const worker = new Worker(new URL('./sqlite-checkpointer.js', import.meta.url), { workerData: { file, intervalMs: CHECKPOINT_EVERY_MS } });
  let failed = false;
  const waiting = new Map<number, (complete: boolean) => void>();
  let requests = 0;
  worker.on('message', (message: { request?: number; complete?: boolean }) => {
    if (message.request === undefined) return;
    waiting.get(message.request)?.(message.complete === true);
    waiting.delete(message.request);
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
  return {
    catchUp() {
      if (failed) return Promise.resolve(true);
      const request = ++requests;
      const done = new Promise<boolean>((resolve) => waiting.set(request, resolve));
      worker.postMessage({ request });
      return done;
    },
    async stop() {
      if (failed) return;
      const stopped = new Promise<void>((resolve) => {
        worker.on('message', (message: { stopped?: boolean }) => message.stopped === true && resolve());
        worker.on('exit', () => resolve());
      });
      worker.postMessage({ stop: true });
      await stopped;
      await worker.terminate();
    },
  };
}

{
  // When cores are short the event loop runs first; the store's units wait (they are not on the loop's path).
  lowerThreadPriority();
  const { file, options } = workerData as { file: string; options: SqliteOptions };
  let db: Database.Database | undefined;
  try {
    db = open(file, options);
  } catch (error) {
    parentPort!.postMessage({ openError: `cannot open the SQLite database ${file}: ${(error as Error).message}` } satisfies SqliteAnswer);
  }
  if (db !== undefined) {
    serve(file, db, options.readOnly === true ? null : startCheckpointer(file, db));
    parentPort!.postMessage({ opened: true } satisfies SqliteAnswer);
  }
}
