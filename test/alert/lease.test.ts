import assert from 'node:assert/strict';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createLease, type Lease } from '../../src/alert/ha/lease.js';
import { ManualClock } from '../../src/internal/clock.js';

const LEASE_MS = 15_000;

async function pair(): Promise<{ dir: string; a: Lease; b: Lease; clock: ManualClock }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'faultline-lease-'));
  const make = (replica: string) => createLease({ dir, name: 'alerts', replica, durationMs: LEASE_MS });
  return { dir, a: make('a'), b: make('b'), clock: new ManualClock() };
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

  it('tells replicas with the same name apart', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'faultline-lease-'));
    const a = createLease({ dir, name: 'alerts', replica: 'same', durationMs: LEASE_MS });
    const b = createLease({ dir, name: 'alerts', replica: 'same', durationMs: LEASE_MS });
    await a.renew(0);
    assert.equal((await b.renew(0)).held, false);
  });

  it('never lets two contenders hold it at once, whatever the interleaving', async () => {
    const { dir, a, b, clock } = await pair();
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
    const files = (await readdir(dir)).filter((name) => name.startsWith('alerts.lease.'));
    assert.ok(files.length <= 2, `old generations are removed: ${files.join(', ')}`);
  });

  it('counts a lease file that is not a lease as expired', async () => {
    const { dir, a, clock } = await pair();
    await writeFile(path.join(dir, 'alerts.lease.7'), 'not json');
    const outcome = await a.renew(clock.now());
    assert.deepEqual([outcome.held, outcome.previousHolder], [true, 'unreadable']);
  });

  it('rejects when the lease directory cannot be written', async () => {
    // A path below a regular file fails for every user, root included (ENOTDIR).
    const parent = await mkdtemp(path.join(tmpdir(), 'faultline-lease-'));
    const file = path.join(parent, 'not-a-directory');
    await writeFile(file, '');
    const lease = createLease({ dir: path.join(file, 'leases'), name: 'alerts', replica: 'a', durationMs: LEASE_MS });
    const clock = new ManualClock();
    await assert.rejects(lease.renew(clock.now()));
    assert.ok(!lease.holds(clock.now()));
  });
});
