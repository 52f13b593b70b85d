// The kafka exporter's durable buffer on both engines (SQLite, and a real PostgreSQL as replicas
// share it): oldest first, bounded with the oldest dropped, an event buffered twice kept once, and
// claims that keep two senders off the same rows until they lapse.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createKafkaBuffer, type BufferedMessage } from '../../src/kafka/kafka-buffer.js';
import type { Storage } from '../../src/storage/storage.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres.js';
import { postgresStorage, sqliteStorage } from '../helpers/storage.js';

let server: PostgresServer;
const opened: Storage[] = [];
before(async () => {
  server = await startPostgres();
});
after(async () => {
  for (const storage of opened) await storage.close();
  await server?.stop();
});

const message = (i: number): BufferedMessage => ({
  eventId: `${i}`.padStart(32, '0'),
  key: `group-${i % 3}`,
  value: JSON.stringify({ n: i }),
  headers: { 'faultline-event-id': `${i}` },
});
const ids = (messages: readonly BufferedMessage[]) => messages.map((m) => Number(m.eventId));

const engines: [string, () => Promise<[Storage, Storage]>][] = [
  [
    'SQLite',
    async () => {
      const storage = await sqliteStorage();
      opened.push(storage);
      return [storage, storage];
    },
  ],
  [
    'PostgreSQL',
    async () => {
      const url = await server.createDatabase();
      const pair: [Storage, Storage] = [await postgresStorage(url), await postgresStorage(url)];
      opened.push(...pair);
      return pair;
    },
  ],
];

for (const [engine, storages] of engines) {
  describe(`the kafka buffer on ${engine}`, () => {
    it('hands out the oldest first, keeps an event id once, and drops the oldest past max_events', async () => {
      const [storage] = await storages();
      const buffer = createKafkaBuffer({ storage, exporter: 'kafka', maxEvents: 5 });
      assert.deepEqual(await buffer.add([message(1), message(2), message(2), message(3)]), { dropped: 0, depth: 3 });
      assert.deepEqual(await buffer.add([message(4), message(5), message(6), message(7)]), { dropped: 2, depth: 5 });
      const claimed = await buffer.claim(10, 1_000, 60_000);
      assert.deepEqual(ids(claimed), [3, 4, 5, 6, 7]);
      assert.deepEqual(claimed[0]!.headers, { 'faultline-event-id': '3' });
      assert.equal(await buffer.remove(claimed.slice(0, 2).map((m) => m.eventId)), 3);
    });

    it('keeps a second sender off claimed rows until they are released or lapse', async () => {
      const [one, two] = await storages();
      const first = createKafkaBuffer({ storage: one, exporter: 'kafka', maxEvents: 100 });
      const second = createKafkaBuffer({ storage: two, exporter: 'kafka', maxEvents: 100 });
      await first.add([1, 2, 3, 4].map(message));
      assert.deepEqual(ids(await first.claim(2, 1_000, 5_000)), [1, 2]);
      assert.deepEqual(ids(await second.claim(10, 1_000, 5_000)), [3, 4]);
      assert.deepEqual(ids(await second.claim(10, 2_000, 5_000)), [], 'everything is claimed');
      await first.release([message(2).eventId]);
      assert.deepEqual(ids(await second.claim(10, 2_000, 5_000)), [2]);
      assert.deepEqual(ids(await second.claim(10, 6_000, 5_000)), [1, 3, 4], 'lapsed claims (a sender that died) are taken up; 2, claimed at 2000, is not yet');
      await first.releaseAll();
      assert.equal(await first.depth(), 4);
      assert.equal(await second.remove([1, 2, 3, 4].map((i) => message(i).eventId)), 0);
    });
  });
}
