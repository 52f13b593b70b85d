// The error group store on a real PostgreSQL, as replicas share it: two (or three) stores, each
// with its own connection pool and signal bus, on one database, fed at the same time. What must
// hold: every event counted once, every group opened (and announced) once, a regression decided
// once, and what one replica changes through the API seen by the others.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { GroupSignal } from '../../src/group/signals.js';
import { EXPIRE_CHUNK } from '../../src/group/store/group-store.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres.js';
import { postgresStorage } from '../helpers/storage.js';
import { allGroups, eventOf, groupOf, grouping, storeUnderTest } from '../group/store/store-fixtures.js';

let server: PostgresServer;
before(async () => {
  server = await startPostgres();
});
after(() => server?.stop());

/** `count` stores ("replicas") on one fresh database. */
async function replicas(count: number, limits: Parameters<typeof storeUnderTest>[0] = {}) {
  const url = await server.createDatabase();
  const all = [];
  for (let i = 0; i < count; i++) all.push(await storeUnderTest(limits, await postgresStorage(url)));
  return all;
}

const kinds = (emitted: readonly GroupSignal[]) => emitted.map((signal) => `${signal.kind}:${signal.event.grouping?.fingerprint}`).sort();

describe('the group store on PostgreSQL', () => {
  it('keeps groups, samples, states and merges as on SQLite; NUL characters, which its text refuses, kept in JSON or replaced', async () => {
    const [{ store, emitted }] = await replicas(1);
    await store.record([
      eventOf('a', { serviceVersion: '1.0', environment: 'staging', timestampMs: 1 }),
      eventOf('a', { message: 'nul\0inside', timestampMs: 2 }),
      eventOf('b', { timestampMs: 3 }),
    ]);
    const a = (await groupOf(store, 'a'))!;
    assert.equal(a.count, 2);
    assert.equal(a.samples.length, 2);
    assert.equal(a.samples[1]!.message, 'nul\0inside', 'sample bodies are JSON, which escapes NUL');
    await store.record([eventOf('c', { service: 'shop\0x' }), eventOf('c', { service: 'shop\0x' })]);
    const c = (await groupOf(store, 'c'))!;
    assert.equal(c.service, 'shop\uFFFDx', 'a plain text column gets U+FFFD');
    assert.equal(c.count, 2);
    emitted.splice(emitted.findIndex((signal) => signal.event.grouping?.fingerprint === 'c'), 1);
    assert.deepEqual(
      (await store.list({ environment: 'staging', sort: 'count', limit: 10, offset: 0 })).groups.map((group) => group.id),
      [a.id],
    );
    await store.setState(a.id, 'resolved', '1.0');
    await store.record([eventOf('a', { serviceVersion: '1.1' })]);
    assert.deepEqual(kinds(emitted), ['new_group:a', 'new_group:b', 'regression:a']);
    const b = (await groupOf(store, 'b'))!;
    await store.merge(b.id, a.id);
    assert.equal((await store.mergedInto(b.id))?.id, a.id);
    assert.equal((await store.get(a.id))!.count, 4);
  });

  it('counts every event once and opens every group once when two replicas file the same groups at once', async () => {
    const [one, two] = await replicas(2);
    const batches = (replica: number) =>
      Array.from({ length: 20 }, (_, b) => Array.from({ length: 50 }, (_, i) => eventOf(`fp-${(b * 7 + i) % 60}`, { message: `r${replica} b${b} e${i}` })));
    const feed = async (store: typeof one.store, replica: number) => {
      for (const events of batches(replica)) await store.record(events);
    };
    await Promise.all([feed(one!.store, 1), feed(two!.store, 2)]);
    const groups = await allGroups(one!.store);
    assert.equal(groups.length, 60);
    assert.equal(groups.reduce((sum, group) => sum + group.count, 0), 2 * 20 * 50, 'every event counted once');
    const opened = [...one!.emitted, ...two!.emitted].filter((signal) => signal.kind === 'new_group');
    assert.equal(opened.length, 60, 'each group announced by exactly one replica');
    assert.equal(new Set(opened.map((signal) => signal.groupId)).size, 60);
  });

  it('decides a regression once: resolved on one replica, then a newer release reaches all three', async () => {
    const [one, two, three] = await replicas(3);
    await one!.store.record([eventOf('a', { serviceVersion: '1.0' })]);
    await one!.store.setState((await groupOf(one!.store, 'a'))!.id, 'resolved');
    assert.equal((await groupOf(two!.store, 'a'))!.state, 'resolved', 'the resolve is seen by the other replicas');
    for (const replica of [one, two, three]) replica!.emitted.length = 0;
    await Promise.all([one, two, three].map((replica, i) => replica!.store.record([eventOf('a', { serviceVersion: '1.1', message: `from ${i}` })])));
    const regressions = [one, two, three].flatMap((replica) => replica!.emitted).filter((signal) => signal.kind === 'regression');
    assert.equal(regressions.length, 1);
    const group = (await groupOf(three!.store, 'a'))!;
    assert.equal(group.state, 'unresolved');
    assert.equal(group.count, 4);
  });

  it('counts events per hour and release, adds them up in a merge, and filters the list by release, level and words and gives the filters’ values, as on SQLite', async () => {
    const [one] = await replicas(1);
    const { store, clock } = one!;
    const now = clock.now();
    await store.record([
      eventOf('a', { timestampMs: now, serviceVersion: '1.0', level: 'warning', grouping: grouping('a', { title: 'TypeError: 100% broken' }) }),
      eventOf('a', { timestampMs: now, serviceVersion: '1.1' }),
      eventOf('b', { timestampMs: now - 3_600_000, serviceVersion: '1.1' }),
    ]);
    const [a, b] = await Promise.all(['a', 'b'].map((fingerprint) => groupOf(store, fingerprint)));
    const titles = async (query: object) => (await store.list({ sort: 'first_seen', limit: 10, offset: 0, ...query })).groups.map((group) => group.fingerprint);
    assert.deepEqual(await titles({ release: '1.0' }), ['a']);
    assert.deepEqual(await titles({ level: 'error' }), ['a', 'b'], "a's latest event is an error");
    assert.deepEqual(await titles({ text: '100% BROKEN' }), ['a']);
    assert.deepEqual(await titles({ text: '0_' }), [], '_ is no wildcard (it would match "00")');
    assert.deepEqual(await titles({}), ['a', 'b']);
    const facets = await store.facets(10);
    assert.deepEqual(
      Object.fromEntries(Object.entries(facets).map(([facet, values]) => [facet, values.map((value) => value.value).sort()])),
      { service: ['checkout'], environment: ['production'], release: ['1.0', '1.1'], level: ['error', 'warning'] },
      'the filter values, as on SQLite',
    );
    await store.merge(b!.id, a!.id);
    const hours = await store.hours([a!.id, b!.id], now - 86_400_000);
    assert.deepEqual(
      hours.map((hour) => [hour.groupId, now - hour.hourMs < 3_600_000 ? 'this hour' : 'before', hour.release, hour.count]).sort(),
      [
        [a!.id, 'before', '1.1', 1],
        [a!.id, 'this hour', '1.0', 1],
        [a!.id, 'this hour', '1.1', 1],
      ],
    );
  });

  it('sweeps expired samples and hours in chunks, as on SQLite', async () => {
    const [{ store, clock }] = await replicas(1);
    const start = clock.now();
    // 450 samples of 90 groups; one group with 2 releases × 150 hours: 300 hours.
    await store.record(Array.from({ length: 450 }, (_, i) => eventOf(`g${i % 90}`, { timestampMs: start - i * 1000 })));
    await store.record(Array.from({ length: 300 }, (_, i) => eventOf('h', { timestampMs: start - Math.floor(i / 2) * 3_600_000, serviceVersion: i % 2 === 0 ? '1.0' : '1.1' })));
    const [hours] = await allGroups(store).then((groups) => groups.filter((group) => group.fingerprint === 'h'));
    assert.equal((await store.hours([hours!.id], 0)).length, 300);
    const samples = (await store.recentSamples(10_000)).length;
    assert.ok(samples > 2 * EXPIRE_CHUNK, `${samples} samples`);
    clock.advance(15 * 24 * 3_600_000);
    assert.equal(await store.expireSamples(clock.now()), samples);
    assert.deepEqual(await store.recentSamples(10_000), []);
    assert.deepEqual(await store.hours([hours!.id], 0), []);
  });

  it('routes events of a group merged on one replica into its target on another', async () => {
    const [one, two] = await replicas(2);
    await one!.store.record([eventOf('a'), eventOf('b')]);
    const [a, b] = await Promise.all(['a', 'b'].map((fingerprint) => groupOf(one!.store, fingerprint)));
    await one!.store.merge(b!.id, a!.id);
    two!.emitted.length = 0;
    await two!.store.record([eventOf('b')]);
    assert.equal(two!.emitted.length, 0, 'b is known: merged, not new');
    assert.equal((await two!.store.get(a!.id))!.count, 3);
    assert.equal((await two!.store.mergedInto(b!.id))?.id, a!.id);
  });

  it('holds max_groups across replicas once a second, evicting the least recently seen', async () => {
    const [one, two] = await replicas(2, { maxGroups: 10 });
    await one!.store.record(Array.from({ length: 10 }, (_, i) => eventOf(`old-${i}`, { timestampMs: 1_000 })));
    one!.clock.advance(1000);
    two!.clock.advance(1000);
    await Promise.all([
      one!.store.record(Array.from({ length: 5 }, (_, i) => eventOf(`new-${i}`, { timestampMs: 2_000 }))),
      two!.store.record(Array.from({ length: 5 }, (_, i) => eventOf(`new-${i + 5}`, { timestampMs: 2_000 }))),
    ]);
    // Each counted the groups it saw; the next count, a second later, sees the other's too.
    one!.clock.advance(1000);
    await one!.store.record([eventOf('new-0', { timestampMs: 3_000 })]);
    const left = (await allGroups(two!.store)).map((group) => group.fingerprint);
    assert.equal(left.length, 10);
    assert.ok(left.every((fingerprint) => fingerprint.startsWith('new-')), left.join(' '));
  });
});
