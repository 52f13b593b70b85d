import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ManualClock } from '../../src/internal/clock.js';
import { FAST, firing, startPipeline, tempDataDir } from './helpers/notifications.js';
import { startReceiver } from './helpers/receiver.js';

describe('pending deliveries across a restart', () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('persists what was not delivered and delivers it, once, after a new pipeline starts on the same data dir', async () => {
    const receiver = await startReceiver();
    cleanups.push(() => receiver.close());
    await receiver.down();
    const dataDir = tempDataDir();
    const clock = new ManualClock();
    const channels = { hook: { type: 'webhook', url: receiver.url, ...FAST } };
    const notification = firing();

    const before = await startPipeline(channels, { dataDir, clock });
    before.pipeline.sink.send(notification);
    const file = path.join(dataDir, 'notifications', 'alerts.json');
    await before.pipeline.idle();
    await before.pipeline.flush();
    assert.ok(existsSync(file) && readFileSync(file, 'utf8').includes(notification.id), 'the pending file holds the undelivered notification');
    await before.stop();
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(stored.items.length, 1);
    assert.equal(stored.items[0].channel, 'hook');

    await receiver.up();
    const afterRestart = await startPipeline(channels, { dataDir, clock });
    cleanups.push(() => afterRestart.stop());
    clock.advance(60_000);
    afterRestart.pipeline.wake();
    await afterRestart.pipeline.idle();
    assert.equal(receiver.delivered.length, 1, 'delivery after the restart');
    assert.equal(receiver.delivered[0].json().id, notification.id);
    await afterRestart.pipeline.flush();
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).items.length, 0, 'the pending file emptied');
    clock.advance(60_000);
    afterRestart.pipeline.wake();
    await afterRestart.pipeline.idle();
    assert.equal(receiver.delivered.length, 1);
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
