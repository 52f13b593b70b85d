// The hourly event counts behind the histograms (store/event-hours.ts, api/histogram.ts) on a real
// SQLite store: every event counts (not only the sampled ones), by hour and release; merges add
// up; old hours go; the list filters that came with the web UI (release, level, words, first seen).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucketCounts, histogramView, rangeStart } from '../../../src/group/api/histogram.js';
import { HOUR_MS, HOURS_KEPT_MS } from '../../../src/group/store/event-hours.js';
import { EXPIRE_CHUNK } from '../../../src/group/store/group-store.js';
import { allGroups, eventOf, grouping, storeUnderTest } from './store-fixtures.js';

const NOW = 1_700_000_000_000; // the ManualClock's start, 22:13:20 UTC

describe('events per group and hour', () => {
  it('counts every event by hour and release, also past the samples a group keeps', async () => {
    const { store } = await storeUnderTest({ samplesPerGroup: 2 });
    await store.record([
      ...Array.from({ length: 5 }, (_, i) => eventOf('fp-a', { timestampMs: NOW - i, serviceVersion: '1.0' })),
      eventOf('fp-a', { timestampMs: NOW - 2 * HOUR_MS, serviceVersion: '1.0' }),
      eventOf('fp-a', { timestampMs: NOW - 2 * HOUR_MS, serviceVersion: '1.1' }),
    ]);
    const [group] = await allGroups(store);
    const histogram = histogramView('24h', NOW, await store.hours([group!.id], rangeStart('24h', NOW)));
    assert.equal(histogram.buckets.length, 24);
    assert.equal(histogram.buckets[23]!.count, 5);
    assert.deepEqual(histogram.buckets[21]!.releases, { '1.0': 1, '1.1': 1 });
    assert.equal(histogram.buckets.reduce((sum, bucket) => sum + bucket.count, 0), 7);
    assert.deepEqual(
      histogram.releases.map((release) => [release.release, release.count]),
      [
        ['1.0', 6],
        ['1.1', 1],
      ],
    );
  });

  it('lays 14 days into daily buckets ending with the current hour', async () => {
    const { store } = await storeUnderTest();
    await store.record([eventOf('fp-a', { timestampMs: NOW }), eventOf('fp-a', { timestampMs: NOW - 13 * 24 * HOUR_MS }), eventOf('fp-a', { timestampMs: NOW - 15 * 24 * HOUR_MS })]);
    const [group] = await allGroups(store);
    const counts = bucketCounts('14d', NOW, await store.hours([group!.id], rangeStart('14d', NOW))).get(group!.id);
    assert.deepEqual(counts, [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 'the event 15 days old is not counted');
  });

  it('adds the hours of a group merged away to the group it went into', async () => {
    const { store } = await storeUnderTest();
    await store.record([eventOf('fp-a', { timestampMs: NOW }), eventOf('fp-b', { timestampMs: NOW }), eventOf('fp-b', { timestampMs: NOW - HOUR_MS })]);
    const [a, b] = [...(await allGroups(store))].sort((x, y) => x.fingerprint.localeCompare(y.fingerprint));
    await store.merge(b!.id, a!.id);
    const counts = bucketCounts('24h', NOW, await store.hours([a!.id, b!.id], rangeStart('24h', NOW)));
    assert.deepEqual(counts.get(a!.id)!.slice(-2), [1, 2]);
    assert.equal(counts.get(b!.id), undefined);
  });

  it('deletes expired hours EXPIRE_CHUNK at a time, until none is left', async () => {
    const { store, clock } = await storeUnderTest();
    // 2 releases × 300 hours: 600 rows, three chunks.
    const events = Array.from({ length: 600 }, (_, i) => eventOf('fp-a', { timestampMs: NOW - Math.floor(i / 2) * HOUR_MS, serviceVersion: i % 2 === 0 ? '1.0' : '1.1' }));
    await store.record(events);
    const [group] = await allGroups(store);
    assert.equal((await store.hours([group!.id], 0)).length, 600);
    assert.ok(600 > 2 * EXPIRE_CHUNK);
    clock.advance(HOURS_KEPT_MS + 2 * HOUR_MS);
    await store.expireSamples(clock.now() - HOURS_KEPT_MS);
    assert.deepEqual(await store.hours([group!.id], 0), []);
  });

  it('deletes hours older than 14 days with the expired samples', async () => {
    const { store, clock } = await storeUnderTest();
    await store.record([eventOf('fp-a', { timestampMs: NOW })]);
    const [group] = await allGroups(store);
    clock.advance(HOURS_KEPT_MS + 2 * HOUR_MS);
    await store.expireSamples(clock.now() - HOURS_KEPT_MS);
    assert.deepEqual(await store.hours([group!.id], 0), []);
  });
});

describe('the list filters of the web UI', () => {
  async function filled() {
    const { store } = await storeUnderTest();
    await store.record([
      eventOf('fp-a', { timestampMs: NOW - 3000, serviceVersion: '1.0', level: 'warning', grouping: grouping('fp-a', { title: 'TypeError: cart is empty' }) }),
      eventOf('fp-b', { timestampMs: NOW - 1000, serviceVersion: '1.1', grouping: grouping('fp-b', { title: 'RangeError: 100% off', culprit: 'applyDiscount (src/price.js)' }) }),
      eventOf('fp-c', { timestampMs: NOW - 2000, serviceVersion: '1.1', grouping: grouping('fp-c', { title: 'Error: timeout' }) }),
    ]);
    const titles = async (query: object) => (await store.list({ sort: 'last_seen', limit: 50, offset: 0, ...query })).groups.map((group) => group.title);
    return { store, titles };
  }

  it('finds groups by release and by the level of their latest event', async () => {
    const { titles } = await filled();
    assert.deepEqual(await titles({ release: '1.1' }), ['RangeError: 100% off', 'Error: timeout']);
    assert.deepEqual(await titles({ level: 'warning' }), ['TypeError: cart is empty']);
  });

  it('finds groups by words of the title or culprit, in any case, with % and _ taken literally', async () => {
    const { titles } = await filled();
    assert.deepEqual(await titles({ text: 'CART empty' }), ['TypeError: cart is empty']);
    assert.deepEqual(await titles({ text: 'applydiscount' }), ['RangeError: 100% off']);
    assert.deepEqual(await titles({ text: '100%' }), ['RangeError: 100% off']);
    assert.deepEqual(await titles({ text: '_' }), []);
  });

  it('sorts by first seen, newest first', async () => {
    const { titles } = await filled();
    assert.deepEqual(await titles({ sort: 'first_seen' }), ['RangeError: 100% off', 'Error: timeout', 'TypeError: cart is empty']);
  });
});
