// Tasks for test/storage/sqlite-thread.test.ts, in a module of their own: the store's thread
// imports the module a task names, and importing a test file there would run its tests again.

import { isMainThread, threadId } from 'node:worker_threads';
import type { SqlSession, Task } from '../../src/storage/storage.js';

/** A task: inserts `input.rows` rows, asks the caller for a word, and says which thread it ran on. */
export async function insertAndAsk(sql: SqlSession, input: { rows: number; fail: boolean }, ask: (question: string) => Promise<string>) {
  for (let row = 0; row < input.rows; row++) await sql.run('INSERT INTO items (n) VALUES (?)', [row]);
  const word = await ask('which word?');
  if (input.fail) throw new Error(`the task failed after ${input.rows} rows`);
  return { mainThread: isMainThread, threadId, word };
}
export const INSERT_AND_ASK: Task<{ rows: number; fail: boolean }, { mainThread: boolean; threadId: number; word: string }, string, string> = {
  module: import.meta.url,
  name: 'insertAndAsk',
};

/** A task that ends its thread, as a crash of the thread would. */
export async function endThread(): Promise<never> {
  process.exit(3);
}
export const END_THREAD: Task<null, never> = { module: import.meta.url, name: 'endThread' };
