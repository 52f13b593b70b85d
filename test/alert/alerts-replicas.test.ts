// Alerts on replicas sharing a real PostgreSQL (a private server, test/helpers/postgres.ts): each
// replica has its own connection pool on one fresh database, as separate processes would. What
// must hold: the lease is held by exactly one replica and taken over once the holder's lapses; one
// notification per incident; and a replica that dies mid-delivery leaves its pending notification
// in the outbox, which another replica delivers, exactly once, to a real HTTP receiver.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { createAlertsExporter } from '../../src/alert/alerts-exporter.js';
import { createLease } from '../../src/alert/ha/lease.js';
import { CHANNELS } from '../../src/components.js';
import { createLogger } from '../../src/internal/logger.js';
import { buildContext } from '../processor/build-context.js';
import { ManualClock } from '../../src/internal/clock.js';
import type { PendingDelivery } from '../../src/notify/delivery-queue.js';
import { createOutbox } from '../../src/notify/outbox-store.js';
import type { Storage } from '../../src/storage/storage.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres.js';
import { postgresStorage } from '../helpers/storage.js';
import { firing } from '../notify/helpers/notifications.js';
import { startReceiver } from '../notify/helpers/receiver.js';
import { alertsConfig, MINUTE, SECOND } from './alert-fixtures.js';
import { replica } from './ha-fixtures.js';

const LEASE_MS = 15_000;
const OWNERSHIP_MS = 30_000;

let server: PostgresServer;
const opened: Storage[] = [];
before(async () => {
  server = await startPostgres();
});
after(async () => {
  for (const storage of opened) await storage.close().catch(() => undefined);
  await server?.stop();
});

/** `count` storages ("replicas", each its own pool) on one fresh database. */
async function replicaStorages(count: number): Promise<Storage[]> {
  const url = await server.createDatabase();
  const storages: Storage[] = [];
  for (let i = 0; i < count; i++) storages.push(await postgresStorage(url));
  opened.push(...storages);
  return storages;
}

describe('the alert lease on PostgreSQL', () => {
  it('is held by exactly one of two replicas asking at the same moment, round after round, and taken over once the holder lets it lapse', async () => {
    const [one, two] = await replicaStorages(2);
    const clock = new ManualClock();
    const a = createLease({ storage: one!, name: 'alerts/alerts', replica: 'a', durationMs: LEASE_MS });
    const b = createLease({ storage: two!, name: 'alerts/alerts', replica: 'b', durationMs: LEASE_MS });
    for (let round = 0; round < 50; round++) {
      clock.advance(SECOND);
      const outcomes = await Promise.all([a.renew(clock.now()), b.renew(clock.now())]);
      assert.equal(outcomes.filter((outcome) => outcome.held).length, 1, `round ${round}: exactly one holds`);
      assert.equal([a, b].filter((lease) => lease.holds(clock.now())).length, 1);
    }
    const [holder, other] = a.holds(clock.now()) ? [a, b] : [b, a];
    clock.advance(LEASE_MS - 1);
    assert.equal((await other.renew(clock.now())).held, false, 'not before the lease has run out');
    clock.advance(1);
    const takeover = await other.renew(clock.now());
    assert.deepEqual([takeover.held, takeover.acquired, takeover.previousHolder], [true, true, holder.replica]);
    assert.equal((await holder.renew(clock.now())).held, false, 'the old holder finds it taken');
  });
});

describe('alerts HA on PostgreSQL', () => {
  it('notifies once from two replicas evaluating the same data; after the leader dies the other takes over without re-announcing and notifies what is new', async () => {
    const [one, two] = await replicaStorages(2);
    const clock = new ManualClock();
    const [a, b] = [replica('a', one!, clock), replica('b', two!, clock)];
    await a.evaluate();
    await b.evaluate();
    a.errors(11);
    b.errors(11);
    clock.advance(MINUTE);
    await a.evaluate();
    await b.evaluate();
    assert.equal(a.sink.firing().length + b.sink.firing().length, 1, 'one notification between the two');
    const [leader, follower] = a.sink.firing().length === 1 ? [a, b] : [b, a];
    // The leader dies (no release): the follower sees the new incident and takes over once the lease lapses.
    follower.errors(11, 'payments');
    for (let minute = 0; minute < 3; minute++) {
      clock.advance(MINUTE);
      await follower.evaluate();
    }
    assert.ok(follower.gate.isLeader(clock.now()));
    assert.deepEqual(follower.sink.firing().map((n) => n.labels.service), ['payments'], 'checkout, announced by the dead leader, is not announced again');
    assert.equal(leader.sink.firing().length, 1);
  });
});

describe('an alerts exporter on PostgreSQL', () => {
  it('warns at build, with the path to fix, when it has no ha block (replicas sharing the database would each notify and overwrite each other’s state)', async () => {
    const [storage] = await replicaStorages(1);
    const warnings = async (body: Record<string, unknown>) => {
      const lines: Record<string, unknown>[] = [];
      const destination = new Writable({
        write(chunk: Buffer, _encoding, done) {
          for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line));
          done();
        },
      });
      createAlertsExporter(alertsConfig(body), { ...buildContext(), storage: storage!, logger: createLogger('info', destination) }, CHANNELS);
      await new Promise((resolve) => setImmediate(resolve));
      return lines.filter((line) => line.level === 'warn' || line.level === 40);
    };
    const without = await warnings({ rules: [] });
    assert.equal(without.length, 1);
    assert.equal(without[0]!.path, 'exporters.alerts.ha');
    assert.match(String(without[0]!.msg), /give it an ha block/);
    assert.deepEqual(await warnings({ rules: [], ha: {} }), []);
  });
});

describe('the notification outbox on PostgreSQL', () => {
  it('lets another replica deliver, exactly once, what a replica that died mid-delivery left pending', async () => {
    let up = false;
    const receiver = await startReceiver(() => (up ? { status: 200 } : { status: 503 }));
    const [one, two] = await replicaStorages(2);
    const clock = new ManualClock();
    const options = { webhook: `${receiver.url}/hook`, ownershipMs: OWNERSHIP_MS };
    const [a, b] = [replica('a', one!, clock, options), replica('b', two!, clock, options)];
    try {
      await a.delivery!.component.start();
      await b.delivery!.component.start();
      await a.evaluate();
      await b.evaluate();
      assert.ok(a.gate.isLeader(clock.now()), 'a asked first, so a leads');
      a.errors(11);
      b.errors(11);
      clock.advance(MINUTE);
      await a.evaluate();
      await b.evaluate();
      await a.delivery!.idle();
      const [sent] = a.sink.firing();
      assert.ok(sent !== undefined);
      assert.equal(receiver.requests.length, 1, 'a tried once; the receiver answered 503');
      assert.equal(receiver.delivered.length, 0);
      const pending = await one!.read((sql) => sql.all<{ owner: string; attempts: number }>('SELECT owner, attempts FROM outbox'));
      assert.deepEqual(pending, [{ owner: 'a', attempts: 1 }]);

      // a dies: its connections go, its lanes stop, nothing is released.
      await one!.close();
      await a.delivery!.component.shutdown();
      up = true;

      clock.advance(OWNERSHIP_MS / 2);
      await b.delivery!.sweep();
      b.delivery!.wake();
      await b.delivery!.idle();
      assert.equal(receiver.delivered.length, 0, 'b leaves the row alone while a still owns it');

      clock.advance(OWNERSHIP_MS / 2 + 1);
      await b.delivery!.sweep();
      b.delivery!.wake();
      await b.delivery!.idle();
      assert.equal(receiver.delivered.length, 1, 'b adopted the row once a’s ownership lapsed and delivered it');
      assert.equal(receiver.delivered[0]!.json().id, sent.id);
      assert.equal(receiver.delivered[0]!.headers['idempotency-key'], sent.id);
      assert.deepEqual(await two!.read((sql) => sql.all('SELECT id FROM outbox')), [], 'the outbox is empty');

      // b goes on evaluating, takes the lease over and neither re-announces nor re-delivers.
      for (let minute = 0; minute < 4; minute++) {
        b.errors(11);
        clock.advance(MINUTE);
        await b.evaluate();
        await b.delivery!.sweep();
        b.delivery!.wake();
        await b.delivery!.idle();
      }
      assert.ok(b.gate.isLeader(clock.now()));
      assert.equal(receiver.delivered.length, 1, 'delivered exactly once');
      assert.equal(b.sink.firing().length, 0);
    } finally {
      await b.delivery!.component.shutdown();
      await receiver.close();
    }
  });

  it('gives each lapsed row to one of two replicas sweeping at the same moment', async () => {
    const [one, two, three] = await replicaStorages(3);
    const dead = createOutbox({ storage: one!, exporter: 'alerts', owner: 'dead', ownershipMs: OWNERSHIP_MS });
    const items: PendingDelivery[] = Array.from({ length: 40 }, () => ({ channel: 'ops', notification: firing(), attempts: 1, notBefore: 0, enqueuedAt: 0 }));
    for (const item of items) assert.equal(await dead.add(item, 0), true);
    assert.equal(await dead.add(items[0]!, 0), false, 'the same notification is not queued twice');
    const a = createOutbox({ storage: two!, exporter: 'alerts', owner: 'a', ownershipMs: OWNERSHIP_MS });
    const b = createOutbox({ storage: three!, exporter: 'alerts', owner: 'b', ownershipMs: OWNERSHIP_MS });
    assert.deepEqual((await a.sweep(OWNERSHIP_MS - 1)).adopted, [], 'nothing lapsed yet');
    const [fromA, fromB] = await Promise.all([a.sweep(OWNERSHIP_MS + 1), b.sweep(OWNERSHIP_MS + 1)]);
    const ids = [...fromA.adopted, ...fromB.adopted].map((item) => item.notification.id);
    assert.equal(ids.length, items.length, 'every row adopted');
    assert.equal(new Set(ids).size, items.length, 'none adopted twice');
    assert.deepEqual([...fromA.owned].sort(), fromA.adopted.map((item) => a.keyOf(item)).sort(), 'each owns what it adopted');
  });
});
