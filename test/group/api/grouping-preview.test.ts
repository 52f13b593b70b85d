// The grouping preview over HTTP against a real admin server and a real store: samples recorded
// with today's grouping, regrouped under candidate rules, and nothing in the store changed.

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createAdminServer } from '../../../src/admin/admin-server.js';
import { createHealth } from '../../../src/admin/health.js';
import { registerGroupsApi } from '../../../src/group/api/groups-api.js';
import { computeGrouping, createGroupingOptions } from '../../../src/group/fingerprint.js';
import type { GroupStore } from '../../../src/group/store/group-store.js';
import { createLogger } from '../../../src/internal/logger.js';
import { createRegistry } from '../../../src/metrics/registry.js';
import { errorEvent, v8Stack } from '../event-fixtures.js';
import { allGroups, storeUnderTest } from '../store/store-fixtures.js';

const today = createGroupingOptions({ inAppInclude: [], inAppExclude: [], fingerprintRules: [] });
const grouped = (overrides: Parameters<typeof errorEvent>[0]) => {
  const event = errorEvent(overrides);
  return { ...event, grouping: computeGrouping(event, today) };
};
const timeoutIn = (place: string) =>
  v8Stack(`TimeoutError: upstream ${place} timed out`, [
    [`call${place}`, `/srv/shop/src/${place}.js`, 4],
    ['handle', '/srv/shop/src/server.js', 20],
  ]);

let admin: ReturnType<typeof createAdminServer>;
let preview: string;
let store: GroupStore;

before(async () => {
  store = (await storeUnderTest()).store;
  await store.record([
    ...[1, 2, 3].map((i) => grouped({ type: 'TimeoutError', message: 'upstream stock timed out', stacktrace: timeoutIn('stock'), timestampMs: 1000 + i })),
    ...[1, 2].map((i) => grouped({ type: 'TimeoutError', message: 'upstream prices timed out', stacktrace: timeoutIn('prices'), timestampMs: 2000 + i })),
    ...['eu', 'eu', 'us'].map((region, i) => grouped({ type: 'Error', message: 'cart is empty', attributes: { region }, timestampMs: 3000 + i })),
  ]);
  const logger = createLogger('silent', new Writable({ write: (_c, _e, done) => done() }));
  admin = createAdminServer({ endpoint: '127.0.0.1:0', registry: createRegistry({ defaultMetrics: false }), health: createHealth(), logger });
  registerGroupsApi(admin, store);
  await admin.start();
  preview = `http://127.0.0.1:${admin.address().port}/api/v1/grouping/preview`;
});
after(() => admin.shutdown());

async function post(body: unknown) {
  const response = await fetch(preview, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  return { status: response.status, body: (await response.json()) as any };
}

describe('POST /api/v1/grouping/preview', () => {
  it('shows two groups a candidate rule would merge, with their sample counts, and the rule that matched nothing', async () => {
    const { status, body } = await post({
      fingerprint_rules: [
        { name: 'upstream-timeout', type: 'TimeoutError', fingerprint: ['upstream-timeout'] },
        { name: 'never', message: '*no such message*', fingerprint: ['never'] },
      ],
    });
    assert.equal(status, 200);
    assert.equal(body.samples, 8);
    assert.equal(body.groups_before, 3);
    assert.equal(body.groups_after, 2);
    assert.equal(body.merges.length, 1);
    assert.equal(body.merges[0].samples, 5);
    assert.deepEqual(body.merges[0].groups.map((g: any) => [g.title, g.samples]).sort(), [
      ['TimeoutError: upstream prices timed out', 2],
      ['TimeoutError: upstream stock timed out', 3],
    ]);
    assert.deepEqual(body.splits, []);
    assert.deepEqual(body.rules, [{ name: 'upstream-timeout', samples: 5 }, { name: 'never', samples: 0 }]);
    assert.deepEqual(body.unmatched_rules, ['never']);
  });

  it('counts the samples with a frame each candidate in-app pattern names, 0 for a pattern that names none', async () => {
    const { body } = await post({ in_app_include: ['/srv/shop/src/stock.js', '/srv/nowhere/'], in_app_exclude: ['/src/server.js'] });
    assert.deepEqual(body.in_app_rules, [
      { key: 'in_app_include', pattern: '/srv/shop/src/stock.js', samples: 3 },
      { key: 'in_app_include', pattern: '/srv/nowhere/', samples: 0 },
      { key: 'in_app_exclude', pattern: '/src/server.js', samples: 5 },
    ]);
  });

  it('shows a group a candidate rule would split, into how many samples each', async () => {
    const { body } = await post({ fingerprint_rules: [{ name: 'by-region', type: 'Error', fingerprint: ['{{ default }}', '{{ attribute.region }}'] }] });
    assert.equal(body.splits.length, 1);
    assert.equal(body.splits[0].title, 'Error: cart is empty');
    assert.deepEqual(body.splits[0].into.map((part: any) => part.samples).sort(), [1, 2]);
    assert.deepEqual(body.merges, []);
  });

  it('shows nothing to change for today\'s rules, and changes nothing in the store', async () => {
    const before = (await allGroups(store)).map((group) => [group.id, group.count]);
    const { body } = await post({});
    assert.deepEqual([body.merges, body.splits, body.groups_after], [[], [], 3]);
    assert.deepEqual((await allGroups(store)).map((group) => [group.id, group.count]), before);
  });

  it('answers 400 naming each problem of the candidate rules, as faultline validate would', async () => {
    const { status, body } = await post({ fingerprint_rules: [{ name: 'x', fingerprint: [] }], samples: 0, extra: 1 });
    assert.equal(status, 400);
    assert.match(body.error, /extra: unknown key/);
    assert.match(body.error, /samples: expected an integer/);
    assert.match(body.error, /fingerprint_rules\[0\]: expected at least one of type, message, attribute/);
  });
});
