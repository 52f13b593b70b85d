// The values the list's filters offer (GET /api/v1/groups/facets): every service, environment,
// release and level events carried, the most recently filed first, bounded by the limit asked,
// written at most once a minute per value, and gone 14 days after the last event that carried them.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HOURS_KEPT_MS } from '../../../src/group/store/event-hours.js';
import type { GroupStore } from '../../../src/group/store/group-store.js';
import { REWRITE_AFTER_MS } from '../../../src/group/store/group-values.js';
import { sqliteStorage } from '../../helpers/storage.js';
import { eventOf, storeUnderTest } from './store-fixtures.js';

async function valuesOf(store: GroupStore, limit = 10) {
  const facets = await store.facets(limit);
  return Object.fromEntries(Object.entries(facets).map(([facet, values]) => [facet, values.map((value) => value.value)]));
}

describe('the filter values of the groups', () => {
  it('lists each facet’s values, the most recently filed first, leaving out empty ones', async () => {
    const { store, clock } = await storeUnderTest({}, await sqliteStorage());
    await store.record([eventOf('a', { service: 'shop', environment: 'prod', serviceVersion: '1.0', level: 'error' })]);
    clock.advance(REWRITE_AFTER_MS);
    await store.record([eventOf('b', { service: 'auth', environment: '', serviceVersion: '', level: 'warning' })]);
    clock.advance(REWRITE_AFTER_MS);
    await store.record([eventOf('c', { service: 'billing', environment: 'staging', serviceVersion: '1.1', level: 'error' })]);
    assert.deepEqual(await valuesOf(store), {
      service: ['billing', 'auth', 'shop'],
      environment: ['staging', 'prod'],
      release: ['1.1', '1.0'],
      level: ['error', 'warning'],
    });
    assert.deepEqual(await valuesOf(store, 1), { service: ['billing'], environment: ['staging'], release: ['1.1'], level: ['error'] });
  });

  it('writes a value again only once a minute has passed, then as the most recent', async () => {
    const { store, clock } = await storeUnderTest({}, await sqliteStorage());
    await store.record([eventOf('a', { service: 'shop' }), eventOf('b', { service: 'auth' })]);
    const first = (await store.facets(10)).service;
    clock.advance(REWRITE_AFTER_MS - 1);
    await store.record([eventOf('a', { service: 'shop' })]);
    assert.deepEqual((await store.facets(10)).service, first, 'within the minute: not written');
    clock.advance(1);
    await store.record([eventOf('a', { service: 'shop' })]);
    const again = (await store.facets(10)).service;
    assert.deepEqual(again.map((value) => value.value), ['shop', 'auth']);
    assert.equal(again[0]!.lastSeenMs, clock.now());
  });

  it('forgets a value 14 days after the last event that carried it, with the expired samples', async () => {
    const { store, clock } = await storeUnderTest({}, await sqliteStorage());
    await store.record([eventOf('a', { service: 'old', serviceVersion: '0.9' })]);
    clock.advance(HOURS_KEPT_MS - REWRITE_AFTER_MS);
    await store.record([eventOf('b', { service: 'new', serviceVersion: '0.9' })]);
    clock.advance(REWRITE_AFTER_MS + 1);
    await store.expireSamples(0);
    const values = await valuesOf(store);
    assert.deepEqual(values.service, ['new']);
    assert.deepEqual(values.release, ['0.9'], 'a value carried again lives on');
  });
});
