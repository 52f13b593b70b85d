// A worker thread that checkpoints the SQLite WAL (copies committed pages into the database file
// and fsyncs it) on its own connection, so that work — hundreds of milliseconds on a busy disk —
// never holds up the writer. The writing connection (sqlite-worker.ts) has automatic checkpoints off.
// PASSIVE checkpoints never wait for the writer and never block it: one runs every `intervalMs`,
// and one at once when the writer asks ({ request: n }), answered with whether it copied every
// frame ({ request: n, complete }) — the writer waits while asking, so that answer is not stale.
// After a complete one, the writer's next commit starts the WAL from its beginning;
// sqlite-worker.ts holds its writes back while the WAL is past its limit, until a complete
// checkpoint lets it restart.

import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, intervalMs } = workerData as { file: string; intervalMs: number };
const db = new Database(file);
db.pragma('busy_timeout = 1000');

/** Checkpoints; answers a request (`request` > 0) with whether every frame was copied. */
function checkpoint(request = 0): void {
  let complete = false;
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    complete = result !== undefined && result.checkpointed >= result.log;
  } catch {
    // a failed checkpoint is retried at the next one
  }
  if (request > 0) parentPort?.postMessage({ request, complete });
}

const timer = setInterval(checkpoint, intervalMs);
parentPort?.on('message', (message: { stop?: boolean; request?: number }) => {
  if (message.request !== undefined) checkpoint(message.request);
  if (message.stop !== true) return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort?.postMessage({ stopped: true });
});
