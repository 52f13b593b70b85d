// The SQLite engine (better-sqlite3): the default store, one file under data_dir, no other service.
// - WAL with synchronous=NORMAL: a commit is an append to the WAL, safe against a crash of the
//   process (kill -9 loses no committed transaction); the WAL is synced at checkpoints, so a power
//   cut may lose the last commits. Readers never wait for the writer.
// - better-sqlite3 is synchronous: each statement runs on the event loop. Units run one at a time
//   (a promise chain), so a unit's statements never interleave with another's, and callers keep
//   units short (the groups store writes at most write_batch events per unit; see
//   group/store/write-behind.ts) so the loop is never held for long.
// - Errors (SQLITE_FULL, SQLITE_READONLY, SQLITE_CORRUPT, I/O) become StorageError naming the file.

import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StorageError, type SqlSession, type SqlValue, type Storage } from './storage.js';

export interface SqliteOptions {
  /** Only for tests of a full disk: the most pages the file may grow to. */
  readonly maxPageCount?: number;
}

export function openSqlite(file: string, options: SqliteOptions = {}): Storage {
  let db: Database.Database;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    if (options.maxPageCount !== undefined) db.pragma(`max_page_count = ${options.maxPageCount}`);
    // Reading the schema fails at once on a file that is not a database (or is corrupt at its start).
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (error) {
    throw new StorageError(`cannot open the SQLite database ${file}: ${(error as Error).message}`, error);
  }

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
    forUpdate: '',
    skipLocked: '',
    jsonHas: (column) => `EXISTS (SELECT 1 FROM json_each(${column}) WHERE value = ?)`,
    transaction: (work) =>
      serialised(async () => {
        sqlite(() => db.exec('BEGIN IMMEDIATE'));
        try {
          const result = await work(session);
          sqlite(() => db.exec('COMMIT'));
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
      db.close();
    },
  };
}
