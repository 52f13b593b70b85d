// The alert lease (a row of the `leases` table) on a real SQLite storage: two replicas, each its own
// Lease object on one database, driven by a manual clock. The same contention on PostgreSQL, with
// each replica its own pool, is in test/alert/alerts-replicas.test.ts.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLease, type Lease } from '../../src/alert/ha/lease.js';
import { ManualClock } from '../../src/internal/clock.js';
import type { Storage } from '../../src/storage/storage.js';
import { sqliteStorage } from '../helpers/storage.js';

const LEASE_MS = 15_000;

async function pair(): Promise<{ storage: Storage; a: Lease; b: Lease; clock: ManualClock }> {
  const storage = await sqliteStorage();
  const make = (replica: string) => createLease({ storage, name: 'alerts/alerts', replica, durationMs: LEASE_MS });
  return { storage, a: make('a'), b: make('b'), clock: new ManualClock() };
}

describe('the alert lease', () => {
  it('goes to the first replica that asks when nobody holds it', async () => {
    const { a, b, clock } = await pair();
    const first = await a.renew(clock.now());
    assert.deepEqual([first.held, first.acquired, first.previousHolder], [true, true, null]);
    const second = await b.renew(clock.now());
    assert.equal(second.held, false);
    assert.equal(second.latest?.holder, 'a');
    assert.ok(a.holds(clock.now()));
    assert.ok(!b.holds(clock.now()));
  });

  it('stays with its holder as long as the holder renews it in time', async () => {
    const { a, b, clock } = await pair();
    await a.renew(clock.now());
    for (let i = 0; i < 10; i++) {
      clock.advance(LEASE_MS - 1);
      const renewed = await a.renew(clock.now());
      assert.deepEqual([renewed.held, renewed.acquired], [true, false]);
      assert.equal((await b.renew(clock.now())).held, false);
    }
  });

  it('is taken over only once it has expired, naming the previous holder', async () => {
    const { a, b, clock } = await pair();
    await a.renew(clock.now());
    clock.advance(LEASE_MS - 1);
    assert.equal((await b.renew(clock.now())).held, false);
    assert.ok(a.holds(clock.now()));
    clock.advance(1);
    assert.ok(!a.holds(clock.now()));
    const takeover = await b.renew(clock.now());
    assert.deepEqual([takeover.held, takeover.acquired, takeover.previousHolder, takeover.previousWasSelf], [true, true, 'a', false]);
    const late = await a.renew(clock.now());
    assert.equal(late.held, false);
    assert.equal(late.latest?.holder, 'b');
  });

  it('can be taken at once after its holder released it', async () => {
    const { a, b, clock } = await pair();
    await a.renew(clock.now());
    await a.release(clock.now());
    assert.ok(!a.holds(clock.now()));
    const takeover = await b.renew(clock.now());
    assert.deepEqual([takeover.held, takeover.previousHolder], [true, 'a']);
  });

  it('tells a holder that let its own lease lapse that it took it back from itself', async () => {
    const { a, clock } = await pair();
    await a.renew(clock.now());
    clock.advance(LEASE_MS);
    const again = await a.renew(clock.now());
    assert.deepEqual([again.held, again.acquired, again.previousHolder, again.previousWasSelf], [true, true, 'a', true]);
  });

  it('tells replicas with the same name apart', async () => {
    const storage = await sqliteStorage();
    const a = createLease({ storage, name: 'alerts/alerts', replica: 'same', durationMs: LEASE_MS });
    const b = createLease({ storage, name: 'alerts/alerts', replica: 'same', durationMs: LEASE_MS });
    await a.renew(0);
    assert.equal((await b.renew(0)).held, false);
  });

  it('keeps the leases of two exporters apart', async () => {
    const storage = await sqliteStorage();
    const ops = createLease({ storage, name: 'alerts/ops', replica: 'a', durationMs: LEASE_MS });
    const dev = createLease({ storage, name: 'alerts/dev', replica: 'b', durationMs: LEASE_MS });
    assert.equal((await ops.renew(0)).held, true);
    assert.equal((await dev.renew(0)).held, true);
  });

  it('never lets two contenders hold it at once, whatever the interleaving', async () => {
    const { storage, a, b, clock } = await pair();
    const leases = [a, b];
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const holders = new Set<string>();
    for (let round = 0; round < 300; round++) {
      clock.advance(Math.floor(random() * LEASE_MS * 0.6));
      const now = clock.now();
      const choice = random();
      if (choice < 0.5) await Promise.all(leases.map((lease) => lease.renew(now)));
      else if (choice < 0.9) await leases[Math.floor(random() * 2)]!.renew(now);
      else await leases[Math.floor(random() * 2)]!.release(now);
      const holding = leases.filter((lease) => lease.holds(now));
      assert.ok(holding.length <= 1, `round ${round}: both hold the lease`);
      for (const lease of holding) holders.add(lease.replica);
    }
    assert.deepEqual([...holders].sort(), ['a', 'b'], 'each replica held the lease at some point');
    const rows = await storage.read((sql) => sql.all('SELECT name FROM leases'));
    assert.equal(rows.length, 1, 'one row, rewritten in place');
  });

  it('rejects when the storage cannot be used, and then does not count as held', async () => {
    const { storage, a, clock } = await pair();
    await a.renew(clock.now());
    await storage.close();
    clock.advance(LEASE_MS);
    await assert.rejects(a.renew(clock.now()), { name: 'StorageError' });
    assert.ok(!a.holds(clock.now()));
  });
});
