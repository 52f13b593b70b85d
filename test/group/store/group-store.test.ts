// The error group store on a real SQLite storage (the same code runs on PostgreSQL:
// test/storage/postgres-replicas.test.ts).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderMetrics } from '../../../src/metrics/registry.js';
import { sampleValue } from '../../helpers/prom-text.js';
import { errorEvent } from '../../metrics/metric-fixtures.js';
import { createGroupSignals } from '../../../src/group/signals.js';
import { GROUPS_EXPORTER_DEFAULTS } from '../../../src/group/store/config.js';
import { createGroupStore, EXPIRE_CHUNK } from '../../../src/group/store/group-store.js';
import { ManualClock } from '../../../src/internal/clock.js';
import { sqliteStorage } from '../../helpers/storage.js';
import type { Storage } from '../../../src/storage/storage.js';
import { allGroups, eventOf, groupOf, grouping, storeUnderTest } from './store-fixtures.js';

async function metricsText(registry: Parameters<typeof renderMetrics>[0]): Promise<string> {
  return (await renderMetrics(registry, undefined)).body;
}

describe('the error group store', () => {
  it('keeps one group per fingerprint, counting every event and the first and last time seen', async () => {
    const { store } = await storeUnderTest();
    await store.record([eventOf('a', { timestampMs: 2000 }), eventOf('a', { timestampMs: 1000 }), eventOf('b', { timestampMs: 3000 })]);
    assert.equal(await store.size(), 2);
    const a = (await groupOf(store, 'a'))!;
    assert.equal(a.count, 2);
    assert.equal(a.firstSeenMs, 1000);
    assert.equal(a.lastSeenMs, 2000);
    assert.equal(a.title, 'TypeError: a');
    assert.equal(a.culprit, 'loadUser (src/users.js)');
    assert.match(a.id, /^[0-9a-f]{12}$/);
  });

  it('counts later batches into an existing group: count, last seen and the latest level; an older event moves first seen', async () => {
    const { store } = await storeUnderTest();
    await store.record([eventOf('a', { timestampMs: 2000, level: 'error' })]);
    await store.record([eventOf('a', { timestampMs: 3000, level: 'warning' })]);
    let a = (await groupOf(store, 'a'))!;
    assert.deepEqual([a.count, a.firstSeenMs, a.lastSeenMs, a.level], [2, 2000, 3000, 'warning']);
    await store.record([eventOf('a', { timestampMs: 1000, level: 'error' })]);
    a = (await groupOf(store, 'a'))!;
    assert.deepEqual([a.count, a.firstSeenMs, a.lastSeenMs, a.level], [3, 1000, 3000, 'warning']);
  });

  it("keeps the frames of the event that set the culprit, and takes new ones when an event moves the culprit", async () => {
    const { store } = await storeUnderTest();
    const frame = (fn: string, line: number) => ({ function: fn, module: 'src/users.js', line, column: 1, inApp: true });
    const withFrames = (culprit: string, frames: ReturnType<typeof frame>[]) => ({ grouping: grouping('a', { culprit, frames }) });
    await store.record([eventOf('a', withFrames('loadUser (src/users.js)', [frame('loadUser', 10)]))]);
    await store.record([eventOf('a', withFrames('loadUser (src/users.js)', [frame('loadUser', 11)]))]);
    assert.deepEqual((await groupOf(store, 'a'))!.frames, [frame('loadUser', 10)], 'same culprit: frames kept');
    await store.record([eventOf('a', withFrames('saveUser (src/users.js)', [frame('saveUser', 20)]))]);
    const moved = (await groupOf(store, 'a'))!;
    assert.equal(moved.culprit, 'saveUser (src/users.js)');
    assert.deepEqual(moved.frames, [frame('saveUser', 20)]);
    assert.equal(moved.count, 3);
  });

  it('within a batch, keeps the frames of the last event that moved the culprit, and asks for frames only when some are kept', async () => {
    const storage = await sqliteStorage();
    // The frames filing asked the store for, per batch (file-batch.ts asks only for those it keeps).
    const asked: number[][] = [];
    const watched: Storage = {
      ...storage,
      task: (task, input, answer) =>
        storage.task(task, input, answer && ((question) => (asked.push([...(question as number[])]), answer(question)))),
    };
    const { store } = await storeUnderTest({}, watched);
    const frame = (fn: string, line: number) => ({ function: fn, module: 'src/users.js', line, column: 1, inApp: true });
    const at = (culprit: string, fn: string, line: number) => eventOf('a', { grouping: grouping('a', { culprit, frames: [frame(fn, line)] }) });
    await store.record([at('loadUser (src/users.js)', 'loadUser', 10), at('loadUser (src/users.js)', 'loadUser', 11)]);
    assert.deepEqual(asked, [[0]], 'a new group: the frames of the event that opened it');
    assert.deepEqual((await groupOf(store, 'a'))!.frames, [frame('loadUser', 10)]);

    await store.record([at('loadUser (src/users.js)', 'loadUser', 12), at('loadUser (src/users.js)', 'loadUser', 13)]);
    assert.equal(asked.length, 1, 'the culprit stayed: no frames asked for');

    // saveUser moves it, '' never replaces a culprit, checkout moves it again, then the same again.
    await store.record([
      at('saveUser (src/users.js)', 'saveUser', 20),
      at('', 'anonymous', 1),
      at('checkout (src/users.js)', 'checkout', 30),
      at('checkout (src/users.js)', 'checkout', 31),
    ]);
    assert.deepEqual(asked[1], [2], 'only the frames of the last event that moved the culprit');
    const moved = (await groupOf(store, 'a'))!;
    assert.equal(moved.culprit, 'checkout (src/users.js)');
    assert.deepEqual(moved.frames, [frame('checkout', 30)]);
    assert.equal(moved.count, 8);
  });

  it('derives the same short id from the same service and fingerprint in another store', async () => {
    const first = (await storeUnderTest()).store;
    const second = (await storeUnderTest()).store;
    await first.record([eventOf('a')]);
    await second.record([eventOf('b'), eventOf('a')]);
    assert.equal((await groupOf(first, 'a'))!.id, (await groupOf(second, 'a'))!.id);
  });

  it('keeps the same fingerprint of two services in two groups', async () => {
    const { store } = await storeUnderTest();
    await store.record([eventOf('a', { service: 'cart' }), eventOf('a', { service: 'shop' })]);
    assert.deepEqual((await allGroups(store)).map((group) => group.service).sort(), ['cart', 'shop']);
  });

  it('groups events without grouping by service, type and message until the group processor runs', async () => {
    const { store } = await storeUnderTest();
    await store.record([errorEvent({ message: 'boom' }), errorEvent({ message: 'boom' }), errorEvent({ message: 'bang' })]);
    const rows = (await allGroups(store)).map((group) => [group.title, group.count, group.method]);
    assert.deepEqual(rows.sort(), [
      ['TypeError: bang', 1, 'message'],
      ['TypeError: boom', 2, 'message'],
    ]);
  });

  it('announces a new group once, with the event that opened it', async () => {
    const { store, emitted } = await storeUnderTest();
    const first = eventOf('a');
    await store.record([first, eventOf('a'), eventOf('a')]);
    assert.equal(emitted.length, 1);
    assert.equal(emitted[0]!.kind, 'new_group');
    assert.equal(emitted[0]!.event, first);
    assert.equal(emitted[0]!.groupId, (await groupOf(store, 'a'))!.id);
  });

  it('keeps the latest samples_per_group samples with their trace ids, and counts sampled-out events', async () => {
    const { store } = await storeUnderTest({ samplesPerGroup: 2 });
    await store.record([
      eventOf('a', { message: 'one', traceId: '1'.repeat(32), timestampMs: 1 }),
      eventOf('a', { message: 'two', traceId: '2'.repeat(32), timestampMs: 2 }),
      eventOf('a', { message: 'three', traceId: '3'.repeat(32), timestampMs: 3 }),
      eventOf('a', { message: 'four', keepSample: false, timestampMs: 4 }),
    ]);
    const group = (await groupOf(store, 'a'))!;
    assert.equal(group.count, 4);
    assert.deepEqual(group.samples.map((sample) => [sample.message, sample.traceId]), [
      ['two', '2'.repeat(32)],
      ['three', '3'.repeat(32)],
    ]);
    assert.equal((await store.event(group.samples[0]!.id))?.sample.message, 'two');
  });

  it('forgets the event id of a sample pushed out by newer ones', async () => {
    const { store } = await storeUnderTest({ samplesPerGroup: 1 });
    await store.record([eventOf('a', { message: 'old', timestampMs: 1 })]);
    const oldId = (await groupOf(store, 'a'))!.samples[0]!.id;
    await store.record([eventOf('a', { message: 'new', timestampMs: 2 })]);
    assert.equal(await store.event(oldId), undefined);
  });

  it('stores an event delivered twice as one sample, and counts it twice', async () => {
    const { store } = await storeUnderTest();
    const event = eventOf('a');
    await store.record([event]);
    await store.record([event]);
    const group = (await groupOf(store, 'a'))!;
    assert.equal(group.count, 2);
    assert.equal(group.samples.length, 1);
  });

  it("stores a sample's stack trace in a column of its own, out of its JSON body", async () => {
    const storage = await sqliteStorage();
    const { store } = await storeUnderTest({}, storage);
    const event = eventOf('a', { stacktrace: 'TypeError: a\n    at loadUser (src/users.js:10:5)' });
    await store.record([event]);
    const rows = await storage.read((sql) => sql.all<{ stacktrace: string; body: string }>('SELECT stacktrace, body FROM samples'));
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.stacktrace, event.stacktrace);
    assert.equal('stacktrace' in JSON.parse(rows[0]!.body), false);
    assert.equal((await groupOf(store, 'a'))!.samples[0]!.stacktrace, event.stacktrace);
  });

  it('cuts long messages and stack traces in samples at max_sample_bytes', async () => {
    const { store } = await storeUnderTest({ maxSampleBytes: 100 });
    await store.record([eventOf('a', { stacktrace: 'x'.repeat(10_000) })]);
    assert.ok((await groupOf(store, 'a'))!.samples[0]!.stacktrace.length < 200);
  });

  it('remembers the most recently seen releases and the first environments, each bounded', async () => {
    const { store } = await storeUnderTest({ maxReleasesPerGroup: 2, maxEnvironmentsPerGroup: 2 });
    for (const [release, environment] of [['1.0', 'dev'], ['1.1', 'staging'], ['1.0', 'prod'], ['1.2', 'test']]) {
      await store.record([eventOf('a', { serviceVersion: release, environment })]);
    }
    const group = (await groupOf(store, 'a'))!;
    assert.deepEqual(group.releases, ['1.0', '1.2']);
    assert.deepEqual(group.environments, ['dev', 'staging']);
  });

  it('evicts the least recently seen group past max_groups and counts it', async () => {
    const { store, registry, clock } = await storeUnderTest({ maxGroups: 2 });
    await store.record([eventOf('a', { timestampMs: 1_000 }), eventOf('b', { timestampMs: 1_000 })]);
    clock.advance(1000);
    await store.record([eventOf('a', { timestampMs: 2_000 })]); // b is now the least recently seen
    clock.advance(1000);
    await store.record([eventOf('c', { timestampMs: 3_000 })]);
    assert.deepEqual((await allGroups(store)).map((group) => group.fingerprint).sort(), ['a', 'c']);
    const text = await metricsText(registry);
    assert.equal(sampleValue(text, 'faultline_error_groups_evicted_total'), 1);
    assert.equal(sampleValue(text, 'faultline_error_groups_new_total', { service: 'checkout' }), 3);
  });

  it('never evicts a group of the batch that passed max_groups, and announces an evicted group as new when it returns', async () => {
    const { store, emitted, clock } = await storeUnderTest({ maxGroups: 1 });
    await store.record([eventOf('a'), eventOf('b')]);
    assert.equal(await store.size(), 2, 'both groups of one batch stay until the next batch');
    clock.advance(1000);
    await store.record([eventOf('c')]);
    clock.advance(1000);
    await store.record([eventOf('a')]);
    assert.deepEqual((await allGroups(store)).map((group) => group.fingerprint), ['a']);
    assert.deepEqual(emitted.map((signal) => signal.kind), ['new_group', 'new_group', 'new_group', 'new_group']);
  });

  it('holds 10,000 groups × 5 samples, its default bounds, with none evicted and each sample found by its trace', async (t) => {
    const { store, registry } = await storeUnderTest();
    const started = process.hrtime.bigint();
    for (let start = 0; start < 50_000; start += 1000) {
      const events = [];
      for (let i = start; i < start + 1000; i++) {
        events.push(eventOf(`fp-${i % 10_000}`, { traceId: i.toString(16).padStart(32, '0'), timestampMs: i, stacktrace: `Error\n    at frame${i % 10_000} (src/app.js:1:1)\n`.repeat(20) }));
      }
      await store.record(events);
    }
    const writeMs = Number(process.hrtime.bigint() - started) / 1e6;
    assert.equal(await store.size(), 10_000);
    assert.equal(sampleValue(await metricsText(registry), 'faultline_error_groups_evicted_total'), 0);
    const lookup = process.hrtime.bigint();
    const found = await store.traceSamples((12_345).toString(16).padStart(32, '0'), 100);
    const micros = Number(process.hrtime.bigint() - lookup) / 1000;
    assert.equal(found.total, 1);
    assert.equal(found.samples[0]!.group.fingerprint, 'fp-2345');
    assert.equal((await groupOf(store, 'fp-9999'))!.samples.length, 5);
    // Reported, not asserted (no timing thresholds in tests); bench/store.ts measures it properly.
    t.diagnostic(`50,000 events into 10,000 groups: ${Math.round(writeMs)} ms; one trace lookup: ${Math.round(micros)} µs`);
  });

  it('gauges the groups by service and state', async () => {
    const { store, registry } = await storeUnderTest();
    await store.record([eventOf('a'), eventOf('b'), eventOf('c', { service: 'billing' })]);
    await store.setState((await groupOf(store, 'b'))!.id, 'ignored');
    const text = await metricsText(registry);
    assert.equal(sampleValue(text, 'faultline_error_groups', { service: 'checkout', state: 'unresolved' }), 1);
    assert.equal(sampleValue(text, 'faultline_error_groups', { service: 'checkout', state: 'ignored' }), 1);
    assert.equal(sampleValue(text, 'faultline_error_groups', { service: 'billing', state: 'unresolved' }), 1);
  });

  it('deletes expired samples EXPIRE_CHUNK at a time, each chunk its own transaction, until none is left or it is stopped', async () => {
    const { store } = await storeUnderTest();
    const total = 2 * EXPIRE_CHUNK + 50;
    const events = Array.from({ length: total }, (_, i) => eventOf(`g${i % 100}`, { timestampMs: 1000 + i }));
    await store.record(events);
    assert.equal((await store.recentSamples(10_000)).length, total);
    const heard: number[] = [];
    const stopped = () => heard.length >= 1;
    assert.equal(await store.expireSamples(500_000, { stopped, expired: (samples) => heard.push(samples) }), EXPIRE_CHUNK, 'stopped before its second chunk');
    assert.deepEqual(heard, [EXPIRE_CHUNK]);
    assert.equal((await store.recentSamples(10_000)).length, total - EXPIRE_CHUNK);
    assert.equal(await store.expireSamples(500_000), total - EXPIRE_CHUNK);
    assert.deepEqual(await store.recentSamples(10_000), []);
    assert.equal((await allGroups(store)).length, 100);
  });

  it('deletes samples older than a given time, keeping their groups', async () => {
    const { store } = await storeUnderTest();
    await store.record([eventOf('a', { timestampMs: 1000 }), eventOf('a', { timestampMs: 5000 }), eventOf('b', { timestampMs: 2000 })]);
    assert.equal(await store.expireSamples(3000), 2);
    assert.deepEqual((await groupOf(store, 'a'))!.samples.map((sample) => sample.timestampMs), [5000]);
    assert.equal((await groupOf(store, 'b'))!.samples.length, 0);
    assert.equal((await groupOf(store, 'b'))!.count, 1);
  });

  it('keeps its groups across a reopen of the same database', async () => {
    const storage = await sqliteStorage();
    const first = await storeUnderTest({}, storage);
    await first.store.record([eventOf('a'), eventOf('a')]);
    await first.store.setState((await groupOf(first.store, 'a'))!.id, 'resolved', '1.0');
    await storage.close();
    const reopened = await storeUnderTest({}, await sqliteStorage({ dir: storage.dir }));
    const group = (await groupOf(reopened.store, 'a'))!;
    assert.equal(group.count, 2);
    assert.equal(group.state, 'resolved');
    assert.equal(group.samples.length, 1);
    await reopened.store.record([eventOf('a', { serviceVersion: '1.0' })]);
    assert.equal(reopened.emitted.length, 0, 'a known group is not new after a reopen');
  });
});

describe('regressions', () => {
  async function resolvedIn(release: string) {
    const setup = await storeUnderTest();
    await setup.store.record([eventOf('a', { serviceVersion: '1.0' }), eventOf('a', { serviceVersion: release })]);
    await setup.store.setState((await groupOf(setup.store, 'a'))!.id, 'resolved');
    setup.emitted.length = 0;
    return setup;
  }

  it('reopens a group resolved in 1.2 when it is seen in 1.3, announcing the latest event', async () => {
    const { store, emitted, registry } = await resolvedIn('1.2');
    assert.equal((await groupOf(store, 'a'))!.resolvedInRelease, '1.2');
    const latest = eventOf('a', { serviceVersion: '1.3', message: 'the latest message' });
    await store.record([latest]);
    const group = (await groupOf(store, 'a'))!;
    assert.equal(group.state, 'unresolved');
    assert.equal(group.regressed, true);
    assert.deepEqual(emitted.map((signal) => [signal.kind, signal.event]), [['regression', latest]]);
    assert.equal(sampleValue(await metricsText(registry), 'faultline_error_groups_regressed_total', { service: 'checkout' }), 1);
  });

  it('keeps a group resolved in 1.2 resolved, silently, when it is seen in 1.1 or 1.2', async () => {
    const { store, emitted } = await resolvedIn('1.2');
    await store.record([eventOf('a', { serviceVersion: '1.1' }), eventOf('a', { serviceVersion: '1.2' })]);
    const group = (await groupOf(store, 'a'))!;
    assert.equal(group.state, 'resolved');
    assert.equal(group.regressed, false);
    assert.equal(group.count, 4);
    assert.equal(emitted.length, 0);
  });

  it('regresses once when a batch holds an old release and then a newer one', async () => {
    const { store, emitted } = await resolvedIn('1.2');
    await store.record([eventOf('a', { serviceVersion: '1.1' }), eventOf('a', { serviceVersion: '1.3' }), eventOf('a', { serviceVersion: '1.4' })]);
    assert.deepEqual(emitted.map((signal) => [signal.kind, signal.event.serviceVersion]), [['regression', '1.3']]);
  });

  it('orders releases as versions, so 1.10 is newer than 1.9 and v2.0.0 newer than app@1.9', async () => {
    const { store, emitted } = await resolvedIn('1.9');
    await store.record([eventOf('a', { serviceVersion: '1.10' })]);
    assert.deepEqual(emitted.map((signal) => signal.kind), ['regression']);
  });

  it('treats a release that is not a version as newer only when the group has never seen it', async () => {
    const { store, emitted } = await resolvedIn('abc123');
    await store.record([eventOf('a', { serviceVersion: 'abc123' })]);
    assert.equal(emitted.length, 0);
    await store.record([eventOf('a', { serviceVersion: 'def456' })]);
    assert.deepEqual(emitted.map((signal) => signal.kind), ['regression']);
  });

  it('regresses a group resolved without any release on its next event', async () => {
    const { store, emitted } = await storeUnderTest();
    await store.record([eventOf('a', { serviceVersion: '' })]);
    await store.setState((await groupOf(store, 'a'))!.id, 'resolved');
    await store.record([eventOf('a', { serviceVersion: '' })]);
    assert.deepEqual(emitted.map((signal) => signal.kind), ['new_group', 'regression']);
  });

  it('resolves in the release given, and never signals for an ignored group', async () => {
    const { store, emitted } = await storeUnderTest();
    await store.record([eventOf('a', { serviceVersion: '1.0' }), eventOf('b', { serviceVersion: '1.0' })]);
    await store.setState((await groupOf(store, 'a'))!.id, 'resolved', '2.0');
    await store.setState((await groupOf(store, 'b'))!.id, 'ignored');
    emitted.length = 0;
    await store.record([eventOf('a', { serviceVersion: '1.5' }), eventOf('b', { serviceVersion: '9.0' })]);
    assert.equal(emitted.length, 0);
    assert.equal((await groupOf(store, 'b'))!.state, 'ignored');
  });
});

describe('merges', () => {
  it('adds the merged group to the target and files its new events there', async () => {
    const { store, emitted } = await storeUnderTest();
    await store.record([eventOf('a', { timestampMs: 5000 }), eventOf('b', { timestampMs: 1000, environment: 'staging' }), eventOf('b')]);
    const a = (await groupOf(store, 'a'))!;
    const b = (await groupOf(store, 'b'))!;
    const bSample = b.samples[0]!.id;
    const merged = await store.merge(b.id, a.id);
    assert.equal(await store.get(b.id), undefined);
    assert.equal(merged.count, 3);
    assert.equal(merged.firstSeenMs, 1000);
    assert.deepEqual(merged.environments, ['production', 'staging']);
    assert.equal((await store.event(bSample))?.group.id, a.id);
    emitted.length = 0;
    await store.record([eventOf('b')]);
    assert.equal(await store.size(), 1);
    assert.equal((await store.get(a.id))!.count, 4);
    assert.equal(emitted.length, 0);
  });

  it('follows a chain of merges: B into A, then A into C', async () => {
    const { store } = await storeUnderTest();
    await store.record([eventOf('a'), eventOf('b'), eventOf('c')]);
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((fingerprint) => groupOf(store, fingerprint)));
    await store.merge(b!.id, a!.id);
    await store.merge(a!.id, c!.id);
    await store.record([eventOf('b')]);
    assert.equal(await store.size(), 1);
    assert.equal((await store.get(c!.id))!.count, 4);
  });

  it("keeps a merged group's id as an alias of its target, through a chain of merges, acting on the target", async () => {
    const { store } = await storeUnderTest();
    await store.record([eventOf('a'), eventOf('b'), eventOf('c')]);
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((fingerprint) => groupOf(store, fingerprint)));
    const [aId, bId] = [a!.id, b!.id];
    await store.merge(bId, aId);
    assert.equal(await store.get(bId), undefined);
    assert.equal((await store.mergedInto(bId))?.id, aId);
    await store.merge(aId, c!.id);
    assert.equal((await store.mergedInto(bId))?.id, c!.id, 'an alias follows its group into the next merge');
    assert.equal((await store.mergedInto(aId))?.id, c!.id);
    assert.deepEqual((await store.get(c!.id))!.mergedIds, [aId, bId]);
    const resolved = await store.setState(bId, 'resolved');
    assert.equal(resolved.id, c!.id, 'a state change on an old id acts on the target');
    assert.equal((await store.get(c!.id))!.state, 'resolved');
    await assert.rejects(store.merge(bId, c!.id), { status: 400, message: /was already merged into/ });
    assert.equal(await store.mergedInto(c!.id), undefined);
  });

  it('forgets the aliases of an evicted group, and finds a group by service and fingerprint after merges', async () => {
    const { store, clock } = await storeUnderTest({ maxGroups: 2 });
    await store.record([eventOf('a'), eventOf('b')]);
    const [a, b] = await Promise.all(['a', 'b'].map((fingerprint) => groupOf(store, fingerprint)));
    await store.merge(b!.id, a!.id);
    assert.equal((await store.groupOf('checkout', 'b'))?.id, a!.id);
    assert.equal(await store.groupOf('billing', 'b'), undefined);
    clock.advance(1000);
    await store.record([eventOf('c'), eventOf('d')]);
    assert.equal(await groupOf(store, 'a'), undefined, 'a was evicted');
    assert.equal(await store.mergedInto(b!.id), undefined);
  });

  it('answers which group a service and fingerprint file into on the signal bus', async () => {
    const signals = createGroupSignals();
    assert.equal(signals.groupIdOf('checkout', 'a'), undefined);
    const store = createGroupStore({ storage: await sqliteStorage(), exporter: 'groups', limits: GROUPS_EXPORTER_DEFAULTS, clock: new ManualClock(), signals });
    signals.answerGroupIds((service, fingerprint) => store.knownGroupId(service, fingerprint));
    await store.record([eventOf('a'), eventOf('b')]);
    const [a, b] = await Promise.all(['a', 'b'].map((fingerprint) => groupOf(store, fingerprint)));
    assert.equal(signals.groupIdOf('checkout', 'a'), a!.id);
    await store.merge(a!.id, b!.id);
    assert.equal(signals.groupIdOf('checkout', 'a'), b!.id);
    assert.equal(signals.groupIdOf('checkout', 'zzz'), undefined);
  });

  it('refuses to merge a group into itself or into a group that does not exist', async () => {
    const { store } = await storeUnderTest();
    await store.record([eventOf('a')]);
    const a = (await groupOf(store, 'a'))!;
    await assert.rejects(store.merge(a.id, a.id), { status: 400 });
    await assert.rejects(store.merge(a.id, 'ffffffffffff'), { status: 400 });
    await assert.rejects(store.merge('ffffffffffff', a.id), { status: 404 });
  });
});

describe('the samples of a trace', () => {
  const trace = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
  it('are found across groups, newest first, with their groups, and bounded by the limit', async () => {
    const { store } = await storeUnderTest();
    await store.record([
      eventOf('a', { traceId: trace, timestampMs: 1000 }),
      eventOf('b', { traceId: trace, timestampMs: 3000 }),
      eventOf('b', { timestampMs: 2000 }),
      eventOf('c', { traceId: trace, timestampMs: 2000 }),
    ]);
    const found = await store.traceSamples(trace, 2);
    assert.equal(found.total, 3);
    assert.deepEqual(found.samples.map(({ group, sample }) => [group.fingerprint, sample.timestampMs]), [['b', 3000], ['c', 2000]]);
    assert.equal((await store.traceSamples('bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 10)).total, 0);
  });
});

describe('per-group event counts on /metrics', () => {
  it('labels events with the group id up to group_label_limit and folds later groups into __overflow__', async () => {
    const { store, registry, metrics } = await storeUnderTest({ groupLabelLimit: 2 });
    const [a, b, c] = ['fp-a', 'fp-b', 'fp-c'].map((fingerprint) => eventOf(fingerprint));
    await store.record([a, a, b, c, c, c]);
    metrics.flushCounts();
    const groups = await allGroups(store);
    const idOf = (fingerprint: string) => groups.find((group) => group.fingerprint === fingerprint)!.id;
    const text = await renderMetrics(registry, undefined).then((rendered) => rendered.body);
    assert.equal(sampleValue(text, 'faultline_error_group_events_total', { service: 'checkout', group: idOf('fp-a') }), 2);
    assert.equal(sampleValue(text, 'faultline_error_group_events_total', { service: 'checkout', group: idOf('fp-b') }), 1);
    assert.equal(sampleValue(text, 'faultline_error_group_events_total', { service: '__overflow__', group: '__overflow__' }), 3);
    assert.equal(sampleValue(text, 'faultline_cardinality_overflow_total', { metric: 'faultline_error_group_events_total' }), 3);
  });
});
