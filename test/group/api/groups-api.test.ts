// The read API over HTTP against a real Faultline (groups fed through the report receiver), and
// the detail view against a real admin server with events whose grouping carries frames.

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createAdminServer } from '../../../src/admin/admin-server.js';
import { createHealth } from '../../../src/admin/health.js';
import { registerGroupsApi } from '../../../src/group/api/groups-api.js';
import { createLogger } from '../../../src/internal/logger.js';
import { createRegistry } from '../../../src/metrics/registry.js';
import { eventually } from '../../helpers/faultline.js';
import { allGroups, eventOf, storeUnderTest } from '../store/store-fixtures.js';
import { patch, report, reportOf, request, startWithGroups, type GroupsFaultline } from './faultline-with-groups.js';

let running: GroupsFaultline;
let groups: string;

before(async () => {
  // The events below carry fixed times in 2023, far past the default sample_retention (30 days):
  // the retention sweep that starts with Faultline would delete their samples whenever it runs
  // after them (it is not awaited at start, and its units queue behind filing's in SQLite's
  // thread). Retention has tests of its own; here every sample is kept.
  running = await startWithGroups({ groups: '{ flush_interval: 100ms, sample_retention: 0 }' });
  groups = `${running.adminUrl}/api/v1/groups`;
  const sends: [string, string, number, string, number][] = [
    // service, message, times, environment, timestamp
    ['shop', 'cart is empty', 3, 'prod', 1_700_000_000_000],
    ['shop', 'payment declined', 1, 'staging', 1_700_000_100_000],
    ['billing', 'invoice missing', 2, 'prod', 1_700_000_200_000],
  ];
  for (const [service, message, times, environment, timestamp] of sends) {
    for (let i = 0; i < times; i++) {
      assert.equal((await report(running.httpUrl, reportOf(service, message, { environment, timestamp: timestamp + i }))).status, 201);
    }
  }
  // Every event written, not only every group opened: the flush window can split one group's events.
  await eventually(async () => {
    const body = (await request(groups)).body;
    return body?.total === 3 && body.groups.reduce((sum: number, group: { count: number }) => sum + group.count, 0) === 6;
  });
});
after(() => running.stop());

async function list(query = '') {
  const reply = await request(`${groups}${query}`);
  assert.equal(reply.status, 200, reply.text);
  return reply.body;
}

async function idOf(title: string): Promise<string> {
  const body = await list('?limit=500');
  return body.groups.find((group: { title: string }) => group.title === title).id;
}

describe('GET /api/v1/groups', () => {
  it('lists groups newest first, with counts, times, services and environments', async () => {
    const body = await list();
    assert.equal(body.total, 3);
    assert.deepEqual(
      body.groups.map((group: any) => [group.title, group.service, group.count, group.environments, group.state]),
      [
        ['Error: invoice missing', 'billing', 2, ['prod'], 'unresolved'],
        ['Error: payment declined', 'shop', 1, ['staging'], 'unresolved'],
        ['Error: cart is empty', 'shop', 3, ['prod'], 'unresolved'],
      ],
    );
    assert.equal(body.groups[2].first_seen, '2023-11-14T22:13:20.000Z');
    assert.equal(body.groups[2].last_seen, '2023-11-14T22:13:20.002Z');
  });

  it('sorts by count', async () => {
    const body = await list('?sort=count');
    assert.deepEqual(body.groups.map((group: any) => group.count), [3, 2, 1]);
  });

  it('finds a group by its exact fingerprint', async () => {
    const id = await idOf('Error: payment declined');
    const { fingerprint } = (await request(`${groups}/${id}`)).body;
    const found = await list(`?fingerprint=${fingerprint}`);
    assert.deepEqual(found.groups.map((group: any) => group.id), [id]);
    assert.equal((await list(`?fingerprint=${fingerprint.slice(0, -1)}`)).total, 0, 'a prefix is not a match');
    assert.equal((await list(`?fingerprint=${fingerprint}&service=billing`)).total, 0);
  });

  it('filters by service, environment, state and since', async () => {
    assert.deepEqual((await list('?service=shop')).groups.map((group: any) => group.title), ['Error: payment declined', 'Error: cart is empty']);
    assert.deepEqual((await list('?environment=staging')).groups.map((group: any) => group.title), ['Error: payment declined']);
    assert.equal((await list('?state=ignored')).total, 0);
    assert.equal((await list('?since=2023-11-14T22:15:00Z')).total, 2);
    assert.equal((await list('?since=1700000200000')).total, 1);
  });

  it('gives each group its events per hour with ?histogram=24h', async () => {
    const body = await list('?histogram=24h');
    assert.deepEqual(
      body.groups.map((group: any) => group.histogram.length),
      [24, 24, 24],
    );
    assert.equal(body.groups[0].level, 'error');
  });

  it('pages with limit and offset, saying where the next page starts', async () => {
    const first = await list('?limit=2');
    assert.equal(first.groups.length, 2);
    assert.equal(first.next_offset, 2);
    const second = await list(`?limit=2&offset=${first.next_offset}`);
    assert.equal(second.groups.length, 1);
    assert.equal(second.next_offset, null);
    assert.notDeepEqual(second.groups[0].id, first.groups[0].id);
  });

  for (const [query, message] of [
    ['?state=open', /^state: expected one of unresolved, resolved, ignored$/],
    ['?sort=title', /^sort: expected one of last_seen, first_seen, count$/],
    ['?level=severe', /^level: expected one of debug, info, warning, error, fatal, critical$/],
    ['?histogram=7d', /^histogram: expected 24h or 14d$/],
    ['?limit=0', /^limit: expected an integer from 1 to 500$/],
    ['?offset=-1', /^offset: /],
    ['?since=yesterday', /^since: expected an ISO 8601 time or Unix milliseconds$/],
    ['?servce=shop', /^servce: unknown query parameter/],
    ['?fingerprint=', /^fingerprint: expected a fingerprint$/],
  ] as const) {
    it(`answers 400 naming the parameter for ${query}`, async () => {
      const reply = await request(`${groups}${query}`);
      assert.equal(reply.status, 400);
      assert.match(reply.body.error, message);
    });
  }
});

describe('GET /api/v1/groups/facets', () => {
  it('gives the services, environments, releases and levels the events carried, each bounded by limit', async () => {
    const reply = await request(`${groups}/facets`);
    assert.equal(reply.status, 200, reply.text);
    const values = (facet: string) => reply.body[facet].map((entry: { value: string }) => entry.value).sort();
    assert.deepEqual(values('service'), ['billing', 'shop']);
    assert.deepEqual(values('environment'), ['prod', 'staging']);
    assert.deepEqual(values('level'), ['error']);
    assert.ok(Array.isArray(reply.body.release));
    assert.ok(reply.body.service.every((entry: { last_seen: string }) => Number.isFinite(Date.parse(entry.last_seen))));
    const one = (await request(`${groups}/facets?limit=1`)).body;
    assert.deepEqual([one.service.length, one.environment.length, one.level.length], [1, 1, 1]);
  });

  for (const [query, message] of [
    ['?limit=0', /^limit: expected an integer from 1 to 500$/],
    ['?service=shop', /^service: unknown query parameter; known: limit$/],
  ] as const) {
    it(`answers 400 naming the parameter for ${query}`, async () => {
      const reply = await request(`${groups}/facets${query}`);
      assert.equal(reply.status, 400);
      assert.match(reply.body.error, message);
    });
  }
});

describe('GET /api/v1/groups/:id and /api/v1/events/:id', () => {
  it('shows a group with its grouping and samples, newest first, each findable by id', async () => {
    const id = await idOf('Error: cart is empty');
    const reply = await request(`${groups}/${id}`);
    assert.equal(reply.status, 200);
    assert.equal(reply.body.grouping.method, 'message');
    assert.deepEqual(reply.body.frames, []);
    assert.deepEqual(reply.body.samples.map((sample: any) => sample.timestamp), [
      '2023-11-14T22:13:20.002Z',
      '2023-11-14T22:13:20.001Z',
      '2023-11-14T22:13:20.000Z',
    ]);
    const sample = reply.body.samples[0];
    const event = await request(`${running.adminUrl}/api/v1/events/${sample.id}`);
    assert.equal(event.status, 200);
    assert.deepEqual(event.body, sample);
    assert.equal(event.body.source, 'report');
    assert.equal(event.body.group_id, id);
  });

  it('answers 404 with a JSON error for an unknown group or event', async () => {
    for (const url of [`${groups}/ffffffffffff`, `${running.adminUrl}/api/v1/events/${'f'.repeat(32)}`]) {
      const reply = await request(url);
      assert.equal(reply.status, 404);
      assert.match(reply.body.error, /^no (group|stored event) with id "f+"$/);
    }
  });
});

describe('PATCH /api/v1/groups/:id', () => {
  it('resolves, ignores and unresolves a group', async () => {
    const id = await idOf('Error: payment declined');
    const resolved = await patch(running.adminUrl, id, { state: 'resolved', in_release: '2.0' });
    assert.equal(resolved.status, 200);
    assert.equal(resolved.body.state, 'resolved');
    assert.equal(resolved.body.resolved_in_release, '2.0');
    assert.equal((await list('?state=resolved')).groups[0].id, id);
    assert.equal((await patch(running.adminUrl, id, { state: 'ignored' })).body.state, 'ignored');
    assert.equal((await patch(running.adminUrl, id, { state: 'unresolved' })).body.state, 'unresolved');
  });

  it('merges a group into another, and files the merged group\'s new events there', async () => {
    const target = await idOf('Error: cart is empty');
    const source = await idOf('Error: invoice missing');
    const merged = await patch(running.adminUrl, source, { merge_into: target });
    assert.equal(merged.status, 200);
    assert.equal(merged.body.id, target);
    assert.equal(merged.body.count, 5);
    assert.equal(merged.body.merged_fingerprints.length, 1);
    assert.deepEqual(merged.body.merged_ids, [source]);
    const old = await request(`${groups}/${source}`, { redirect: 'manual' });
    assert.equal(old.status, 308);
    assert.equal(old.headers.get('location'), `/api/v1/groups/${target}`);
    assert.deepEqual(old.body, { merged_into: target });
    const followed = await request(`${groups}/${source}`);
    assert.equal(followed.status, 200);
    assert.equal(followed.body.id, target, 'following the redirect lands on the group it was merged into');
    const mergedFingerprint = merged.body.merged_fingerprints[0];
    assert.deepEqual((await list(`?fingerprint=${mergedFingerprint}`)).groups.map((group: any) => group.id), [target]);
    assert.equal((await report(running.httpUrl, reportOf('billing', 'invoice missing'))).status, 201);
    await eventually(async () => (await request(`${groups}/${target}`)).body.count === 6);
    assert.equal((await list()).total, 2);
    const ignored = await patch(running.adminUrl, source, { state: 'ignored' });
    assert.equal(ignored.status, 200, 'PATCH on the old id acts on the group it was merged into');
    assert.equal(ignored.body.id, target);
    assert.equal((await request(`${groups}/${target}`)).body.state, 'ignored');
    assert.equal((await patch(running.adminUrl, target, { state: 'unresolved' })).status, 200);
  });

  for (const [body, status, message] of [
    ['{"state": "closed"}', 400, /^state: expected one of unresolved, resolved, ignored$/],
    ['{"state": "ignored", "in_release": "1.0"}', 400, /^in_release: only with state resolved$/],
    ['{"stat": "resolved"}', 400, /^stat: unknown field/],
    ['{"merge_into": "ffffffffffff"}', 400, /^merge_into: no group with id "ffffffffffff"$/],
    ['{"merge_into": 7}', 400, /^merge_into: expected a group id$/],
    ['[1]', 400, /^body: expected a JSON object$/],
    ['not json', 400, /^body: expected JSON$/],
  ] as const) {
    it(`answers ${status} for ${body}`, async () => {
      const id = await idOf('Error: cart is empty');
      const reply = await patch(running.adminUrl, id, body);
      assert.equal(reply.status, status);
      assert.match(reply.body.error, message);
    });
  }

  it('answers 404 for an unknown group', async () => {
    const reply = await patch(running.adminUrl, 'ffffffffffff', { state: 'resolved' });
    assert.equal(reply.status, 404);
  });

  it('answers 413 for a body over 64 KiB', async () => {
    const id = await idOf('Error: cart is empty');
    const reply = await patch(running.adminUrl, id, JSON.stringify({ state: 'x'.repeat(70_000) }));
    assert.equal(reply.status, 413);
  });
});

describe('the group detail of a grouped event', () => {
  it('shows the parsed frames, the culprit and how it was grouped', async () => {
    const { store } = await storeUnderTest();
    await store.record([eventOf('a', { traceId: '4bf92f3577b34da6a3ce929d0e0e4736' })]);
    const logger = createLogger('silent', new Writable({ write: (_c, _e, done) => done() }));
    const admin = createAdminServer({ endpoint: '127.0.0.1:0', registry: createRegistry({ defaultMetrics: false }), health: createHealth(), logger });
    registerGroupsApi(admin, store);
    await admin.start();
    try {
      const id = (await allGroups(store))[0]!.id;
      const reply = await request(`http://127.0.0.1:${admin.address().port}/api/v1/groups/${id}`);
      assert.equal(reply.status, 200);
      assert.equal(reply.body.culprit, 'loadUser (src/users.js)');
      assert.deepEqual(reply.body.grouping, { method: 'frames', rule: '', version: 1 });
      assert.deepEqual(reply.body.frames, [{ function: 'loadUser', module: 'src/users.js', line: 10, column: 5, in_app: true }]);
      assert.equal(reply.body.samples[0].trace_id, '4bf92f3577b34da6a3ce929d0e0e4736');
    } finally {
      await admin.shutdown();
    }
  });
});

describe('GET /api/v1/events?trace_id=', () => {
  const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
  let admin: ReturnType<typeof createAdminServer>;
  let events: string;
  let store: Awaited<ReturnType<typeof storeUnderTest>>['store'];

  before(async () => {
    store = (await storeUnderTest()).store;
    await store.record([
      eventOf('a', { traceId: trace, timestampMs: 1_700_000_000_000, source: 'span_status', type: 'SpanError' }),
      eventOf('b', { traceId: trace, timestampMs: 1_700_000_000_500 }),
      eventOf('b', { traceId: '0af7651916cd43dd8448eb211c80319c', timestampMs: 1_700_000_001_000 }),
    ]);
    const logger = createLogger('silent', new Writable({ write: (_c, _e, done) => done() }));
    admin = createAdminServer({ endpoint: '127.0.0.1:0', registry: createRegistry({ defaultMetrics: false }), health: createHealth(), logger });
    registerGroupsApi(admin, store);
    await admin.start();
    events = `http://127.0.0.1:${admin.address().port}/api/v1/events`;
  });
  after(() => admin.shutdown());

  it('lists the stored samples of one trace across groups, newest first, each with its group id', async () => {
    const reply = await request(`${events}?trace_id=${trace.toUpperCase()}`);
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.body.total, 2);
    const groups = await allGroups(store);
    const idOfFingerprint = (fingerprint: string) => groups.find((group) => group.fingerprint === fingerprint)!.id;
    assert.deepEqual(
      reply.body.events.map((event: any) => [event.group_id, event.source, event.trace_id]),
      [
        [idOfFingerprint('b'), 'span', trace],
        [idOfFingerprint('a'), 'span_status', trace],
      ],
    );
    assert.deepEqual((await request(`${events}?trace_id=${trace}&limit=1`)).body.events.length, 1);
    assert.deepEqual((await request(`${events}?trace_id=${'1'.repeat(32)}`)).body, { events: [], total: 0, limit: 100 });
  });

  for (const [query, message] of [
    ['', /^trace_id: required/],
    ['?trace_id=4bf92f3577b34da6', /^trace_id: expected 32 hex characters/],
    ['?trace_id=4bf92f3577b34da6a3ce929d0e0e473g', /^trace_id: expected 32 hex characters/],
    [`?trace_id=${'0'.repeat(32)}`, /not all zero$/],
    [`?trace_id=${trace}&limit=501`, /^limit: expected an integer from 1 to 500$/],
    [`?trace_id=${trace}&span_id=1`, /^span_id: unknown query parameter; known: trace_id, limit$/],
  ] as const) {
    it(`answers 400 naming the parameter for ${query || 'no query'}`, async () => {
      const reply = await request(`${events}${query}`);
      assert.equal(reply.status, 400);
      assert.match(reply.body.error, message);
    });
  }
});
