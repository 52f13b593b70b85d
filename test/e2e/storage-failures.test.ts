// What an operator sees when the store fails, tried on the real `faultline` process: a data_dir
// that cannot hold a database and a corrupt database file stop the start with a clear message and
// exit 1 (never a crash loop with a stack trace); a disk that fills up while Faultline runs marks
// `storage` failed in /health and /health/ready 503, counts the failures, keeps the accepted events
// and writes them once there is room again; and a SIGTERM whose final write fails exits 1. While
// half of max_pending_events wait for the full disk, new reports are refused with 503 and
// Retry-After (the sender keeps them) instead of being accepted and dropped.
// The full disk is real: a 4 MiB tmpfs mounted for the test (CI runs as root), filled with a file.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, statfsSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { letters } from '../helpers/names.js';
import { reportUrl, MAIN, reportsToGroupsConfig, startFaultlineProcess, type FaultlineProcess } from '../helpers/faultline-process.js';
import { sampleValue } from '../helpers/prom-text.js';

function configFor(dataDir: string, groups = ''): string {
  return reportsToGroupsConfig(`  data_dir: ${JSON.stringify(dataDir)}\n  shutdown_timeout: 2s`, groups);
}

/** Runs faultline until it exits by itself (bounded): its exit code and its log lines. */
async function runToExit(configText: string): Promise<{ code: number | null; lines: Record<string, unknown>[]; stderr: string }> {
  const config = path.join(mkdtempSync(path.join(tmpdir(), 'faultline-storage-fail-')), 'otel-config.yaml');
  writeFileSync(config, configText);
  const child = spawn(process.execPath, [MAIN, '--config', config]);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(timer);
  const lines = stdout.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
  return { code, lines, stderr };
}

const admin = (running: FaultlineProcess) => `http://127.0.0.1:${running.addresses.admin!.port}`;

/** A report of its own group: the exception type differs (the frames are the same). */
async function sendReport(running: FaultlineProcess, i: number): Promise<number> {
  return (await sendReportFor(running, i)).status;
}

async function sendReportFor(running: FaultlineProcess, i: number): Promise<{ status: number; retryAfter: string | null; body: string }> {
  const type = `Disk${letters(i)}Error`;
  const body = { service: 'shop', level: 'error', metadata: {}, error: { type, message: 'no space left', stack: `${type}: no space left\n${'    at frame (src/app.js:1:1)\n'.repeat(150)}` } };
  const response = await fetch(`${reportUrl(running)}/api/v1/report`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.text() };
}

async function groupTotal(running: FaultlineProcess): Promise<number> {
  const reply = (await (await fetch(`${admin(running)}/api/v1/groups?limit=100`)).json()) as { total?: number };
  return reply.total ?? -1;
}

async function until(check: () => Promise<boolean>, what: string, attempts = 150): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what}: not reached after ${attempts} tries`);
}

describe('a store that cannot be used at start', () => {
  it('stops the start with a message naming the file, and exit code 1, when data_dir is not a directory', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'faultline-not-a-dir-'));
    const file = path.join(dir, 'data');
    writeFileSync(file, 'a file where the data directory should be');
    const { code, lines } = await runToExit(configFor(file));
    assert.equal(code, 1);
    const fatal = lines.find((line) => line.level === 'fatal' || line.level === 60);
    assert.match(JSON.stringify(fatal), /cannot open the SQLite database .*faultline\.db/);
  });

  it('stops the start with exit code 1 on a database file that is not a database, and leaves the file as it was', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'faultline-corrupt-'));
    const garbage = Buffer.alloc(64 * 1024, 0x5a);
    writeFileSync(path.join(dir, 'faultline.db'), garbage);
    const { code, lines } = await runToExit(configFor(dir));
    assert.equal(code, 1);
    assert.match(JSON.stringify(lines), /file is not a database/);
  });
});

/**
 * Fills the file system `file` is on to all but `spareBytes`, whatever else writes to it meanwhile
 * (Faultline's checkpoint may still be growing its database): writes until the disk is full, then
 * gives `spareBytes` back. A file sized from statfs beforehand failed with ENOSPC when Faultline
 * took more than the spare between the two calls.
 */
function fillAllBut(file: string, spareBytes: number): void {
  const { blocks, bsize } = statfsSync(path.dirname(file));
  const chunk = Buffer.alloc(64 * 1024, 0x5a);
  const fd = openSync(file, 'w');
  try {
    let written = 0;
    // At most the file system's size in chunks, and two more: the last write meets ENOSPC.
    for (let round = 0; round < (Number(blocks) * Number(bsize)) / chunk.length + 2; round++) {
      try {
        written += writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        ftruncateSync(fd, Math.max(0, written - spareBytes));
        return;
      }
    }
    throw new Error(`${file}: the file system never filled up`);
  } finally {
    closeSync(fd);
  }
}

describe('a disk that fills up while Faultline runs', () => {
  const mountPoint = mkdtempSync(path.join(tmpdir(), 'faultline-tmpfs-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint], { encoding: 'utf8' });
  after(() => {
    spawnSync('umount', ['-l', mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  it('marks storage failed, keeps what it accepted, writes it once there is room, and exits 1 when the final write fails', async () => {
    assert.equal(mounted.status, 0, `mounting a tmpfs needs root (CI runs as root): ${mounted.stderr}`);
    const dataDir = path.join(mountPoint, 'data');
    const running = await startFaultlineProcess(configFor(dataDir));
    try {
      for (let i = 0; i < 5; i++) assert.equal(await sendReport(running, i), 201);
      await until(async () => (await groupTotal(running)) === 5, 'five groups stored');

      // Fill the disk but a few KiB.
      const filler = path.join(mountPoint, 'filler');
      fillAllBut(filler, 8 * 1024);
      for (let i = 5; i < 40; i++) assert.equal(await sendReport(running, i), 201, 'reports are still accepted');
      await until(async () => (await fetch(`${admin(running)}/health/ready`)).status === 503, '/health/ready answers 503');
      const health = (await (await fetch(`${admin(running)}/health`)).json()) as { components: Record<string, { state: string; detail?: string }> };
      assert.equal(health.components.storage?.state, 'failed');
      assert.match(health.components.storage?.detail ?? '', /full/);
      assert.equal((await fetch(`${admin(running)}/health/live`)).status, 200, 'the process is alive: no restart would help');
      const metrics = await (await fetch(`${admin(running)}/metrics`)).text();
      assert.ok((sampleValue(metrics, 'faultline_storage_errors_total') ?? 0) > 0);
      assert.ok((sampleValue(metrics, 'faultline_error_groups_pending_events') ?? 0) > 0);

      rmSync(filler);
      await until(async () => (await fetch(`${admin(running)}/health/ready`)).status === 200, 'storage works again');
      await until(async () => (await groupTotal(running)) === 40, 'every accepted report stored');

      // Full again, with events waiting: SIGTERM cannot write them, and says so with its exit code.
      fillAllBut(filler, 8 * 1024);
      // SQLite may still write into room its WAL file already has: send until a write fails (bounded).
      for (let round = 0, i = 40; round < 40 && (await fetch(`${admin(running)}/health/ready`)).status === 200; round++) {
        for (const end = i + 10; i < end; i++) await sendReport(running, i);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      await until(async () => (await fetch(`${admin(running)}/health/ready`)).status === 503, 'writes fail again');
      for (let i = 1000; i < 1005; i++) await sendReport(running, i);
      running.child.kill('SIGTERM');
      assert.equal(await running.exited, 1);
      assert.ok(running.logs.some((line) => /failed to shut down/.test(String(line.msg))));
    } finally {
      running.child.kill('SIGKILL');
    }
  });

  it('refuses new reports with 503 and Retry-After while half of max_pending_events wait, and loses none it accepted', async () => {
    assert.equal(mounted.status, 0, `mounting a tmpfs needs root (CI runs as root): ${mounted.stderr}`);
    rmSync(path.join(mountPoint, 'filler'), { force: true }); // left full by the test before
    rmSync(path.join(mountPoint, 'data'), { recursive: true, force: true });
    const dataDir = path.join(mountPoint, 'backpressure');
    const running = await startFaultlineProcess(configFor(dataDir, 'max_pending_events: 10'));
    const filler = path.join(mountPoint, 'filler-backpressure');
    try {
      assert.equal(await sendReport(running, 0), 201);
      await until(async () => (await groupTotal(running)) === 1, 'the first group stored');
      fillAllBut(filler, 8 * 1024);

      // The disk is full: five reports wait (half of 10), then the sender is told to come back.
      let accepted = 1;
      let refused: { status: number; retryAfter: string | null; body: string } | undefined;
      for (let i = 1; i < 40 && refused === undefined; i++) {
        const reply = await sendReportFor(running, i);
        if (reply.status === 201) accepted++;
        else refused = reply;
      }
      assert.ok(refused !== undefined, 'a report was refused before 40 were sent');
      assert.equal(refused.status, 503);
      assert.equal(refused.retryAfter, '1');
      assert.match(refused.body, /exporter groups: \d+ error events wait for storage; retry later/);
      assert.equal(accepted, 6, 'one stored, then five waiting: the sixth waiting one is refused');
      const metrics = await (await fetch(`${admin(running)}/metrics`)).text();
      assert.equal(sampleValue(metrics, 'faultline_error_groups_dropped_events_total'), 0, 'nothing accepted was dropped');

      rmSync(filler);
      await until(async () => (await groupTotal(running)) === accepted, 'every accepted report stored once there is room');
      assert.equal(await sendReport(running, 100), 201, 'reports are admitted again');
    } finally {
      running.child.kill('SIGKILL');
      rmSync(filler, { force: true });
    }
  });
});
