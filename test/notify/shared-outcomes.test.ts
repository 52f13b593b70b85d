// Delivery counts shared by replicas on PostgreSQL: two delivery pipelines ("replicas") on one
// database of a private server, each sending to the same real HTTP receiver, show the same counts
// per channel and outcome once each has swept: their attempts added up, not each its own. On
// SQLite a pipeline shows its own counts since start (test/notify/lifecycle.test.ts and others).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/internal/clock.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres.js';
import { postgresStorage } from '../helpers/storage.js';
import { FAST, startPipeline } from './helpers/notifications.js';
import { startReceiver } from './helpers/receiver.js';

let server: PostgresServer;
before(async () => {
  server = await startPostgres();
});
after(() => server?.stop());

describe('delivery counts on PostgreSQL', () => {
  it('are the sum of every replica’s attempts, shown alike by each after its sweep, and kept across a restart', async () => {
    const receiver = await startReceiver();
    const url = await server.createDatabase();
    const [aStorage, bStorage] = [await postgresStorage(url), await postgresStorage(url)];
    const clock = new ManualClock();
    const channels = { hook: { type: 'webhook', url: receiver.url, ...FAST } };
    const a = await startPipeline(channels, { storage: aStorage, clock, replica: 'a' });
    const b = await startPipeline(channels, { storage: bStorage, clock, replica: 'b' });
    try {
      assert.equal((await a.pipeline.test('hook')).hook?.outcome, 'delivered');
      assert.equal((await a.pipeline.test('hook')).hook?.outcome, 'delivered');
      assert.equal((await b.pipeline.test('hook')).hook?.outcome, 'delivered');
      const outcomes = (replica: typeof a) => replica.pipeline.channels().find((channel) => channel.name === 'hook')!.outcomes;
      assert.deepEqual(outcomes(a), { delivered: 2, rejected: 0, error: 0 }, 'before a sweep, its own attempts');
      await a.pipeline.sweep();
      await b.pipeline.sweep();
      await a.pipeline.sweep();
      assert.deepEqual(outcomes(a), { delivered: 3, rejected: 0, error: 0 });
      assert.deepEqual(outcomes(b), { delivered: 3, rejected: 0, error: 0 });
      await b.pipeline.sweep();
      assert.deepEqual(outcomes(b), { delivered: 3, rejected: 0, error: 0 }, 'a sweep with nothing new adds nothing');

      await b.stop();
      const again = await startPipeline(channels, { storage: bStorage, clock, replica: 'b' });
      try {
        assert.deepEqual(outcomes(again), { delivered: 3, rejected: 0, error: 0 }, 'a replica that starts reads the totals at its first sweep');
      } finally {
        await again.stop();
      }
    } finally {
      await a.stop();
      await aStorage.close();
      await bStorage.close();
      await receiver.close();
    }
  });
});
