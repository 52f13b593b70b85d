// What the SQLite file is opened with, shared by the event loop's side (sqlite.ts) and the thread
// that runs the statements (sqlite-worker.ts), so neither imports the other.

/** Past this size the writer waits for a checkpoint that lets the WAL restart (sqlite-worker.ts). */
export const WAL_SIZE_LIMIT = 64 * 1024 * 1024;
/**
 * When the WAL restarts, SQLite trims a file larger than this: an ftruncate that waits for the
 * dropped pages' writeback (15-20 ms; an ext4 mounted with `discard` waits for the device too).
 * The WAL only passes WAL_SIZE_LIMIT by the units written before the next size check (it reached
 * 89 MiB under the store bench), so twice the limit leaves trimming to an unusual unit (a
 * migration, an import) and still bounds the file.
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
