// The one storage interface behind everything Faultline persists, with two engines: SQLite
// (sqlite.ts, the default: one file, no other service) and PostgreSQL (postgres.ts, shared by
// replicas). Callers write their SQL once, in the dialect both engines accept: `?` placeholders,
// INTEGER for flags, BIGINT for counts and Unix milliseconds, TEXT for strings and JSON, and
// `INSERT … ON CONFLICT … DO …` with RETURNING. Where the engines differ the storage says how
// (`forUpdate`, `skipLocked`, `jsonHas`).
//
// Work runs in units: transaction() runs one unit atomically (SQLite runs one at a time; PostgreSQL
// takes a pooled connection), read() runs without a write lock, task() runs a unit named by its
// module and export, which an engine may run in another thread (SQLite runs every statement in its
// own thread, sqlite-worker.ts; a task is one message there instead of one per statement). A
// unit's failure is a StorageError: the caller decides whether to retry, and health shows it.

import { setImmediate as nextTurn } from 'node:timers/promises';

export type SqlValue = string | number | null;

export interface SqlSession {
  /** Every row. */
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** The first row, or undefined. */
  one<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Runs a statement; resolves with the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

/**
 * A unit of work that can run in another thread: the export `name` of the module at `module` (a
 * file URL, usually `import.meta.url`), a function (sql, input, ask) => Promise<output>. `ask`
 * puts a question (Q) to the caller's `answer` and resolves with its answer (A): for what the
 * caller holds but is costly to send with every input. Inputs, outputs, questions and answers
 * cross threads by structured clone: plain data, Maps and typed arrays, no functions.
 */
export interface Task<I, O, Q = never, A = never> {
  readonly module: string;
  readonly name: string;
  /** Only carries the types: never set. */
  readonly types?: (input: I, question: Q) => [O, A];
}

export type TaskFunction<I, O, Q, A> = (sql: SqlSession, input: I, ask: (question: Q) => Promise<A>) => Promise<O>;

/** Runs `task` on `sql`, in the thread that calls it. */
export async function runTask<I, O, Q, A>(task: Task<I, O, Q, A>, sql: SqlSession, input: I, ask: (question: Q) => Promise<A>): Promise<O> {
  const module = (await import(task.module)) as Record<string, TaskFunction<I, O, Q, A>>;
  const run = module[task.name];
  if (typeof run !== 'function') throw new Error(`${task.module} exports no task ${task.name}`);
  return run(sql, input, ask);
}

/** The `ask` of a task whose caller gave no `answer`. */
export function noAnswer(taskName: string): () => Promise<never> {
  return () => Promise.reject(new Error(`task ${taskName} asked a question, and its caller gave no answer`));
}

/** What differs in the SQL the two engines take: the fields of Storage a caller writes into its queries. */
export type SqlDialect = Pick<Storage, 'forUpdate' | 'skipLocked' | 'jsonHas'>;

/** Each engine's dialect, in one place for the engines themselves and for stand-ins that must match them. */
export const SQL_DIALECTS: { readonly [E in Storage['engine']]: SqlDialect } = {
  sqlite: { forUpdate: '', skipLocked: '', jsonHas: (column) => `EXISTS (SELECT 1 FROM json_each(${column}) WHERE value = ?)` },
  // jsonb_exists is the function behind jsonb's `?` operator, which would clash with the placeholders.
  postgres: { forUpdate: ' FOR UPDATE', skipLocked: ' SKIP LOCKED', jsonHas: (column) => `jsonb_exists((${column})::jsonb, ?)` },
};

export interface Storage {
  readonly engine: 'sqlite' | 'postgres';
  /** Where the data is, for logs: the file, or the URL without its password. */
  readonly where: string;
  /** ' FOR UPDATE' on PostgreSQL (row locks serialise replicas), '' on SQLite (one writer at a time). */
  readonly forUpdate: string;
  /** ' SKIP LOCKED' on PostgreSQL (after forUpdate: rows another replica has locked are passed over), '' on SQLite. */
  readonly skipLocked: string;
  /** A condition: the JSON list of strings in `column` holds the parameter `?`. */
  jsonHas(column: string): string;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it rejects. */
  transaction<T>(work: (sql: SqlSession) => Promise<T>): Promise<T>;
  /** Runs reads outside a transaction. */
  read<T>(work: (sql: SqlSession) => Promise<T>): Promise<T>;
  /** Runs `task` with `input` in one transaction, in the engine's own thread where it has one (SQLite); `answer` answers its questions. */
  task<I, O, Q = never, A = never>(task: Task<I, O, Q, A>, input: I, answer?: (question: Q) => A): Promise<O>;
  /** Bytes the data takes (the database file and its WAL, or the tables on PostgreSQL). */
  sizeBytes(): Promise<number>;
  close(): Promise<void>;
}

/** A failure of the storage itself (unreachable, full, corrupt, read-only), with what it was doing. */
export class StorageError extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

/**
 * Runs `chunk` (at most `size` rows) in transactions of its own until one handles fewer or
 * `stopped` says so, a turn of the event loop between them; resolves with the rows handled.
 * For work too large for one transaction: sweeps, indexing what an import brought.
 */
export async function inChunks(
  storage: Storage,
  size: number,
  chunk: (sql: SqlSession) => Promise<number>,
  options: { stopped?: () => boolean; handled?: (rows: number) => void } = {},
): Promise<number> {
  let total = 0;
  while (!options.stopped?.()) {
    const rows = await storage.transaction(chunk);
    total += rows;
    if (rows > 0) options.handled?.(rows);
    if (rows < size) break;
    // Chained transactions follow each other without a turn of the loop: give it one.
    await nextTurn();
  }
  return total;
}
