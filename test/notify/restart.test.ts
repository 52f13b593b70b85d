// Pending deliveries across a restart, on a real SQLite storage: the outbox (notify/outbox-store.ts)
// is the durable record, so a new pipeline on the same database delivers what the last one left,
// once; the pending file of an older Faultline is imported once.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ManualClock } from '../../src/internal/clock.js';
import type { Storage } from '../../src/storage/storage.js';
import { sqliteStorage } from '../helpers/storage.js';
import { FAST, firing, startPipeline, tempDataDir } from './helpers/notifications.js';
import { startReceiver } from './helpers/receiver.js';

const outboxRows = (storage: Storage) =>
  storage.read((sql) => sql.all<{ channel: string; notification: string; attempts: number; owner: string }>('SELECT channel, notification, attempts, owner FROM outbox'));

describe('pending deliveries across a restart', () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('keeps what was not delivered in the outbox and delivers it, once, after a new pipeline starts on the same database', async () => {
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    await receiver.down();
    const dataDir = tempDataDir();
    const clock = new ManualClock();
    const channels = { hook: { type: 'webhook', url: receiver.url, ...FAST } };
    const notification = firing();

    const before = await startPipeline(channels, { dataDir, clock });
    before.pipeline.sink.send(notification);
    await before.pipeline.idle();
    const pending = await outboxRows(before.storage);
    assert.equal(pending.length, 1, 'the outbox holds the undelivered notification');
    assert.equal(pending[0]!.channel, 'hook');
    assert.equal(JSON.parse(pending[0]!.notification).id, notification.id);
    assert.equal(pending[0]!.attempts, 1, 'the failed attempt is recorded');
    await before.stop();

    await receiver.up();
    const storage = await sqliteStorage({ dir: dataDir });
    const afterRestart = await startPipeline(channels, { dataDir, clock, storage });
    cleanups.push(async () => {
      await afterRestart.stop();
      await storage.close();
    });
    clock.advance(60_000);
    afterRestart.pipeline.wake();
    await afterRestart.pipeline.idle();
    assert.equal(receiver.delivered.length, 1, 'delivery after the restart');
    assert.equal(receiver.delivered[0]!.json().id, notification.id);
    assert.deepEqual(await outboxRows(storage), [], 'the outbox emptied');
    clock.advance(60_000);
    afterRestart.pipeline.wake();
    await afterRestart.pipeline.idle();
    assert.equal(receiver.delivered.length, 1);
  });

  it('queues a notification once, however often it is sent', async () => {
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    await receiver.down();
    const clock = new ManualClock();
    const faultline = await startPipeline({ hook: { type: 'webhook', url: receiver.url, ...FAST } }, { clock });
    cleanups.push(() => faultline.stop());
    const notification = firing();
    faultline.pipeline.sink.send(notification);
    await faultline.pipeline.idle();
    faultline.pipeline.sink.send(notification);
    await faultline.pipeline.idle();
    assert.equal((await outboxRows(faultline.storage)).length, 1);
  });

  it('imports the pending file of an older Faultline once and delivers what it held', async () => {
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    const dataDir = tempDataDir();
    mkdirSync(path.join(dataDir, 'notifications'));
    const notification = firing();
    const item = { channel: 'hook', notification, attempts: 2, notBefore: 0, enqueuedAt: 0 };
    writeFileSync(path.join(dataDir, 'notifications', 'alerts.json'), JSON.stringify({ version: 1, items: [item] }));
    const clock = new ManualClock();
    const faultline = await startPipeline({ hook: { type: 'webhook', url: receiver.url, ...FAST } }, { dataDir, clock });
    cleanups.push(() => faultline.stop());
    faultline.pipeline.wake();
    await faultline.pipeline.idle();
    assert.deepEqual(receiver.delivered.map((request) => request.json().id), [notification.id]);
    assert.deepEqual(readdirSync(path.join(dataDir, 'notifications')), [`alerts.json.imported-${clock.now()}`]);
    assert.deepEqual(await outboxRows(faultline.storage), []);
  });

  it('sets an unreadable pending file aside and starts empty', async () => {
    const dataDir = tempDataDir();
    mkdirSync(path.join(dataDir, 'notifications'));
    const file = path.join(dataDir, 'notifications', 'alerts.json');
    writeFileSync(file, '{not json');
    const faultline = await startPipeline({ hook: { type: 'webhook', url: 'http://127.0.0.1:9/', ...FAST } }, { dataDir });
    cleanups.push(() => faultline.stop());
    assert.ok(existsSync(`${file}.corrupt`));
    assert.ok(faultline.logs.some((line) => line.msg === 'pending notifications unreadable; set aside'));
  });
});
