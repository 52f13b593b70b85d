// SQLite's statements run in a thread of their own (storage/sqlite-worker.ts). What the rest of
// Faultline relies on: a task runs there, not on the main thread, in one transaction (its own
// errors roll it back); its questions reach the caller's answer; closures still run a statement
// at a time, rolled back when the caller throws; and a thread that dies fails every unit waiting
// and every later one with a StorageError, never a hang.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { threadId } from 'node:worker_threads';
import { openSqlite } from '../../src/storage/sqlite.js';
import { StorageError } from '../../src/storage/storage.js';
import { END_THREAD, INSERT_AND_ASK } from '../helpers/sqlite-tasks.js';

async function opened(t: { after: (fn: () => unknown) => void }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'faultline-sqlite-thread-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const storage = await openSqlite(path.join(dir, 'faultline.db'));
  t.after(() => storage.close());
  await storage.transaction((sql) => sql.run('CREATE TABLE items (n INTEGER NOT NULL)'));
  const count = async () => Number((await storage.read((sql) => sql.one<{ n: number }>('SELECT COUNT(*) AS n FROM items')))?.n);
  return { storage, count };
}

test('a task runs in the store thread in one transaction, and its question reaches the caller', async (t) => {
  const { storage, count } = await opened(t);
  const questions: string[] = [];
  const ran = await storage.task(INSERT_AND_ASK, { rows: 5, fail: false }, (question) => (questions.push(question), 'yes'));
  assert.equal(ran.mainThread, false, 'not on the main thread');
  assert.notEqual(ran.threadId, threadId);
  assert.equal(ran.word, 'yes');
  assert.deepEqual(questions, ['which word?']);
  assert.equal(await count(), 5);
});

test("a task's own error rolls its transaction back and rejects with its message, not as a storage failure", async (t) => {
  const { storage, count } = await opened(t);
  const failed = await storage.task(INSERT_AND_ASK, { rows: 7, fail: true }, () => 'yes').catch((error: unknown) => error);
  assert.ok(failed instanceof Error && !(failed instanceof StorageError), `a plain error: ${String(failed)}`);
  assert.match(failed.message, /the task failed after 7 rows/);
  assert.equal(await count(), 0, 'nothing of the task was committed');
  // An answer that throws fails the task the same way.
  await assert.rejects(
    storage.task(INSERT_AND_ASK, { rows: 2, fail: false }, () => {
      throw new Error('no word today');
    }),
    /no word today/,
  );
  assert.equal(await count(), 0);
});

test('a closure runs a statement at a time and is rolled back when the caller throws; a SQLite error is a StorageError', async (t) => {
  const { storage, count } = await opened(t);
  await assert.rejects(
    storage.transaction(async (sql) => {
      await sql.run('INSERT INTO items (n) VALUES (1)');
      throw new Error('the caller changed its mind');
    }),
    /changed its mind/,
  );
  assert.equal(await count(), 0);
  await assert.rejects(
    storage.transaction((sql) => sql.run('INSERT INTO nowhere (n) VALUES (1)')),
    (error: unknown) => error instanceof StorageError && /no such table: nowhere/.test(error.message) && error.message.includes('faultline.db'),
  );
  await storage.transaction((sql) => sql.run('INSERT INTO items (n) VALUES (1)'));
  assert.equal(await count(), 1, 'the store works on after both');
});

test('a store thread that dies fails the unit under way and every later one with a StorageError', async (t) => {
  const { storage } = await opened(t);
  const waiting = storage.transaction((sql) => sql.run('INSERT INTO items (n) VALUES (1)'));
  await assert.rejects(storage.task(END_THREAD, null), (error: unknown) => error instanceof StorageError && /SQLite thread .* stopped: exit code 3/.test(error.message));
  await waiting; // queued before the task: done before it ran
  await assert.rejects(storage.read((sql) => sql.one('SELECT 1')), (error: unknown) => error instanceof StorageError && /stopped/.test(error.message));
  await storage.close();
});
