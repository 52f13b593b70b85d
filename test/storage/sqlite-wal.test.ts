// The SQLite WAL under writes without a pause. The checkpoint worker's checkpoints never catch up
// with such a writer, so the WAL could only grow; past WAL_SIZE_LIMIT the writer waits for a
// complete checkpoint, and the WAL starts again from its beginning (a new checkpoint sequence
// number in its header). When it restarts, SQLite leaves the file as it is up to WAL_TRIM_BYTES:
// trimming it would be an ftruncate that waits for the device.

import assert from 'node:assert/strict';
import { mkdtempSync, openSync, readSync, closeSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { WAL_SIZE_LIMIT, WAL_TRIM_BYTES } from '../../src/storage/sqlite-options.js';
import { openSqlite } from '../../src/storage/sqlite.js';

const MIB = 1024 * 1024;
const UNITS = 192;

/** The WAL's size and the checkpoint sequence number in its header (bytes 12-15, big-endian). */
function walState(file: string): { size: number; sequence: number } {
  const header = Buffer.alloc(32);
  const fd = openSync(`${file}-wal`, 'r');
  try {
    readSync(fd, header, 0, 32, 0);
  } finally {
    closeSync(fd);
  }
  return { size: statSync(`${file}-wal`).size, sequence: header.readUInt32BE(12) };
}

test(`${UNITS} units of 1 MiB in a row: the WAL restarts past ${WAL_SIZE_LIMIT / MIB} MiB and is never trimmed nor larger than ${WAL_TRIM_BYTES / MIB} MiB`, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'faultline-wal-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'faultline.db');
  const storage = await openSqlite(file);
  t.after(() => storage.close());
  await storage.transaction((sql) => sql.run('CREATE TABLE blobs (body BLOB NOT NULL)'));

  const seen: { size: number; sequence: number }[] = [];
  for (let unit = 0; unit < UNITS; unit++) {
    await storage.transaction((sql) => sql.run('INSERT INTO blobs (body) VALUES (randomblob(?))', [MIB]));
    seen.push(walState(file));
  }

  const largest = Math.max(...seen.map((s) => s.size));
  assert.ok(largest > WAL_SIZE_LIMIT, `the writer went past the limit before it looked (largest WAL ${largest} bytes)`);
  assert.ok(largest <= WAL_TRIM_BYTES, `the WAL stayed within ${WAL_TRIM_BYTES} bytes (largest ${largest})`);
  const firstPast = seen.findIndex((s) => s.size > WAL_SIZE_LIMIT);
  assert.ok(seen.slice(firstPast).some((s) => s.sequence !== seen[firstPast]!.sequence), 'the WAL restarted after passing the limit');
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i]!.size >= seen[i - 1]!.size, `the WAL was not trimmed (unit ${i}: ${seen[i - 1]!.size} then ${seen[i]!.size} bytes)`);

  const rows = await storage.read((sql) => sql.one<{ n: number }>('SELECT count(*) AS n FROM blobs'));
  assert.equal(rows?.n, UNITS);
});
