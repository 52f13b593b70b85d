// The list's free-text search through migration 7's trigram index (SQLite FTS5, PostgreSQL
// pg_trgm) finds exactly what a scan of every group finds: each search below is checked against
// the groups filtered here in JavaScript, with the list's other filters, sorts and paging, on both
// engines; and the index follows the groups as events change a culprit, groups merge, and groups
// are evicted. On SQLite, opened groups wait to be taken into the index in batches (migration 12):
// searches find them all the same, whether indexed, waiting or some of each.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { ErrorGroup, GroupQuery, GroupStore } from '../../../src/group/store/group-store.js';
import type { Storage } from '../../../src/storage/storage.js';
import { startPostgres, type PostgresServer } from '../../helpers/postgres.js';
import { postgresStorage, sqliteStorage } from '../../helpers/storage.js';
import { allGroups, eventOf, groupOf, grouping, storeUnderTest } from './store-fixtures.js';

const TITLES = ['TypeError: Cannot read id', 'RangeError: Invalid array length', 'Error: connect ECONNREFUSED 10.0.0.1:5432', 'TypeError: 100% of _under_score'];
const CULPRITS = ['loadUser (src/users.js)', 'parseCart (src/cart/parse.ts)', 'pg.connect (node_modules/pg/lib/client.js)', ''];
const SEARCHES = ['typeerror', 'CART', 'users.js cannot', 'pg', 'id', 'no-such-word-anywhere', '100%', '_under', 'ECONNREFUSED 5432', 'read src/users', 'a', 'x"y', 'TypeError parse'];

/** What the list must answer: every word, lower-cased, in the lower-cased title or culprit. */
function scanned(groups: readonly ErrorGroup[], text: string): string[] {
  const words = text.toLowerCase().split(/\s+/).filter((word) => word !== '');
  return groups.filter((group) => words.every((word) => group.title.toLowerCase().includes(word) || group.culprit.toLowerCase().includes(word))).map((group) => group.id);
}

async function listed(store: GroupStore, query: Partial<GroupQuery>): Promise<string[]> {
  return (await store.list({ sort: 'last_seen', limit: 1_000, offset: 0, ...query })).groups.map((group) => group.id);
}

/** 40 groups over two services, with every title and culprit above. */
async function filled(storage: Storage, searchIndexAfter?: number) {
  const under = await storeUnderTest(searchIndexAfter === undefined ? {} : { searchIndexAfter }, storage);
  await under.store.record(
    Array.from({ length: 40 }, (_, i) =>
      eventOf(`fp-${i}`, {
        service: i % 2 === 0 ? 'shop' : 'auth',
        timestampMs: 1_000 + i,
        grouping: grouping(`fp-${i}`, { title: `${TITLES[i % TITLES.length]} #${i}`, culprit: CULPRITS[Math.floor(i / 4) % CULPRITS.length]! }),
      }),
    ),
  );
  return under;
}

async function findsWhatAScanFinds(storage: Storage, searchIndexAfter?: number): Promise<void> {
  const { store } = await filled(storage, searchIndexAfter);
  const groups = await allGroups(store);
  assert.equal(groups.length, 40);
  for (const text of SEARCHES) {
    assert.deepEqual(await listed(store, { text }), scanned(groups, text), `q=${text}`);
    const shop = groups.filter((group) => group.service === 'shop');
    assert.deepEqual(await listed(store, { text, service: 'shop' }), scanned(shop, text), `q=${text}&service=shop`);
  }
  const byCount = (await store.list({ sort: 'first_seen', limit: 1_000, offset: 0 })).groups;
  const pages = [0, 3, 6].map((offset) => store.list({ text: 'typeerror', sort: 'first_seen', limit: 3, offset }));
  const expected = scanned(byCount, 'typeerror');
  const answered = await Promise.all(pages);
  assert.deepEqual(answered.flatMap((page) => page.groups.map((group) => group.id)), expected.slice(0, 9), 'pages of a search, by first seen');
  assert.ok(answered.every((page) => page.total === expected.length), 'every page counts all that match');
}

async function followsTheGroups(storage: Storage, searchIndexAfter?: number): Promise<void> {
  const { store, clock } = await storeUnderTest(searchIndexAfter === undefined ? { maxGroups: 3 } : { maxGroups: 3, searchIndexAfter }, storage);
  await store.record([eventOf('a', { timestampMs: clock.now(), grouping: grouping('a', { title: 'Alpha failure', culprit: 'first (src/one.js)' }) })]);
  await store.record([eventOf('b', { timestampMs: clock.now(), grouping: grouping('b', { title: 'Beta failure', culprit: 'second (src/two.js)' }) })]);
  const [a, b] = [(await groupOf(store, 'a'))!, (await groupOf(store, 'b'))!];
  assert.deepEqual(await listed(store, { text: 'one.js' }), [a.id]);

  await store.record([eventOf('a', { timestampMs: clock.now(), grouping: grouping('a', { title: 'Alpha failure', culprit: 'moved (src/three.js)' }) })]);
  assert.deepEqual(await listed(store, { text: 'one.js' }), [], 'the old culprit is no longer found');
  assert.deepEqual(await listed(store, { text: 'three.js' }), [a.id], 'the new culprit is');

  await store.merge(b.id, a.id);
  assert.deepEqual(await listed(store, { text: 'beta' }), [], 'a group merged away is no longer found');
  assert.deepEqual(await listed(store, { text: 'failure' }), [a.id]);

  for (const name of ['c', 'd', 'e']) {
    clock.advance(1_000);
    await store.record([eventOf(name, { timestampMs: clock.now(), grouping: grouping(name, { title: `Gamma ${name}`, culprit: 'third (src/three.js)' }) })]);
  }
  const left = await allGroups(store);
  assert.equal(left.length, 3);
  assert.ok(!left.some((group) => group.id === a.id), 'a, the least recently seen, was evicted');
  assert.deepEqual(await listed(store, { text: 'failure' }), [], 'an evicted group is no longer found');
  assert.deepEqual((await listed(store, { text: 'three.js' })).sort(), left.map((group) => group.id).sort());
  clock.advance(1_000);
  await store.record([eventOf('a', { timestampMs: clock.now(), grouping: grouping('a', { title: 'Alpha failure', culprit: 'first (src/one.js)' }) })]);
  assert.deepEqual(await listed(store, { text: 'alpha one.js' }), [(await groupOf(store, 'a'))!.id], 'an evicted group seen again is found again');
}

/** Groups, their search rows, those in the FTS5 index and those waiting for it (SQLite). */
async function searchRows(storage: Storage) {
  const counts = await storage.read((sql) =>
    sql.one<{ groups: number; rows: number; indexed: number; waiting: number }>(
      `SELECT (SELECT COUNT(*) FROM groups) AS groups, (SELECT COUNT(*) FROM group_search_rows) AS rows, (SELECT COUNT(*) FROM group_search) AS indexed,
         (SELECT COUNT(*) FROM group_search_rows WHERE row > (SELECT upto FROM group_search_indexed)) AS waiting`,
    ),
  );
  return { ...counts };
}

describe('the free-text search on SQLite (FTS5 trigram)', () => {
  it('finds what a scan of every group finds, with filters, sorts and paging: every group indexed', async () => {
    const storage = await sqliteStorage();
    await findsWhatAScanFinds(storage, 1);
    assert.deepEqual(await searchRows(storage), { groups: 40, rows: 40, indexed: 40, waiting: 0 });
  });

  it('finds the same with every group waiting for the index, and with 16 indexed and 24 waiting', async () => {
    const waiting = await sqliteStorage();
    await findsWhatAScanFinds(waiting);
    assert.deepEqual(await searchRows(waiting), { groups: 40, rows: 40, indexed: 0, waiting: 40 });
    const some = await sqliteStorage();
    await findsWhatAScanFinds(some, 16);
    // One batch of 40 opened: 40 waited, past 16, so the store indexed them all (up to SEARCH_INDEX_BATCH).
    assert.deepEqual(await searchRows(some), { groups: 40, rows: 40, indexed: 40, waiting: 0 });
  });

  it('follows culprit changes, merges and evictions, leaving no row behind in the index', async () => {
    const storage = await sqliteStorage();
    await followsTheGroups(storage, 1);
    assert.deepEqual(await searchRows(storage), { groups: 3, rows: 3, indexed: 3, waiting: 0 });
    await storage.transaction((sql) => sql.run("INSERT INTO group_search (group_search) VALUES ('integrity-check')"));
    const waiting = await sqliteStorage();
    await followsTheGroups(waiting);
    assert.deepEqual(await searchRows(waiting), { groups: 3, rows: 3, indexed: 0, waiting: 3 });
  });

  it('numbers a group opened after the last indexed one was deleted past the index, so it is found', async () => {
    const storage = await sqliteStorage();
    const { store } = await storeUnderTest({ searchIndexAfter: 2 }, storage);
    await store.record([eventOf('a', { grouping: grouping('a', { title: 'Alpha failure' }) })]);
    await store.record([eventOf('b', { grouping: grouping('b', { title: 'Beta failure' }) })]);
    assert.deepEqual(await searchRows(storage), { groups: 2, rows: 2, indexed: 2, waiting: 0 });
    const [a, b] = [(await groupOf(store, 'a'))!, (await groupOf(store, 'b'))!];
    await store.merge(b.id, a.id); // deletes b, the highest row
    await store.record([eventOf('c', { grouping: grouping('c', { title: 'Gamma failure' }) })]);
    assert.deepEqual(await searchRows(storage), { groups: 2, rows: 2, indexed: 1, waiting: 1 });
    assert.deepEqual(await listed(store, { text: 'gamma' }), [(await groupOf(store, 'c'))!.id]);
    assert.deepEqual((await listed(store, { text: 'failure' })).sort(), [a.id, (await groupOf(store, 'c'))!.id].sort());
  });

  it('keeps the index in few segments when each transaction opens groups: FTS5 merges its own way off, the store merging in small steps', async () => {
    const storage = await sqliteStorage();
    const { store } = await storeUnderTest({ searchIndexAfter: 1 }, storage);
    for (let batch = 0; batch < 200; batch++) {
      await store.record([0, 1, 2].map((i) => eventOf(`g${batch}-${i}`, { grouping: grouping(`g${batch}-${i}`, { title: `RangeError number ${batch * 3 + i}` }) })));
    }
    const { automerge, segments } = (await storage.read((sql) =>
      sql.one<{ automerge: number; segments: number }>(
        "SELECT (SELECT v FROM group_search_config WHERE k = 'automerge') AS automerge, (SELECT COUNT(DISTINCT segid) FROM group_search_idx) AS segments",
      ),
    ))!;
    assert.equal(Number(automerge), 0);
    // 3 here. Without the store's merging, 15: FTS5 still merges a level in one go at 16 ('crisismerge').
    assert.ok(segments <= 6, `${segments} segments`);
    assert.deepEqual(await listed(store, { text: 'number 599' }), [(await groupOf(store, 'g199-2'))!.id]);
    await storage.transaction((sql) => sql.run("INSERT INTO group_search (group_search) VALUES ('integrity-check')"));
  });

  it("takes waiting groups into the index in a unit of its own, after the batch's", async () => {
    const storage = await sqliteStorage();
    // The units record() runs, in order: the batch is a task, the index a transaction.
    const units: string[] = [];
    const watched: Storage = {
      ...storage,
      transaction: (work) => (units.push('transaction'), storage.transaction(work)),
      task: (task, input, answer) => (units.push(`task ${task.name}`), storage.task(task, input, answer)),
    };
    const { store } = await storeUnderTest({ searchIndexAfter: 1 }, watched);
    await store.record([eventOf('a', { grouping: grouping('a', { title: 'RangeError one' }) })]);
    assert.deepEqual(units, ['task fileBatch', 'transaction'], 'the batch, then the index');
    assert.deepEqual(await listed(store, { text: 'one' }), [(await groupOf(store, 'a'))!.id]);
    const indexed = await storage.read((sql) => sql.one<{ n: number }>('SELECT COUNT(*) AS n FROM group_search_rows r WHERE r.row <= (SELECT upto FROM group_search_indexed)'));
    assert.equal(Number(indexed!.n), 1, 'the group is in the index');
  });

  it('finds a non-ASCII word only where SQLite’s ASCII LIKE would, as before the index', async () => {
    const { store } = await storeUnderTest({}, await sqliteStorage());
    await store.record([eventOf('a', { grouping: grouping('a', { title: 'Échec de paiement' }) }), eventOf('b', { grouping: grouping('b', { title: 'échec du panier' }) })]);
    const groups = await allGroups(store);
    assert.deepEqual(await listed(store, { text: 'échec' }), groups.filter((group) => group.title.startsWith('é')).map((group) => group.id));
  });
});

describe('the free-text search on PostgreSQL (pg_trgm)', () => {
  let server: PostgresServer;
  before(async () => {
    server = await startPostgres();
  });
  after(() => server?.stop());

  it('finds what a scan of every group finds, with filters, sorts and paging', async () => {
    await findsWhatAScanFinds(await postgresStorage(await server.createDatabase()));
  });

  it('follows culprit changes, merges and evictions', async () => {
    await followsTheGroups(await postgresStorage(await server.createDatabase()));
  });

  it('migrates without pg_trgm where it may not be created, and then finds by a scan what the index would', async () => {
    const url = await server.createDatabase();
    const admin = new pg.Client(url);
    await admin.connect();
    try {
      // A role that may create tables in the schema but not extensions in the database.
      await admin.query('CREATE ROLE plain LOGIN');
      await admin.query('GRANT CREATE ON SCHEMA public TO plain');
    } finally {
      await admin.end();
    }
    const storage = await postgresStorage(url.replace('//postgres@', '//plain@'));
    const indexes = await storage.read((sql) => sql.all("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'groups\\_%\\_trgm'"));
    assert.deepEqual(indexes, []);
    await findsWhatAScanFinds(storage);
  });

  it('answers a search through the trigram indexes', async () => {
    const storage = await postgresStorage(await server.createDatabase());
    await filled(storage);
    const plan = await storage.transaction(async (sql) => {
      // 40 rows are cheaper to scan: the planner is told not to, to show that the search's condition
      // (without the exporter's, which a b-tree would serve) is answered by the trigram indexes.
      await sql.run('SET LOCAL enable_seqscan = off');
      const rows = await sql.all<{ 'QUERY PLAN': string }>(
        "EXPLAIN SELECT COUNT(*) FROM groups g WHERE (LOWER(g.title) LIKE ? ESCAPE '!' OR LOWER(g.culprit) LIKE ? ESCAPE '!')",
        ['%cart%', '%cart%'],
      );
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    });
    assert.match(plan, /Bitmap Index Scan on groups_title_trgm/, plan);
    assert.match(plan, /Bitmap Index Scan on groups_culprit_trgm/, plan);
  });
});
