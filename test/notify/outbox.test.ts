// The notification outbox on a real SQLite storage, with two delivery pipelines ("replicas") on one
// database and a real HTTP receiver: who owns a pending delivery, when another replica may adopt
// it, and that it reaches the receiver once. (The same on PostgreSQL, where replicas really run at
// once: test/alert/alerts-replicas.test.ts.)

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ManualClock } from '../../src/internal/clock.js';
import type { Storage } from '../../src/storage/storage.js';
import { sqliteStorage } from '../helpers/storage.js';
import { FAST, firing, startPipeline, type TestPipeline } from './helpers/notifications.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';

const OWNERSHIP_MS = 30_000;

const rows = (storage: Storage) =>
  storage.read((sql) => sql.all<{ owner: string; attempts: number; owner_until_ms: number }>('SELECT owner, attempts, owner_until_ms FROM outbox'));

async function settle(...pipelines: TestPipeline[]): Promise<void> {
  for (const faultline of pipelines) {
    await faultline.pipeline.sweep();
    faultline.pipeline.wake();
    await faultline.pipeline.idle();
  }
}

describe('the notification outbox', () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  /** Two pipelines, each with its own connection to one SQLite file; `storage` is b's. */
  async function pair(): Promise<{ receiver: Receiver; storage: Storage; aStorage: Storage; clock: ManualClock; a: TestPipeline; b: TestPipeline }> {
    const receiver = await startReceiver();
    await receiver.down();
    const storage = await sqliteStorage();
    const aStorage = await sqliteStorage({ dir: storage.dir });
    const clock = new ManualClock();
    const channels = { hook: { type: 'webhook', url: receiver.url, ...FAST } };
    const a = await startPipeline(channels, { storage: aStorage, clock, replica: 'a', ownershipMs: OWNERSHIP_MS });
    const b = await startPipeline(channels, { storage, clock, replica: 'b', ownershipMs: OWNERSHIP_MS });
    cleanups.push(async () => {
      await a.stop();
      await b.stop();
      await aStorage.close();
      await storage.close();
      await receiver.close();
    });
    return { receiver, storage, aStorage, clock, a, b };
  }

  it('keeps a pending delivery with the replica that queued it while that replica renews it, and records each failed attempt', async () => {
    const { storage, clock, a, b } = await pair();
    a.pipeline.sink.send(firing());
    await a.pipeline.idle();
    for (let round = 0; round < 5; round++) {
      clock.advance(OWNERSHIP_MS / 2);
      await settle(a, b);
    }
    const [row] = await rows(storage);
    assert.equal(row!.owner, 'a');
    assert.equal(row!.owner_until_ms, clock.now() + OWNERSHIP_MS, 'renewed at the last sweep');
    assert.ok(row!.attempts >= 2, `attempts recorded: ${row!.attempts}`);
  });

  it('lets another replica adopt and deliver, once, what a replica that died left, only after its ownership lapsed', async () => {
    const { receiver, storage, aStorage, clock, a, b } = await pair();
    const notification = firing();
    a.pipeline.sink.send(notification);
    await a.pipeline.idle();
    // a dies: its connection goes, then its lanes stop; it cannot let go of its rows.
    await aStorage.close();
    await a.pipeline.component.shutdown();
    assert.equal((await rows(storage))[0]!.owner, 'a');
    await receiver.up();
    clock.advance(OWNERSHIP_MS - 1);
    await settle(b);
    assert.equal(receiver.delivered.length, 0, 'still a’s');
    clock.advance(1);
    await settle(b);
    assert.deepEqual(receiver.delivered.map((request) => request.json().id), [notification.id]);
    assert.deepEqual(await rows(storage), []);
    clock.advance(OWNERSHIP_MS);
    await settle(b);
    assert.equal(receiver.delivered.length, 1);
  });

  it('hands what a replica that shuts down was still retrying to another replica at once', async () => {
    const { receiver, storage, clock, a, b } = await pair();
    a.pipeline.sink.send(firing());
    await a.pipeline.idle();
    await a.pipeline.component.shutdown();
    await receiver.up();
    clock.advance(1_000);
    await settle(b);
    assert.equal(receiver.delivered.length, 1);
    assert.deepEqual(await rows(storage), []);
  });

  it('makes a replica that renewed too late drop what another adopted meanwhile, so the receiver gets it once', async () => {
    const { receiver, clock, a, b } = await pair();
    a.pipeline.sink.send(firing());
    await a.pipeline.idle();
    clock.advance(OWNERSHIP_MS); // a misses its renewals (a long pause): its ownership lapses
    await settle(b);
    await settle(a);
    assert.ok(a.logs.some((line) => String(line.msg).includes('another replica adopted')));
    await receiver.up();
    clock.advance(1_000);
    await settle(a, b);
    assert.equal(receiver.delivered.length, 1);
  });

  it('deletes the row of a delivery given up after max_attempts', async () => {
    const receiver = await startReceiver(() => ({ status: 400 }));
    const storage = await sqliteStorage();
    const faultline = await startPipeline({ hook: { type: 'webhook', url: receiver.url, ...FAST } }, { storage });
    cleanups.push(async () => {
      await faultline.stop();
      await storage.close();
      await receiver.close();
    });
    faultline.pipeline.sink.send(firing());
    await faultline.pipeline.idle();
    assert.equal(receiver.requests.length, 1);
    assert.deepEqual(await rows(storage), [], 'a 400 is not retried: the row goes');
  });
});
