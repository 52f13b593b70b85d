// Temporary files of atomic writes that a kill -9 interrupted (issue 13: 19 files, 28 MB after 32
// kills) are removed when Faultline starts on the same data_dir: those of the groups file, the
// alert state and the pending notifications. Anything else in the directory is left alone, as is
// a temporary file young enough to belong to a write in flight (a replica sharing the directory).

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { startFaultline } from '../helpers/faultline.js';

it('removes the temporary files of interrupted writes under data_dir at start, and nothing else', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'faultline-leftovers-'));
  await mkdir(path.join(dataDir, 'alerts'));
  await mkdir(path.join(dataDir, 'notifications'));
  const hourAgo = new Date(Date.now() - 3_600_000);
  const leftovers = [
    'groups.json.4242-0badf00d-1.tmp',
    'groups.json.4243-1badf00d-7.tmp',
    'alerts/alerts.state.json.4242-0badf00d-2.tmp',
    'notifications/alerts.json.4242-0badf00d-3.tmp',
  ];
  const unrelated = ['groups.json.corrupt-1700000000000', 'notes.tmp', 'alerts/README', 'other.json.4242-0badf00d-4.tmp'];
  for (const name of [...leftovers, ...unrelated]) {
    await writeFile(path.join(dataDir, name), 'x'.repeat(1024));
    await utimes(path.join(dataDir, name), hourAgo, hourAgo);
  }
  const inFlight = 'groups.json.99-cafebabe-5.tmp';
  await writeFile(path.join(dataDir, inFlight), 'x');

  const running = await startFaultline(`
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:0 }
processors:
  identity: { settle_time: 100ms }
exporters:
  groups: { flush_interval: 100ms }
  alerts:
    channels:
      ops: { type: webhook, url: http://127.0.0.1:9/hook }
    rules:
      - { name: any-error, type: threshold, threshold: 0, window: 1m, channels: [ops] }
service:
  pipelines:
    traces: { receivers: [otlp], processors: [identity], exporters: [groups, alerts] }
  data_dir: ${JSON.stringify(dataDir)}
  telemetry:
    logs: { level: info }
    metrics: { address: 127.0.0.1:0 }
`);
  try {
    const remaining = async (dir: string) => (await readdir(path.join(dataDir, dir))).map((name) => path.join(dir, name));
    const files = [...(await remaining('.')), ...(await remaining('alerts')), ...(await remaining('notifications'))];
    assert.deepEqual(files.filter((name) => name.endsWith('.tmp')).sort(), ['notes.tmp', 'other.json.4242-0badf00d-4.tmp', inFlight].sort());
    for (const name of unrelated) assert.ok(files.includes(path.join(name)), name);
  } finally {
    await running.stop();
  }
});
