// The SQLite engine (better-sqlite3): the default store, one file under data_dir, no other service.
// Every statement runs in a thread of its own (sqlite-worker.ts), never on the event loop:
// better-sqlite3 is synchronous, and a commit's CPU or a read asleep on a locked page held the loop
// for as long as it took. This side keeps the Storage interface and sends the thread one request
// at a time: units run one at a time (a promise chain), so a unit's statements never interleave
// with another's. A unit written as a closure costs a message per statement (~25 µs of CPU); a
// Task costs one message, so what runs at every batch (the groups store's filing) is a Task.
// - Errors (SQLITE_FULL, SQLITE_READONLY, SQLITE_CORRUPT, I/O) become StorageError naming the
//   file; so does the thread's own failure (every unit waiting then fails, and every later one).
// - The thread never keeps the process alive by itself: only while a request waits for its answer.

import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { SqliteAnswer, SqliteRequest } from './sqlite-worker.js';
import type { SqliteOptions } from './sqlite-options.js';
import { SQL_DIALECTS, StorageError, type SqlSession, type SqlValue, type Storage } from './storage.js';

/** Request without its id: what a caller asks. */
type Ask = SqliteRequest extends infer R ? (R extends SqliteRequest ? Omit<R, 'id'> : never) : never;

export async function openSqlite(file: string, options: SqliteOptions = {}): Promise<Storage> {
  const worker = new Worker(new URL('./sqlite-worker.js', import.meta.url), { workerData: { file, options } });
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let requests = 0;
  /** Why the thread is gone; '' while it runs. */
  let gone = '';
  let opened: (problem: string) => void;
  const open = new Promise<string>((resolve) => (opened = resolve));

  /** The `answer` of the task that runs (units run one at a time). */
  let answering: ((question: unknown) => unknown) | undefined;
  worker.on('message', (answer: SqliteAnswer) => {
    if ('opened' in answer) return opened('');
    if ('openError' in answer) return opened(answer.openError);
    if ('question' in answer) {
      let reply: Extract<SqliteRequest, { op: 'reply' }>;
      try {
        if (answering === undefined) throw new Error('the task asked a question, and its caller gave no answer');
        reply = { id: answer.id, op: 'reply', value: answering(answer.question) };
      } catch (error) {
        reply = { id: answer.id, op: 'reply', error: (error as Error).message };
      }
      worker.postMessage(reply);
      return;
    }
    const request = waiting.get(answer.id);
    waiting.delete(answer.id);
    if (waiting.size === 0) worker.unref();
    if ('error' in answer) {
      const { message, storage } = answer.error;
      request?.reject(storage ? new StorageError(message) : new Error(message));
    } else {
      request?.resolve(answer.value);
    }
  });
  const stopped = (why: string) => {
    if (gone !== '') return;
    gone = `the SQLite thread for ${file} stopped: ${why}`;
    opened(gone);
    for (const request of waiting.values()) request.reject(new StorageError(gone));
    waiting.clear();
  };
  worker.on('error', (error) => stopped(error.message));
  worker.on('exit', (code) => stopped(`exit code ${code}`));

  const problem = await open;
  if (problem !== '') {
    await worker.terminate();
    throw new StorageError(problem);
  }
  // After the listeners (adding one refs the worker again): an open database never keeps the process alive.
  worker.unref();

  function ask<T>(request: Ask): Promise<T> {
    if (gone !== '') return Promise.reject(new StorageError(gone));
    const id = ++requests;
    const answered = new Promise<T>((resolve, reject) => waiting.set(id, { resolve: resolve as (value: unknown) => void, reject }));
    worker.ref(); // a unit waits for the answer: keep the process alive until it comes
    worker.postMessage({ ...request, id });
    return answered;
  }

  const session: SqlSession = {
    all: <T>(sql: string, params: readonly SqlValue[] = []) => ask<T[]>({ op: 'all', sql, params }),
    one: <T>(sql: string, params: readonly SqlValue[] = []) => ask<T | undefined>({ op: 'one', sql, params }),
    run: (sql: string, params: readonly SqlValue[] = []) => ask<number>({ op: 'run', sql, params }),
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
    ...SQL_DIALECTS.sqlite,
    transaction: (work) =>
      serialised(async () => {
        await ask({ op: 'begin' });
        try {
          const result = await work(session);
          await ask({ op: 'commit' });
          return result;
        } catch (error) {
          await ask({ op: 'rollback' }).catch(() => undefined);
          throw error;
        }
      }),
    read: (work) => serialised(() => work(session)),
    task: (task, input, answer) =>
      serialised(async () => {
        answering = answer as ((question: unknown) => unknown) | undefined;
        try {
          return await ask({ op: 'task', task: { module: task.module, name: task.name }, input });
        } finally {
          answering = undefined;
        }
      }),
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
      if (gone === '') await ask({ op: 'close' });
      await worker.terminate();
    },
  };
}
