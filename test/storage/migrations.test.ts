// Migrations on real databases written at schema version 1, as the first release left them (a
// group with its frames in its row, alert state in documents): opening one applies every newer
// migration once and keeps what it held. Migration 2 adds the notification outbox; migration 3
// moves each group's frames into group_frames, where the group store finds them; migration 7
// indexes the titles and culprits already there for the search, migration 8 their services,
// releases, environments and levels for the filters. On SQLite and on a private
// PostgreSQL server, which run the same DDL but for migrations 7 and 8 (FTS5 and json_each on
// SQLite, pg_trgm and jsonb on PostgreSQL).

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { migrate, MIGRATIONS, statementsOf } from '../../src/storage/migrations.js';
import { openPostgres } from '../../src/storage/postgres.js';
import { openSqlite } from '../../src/storage/sqlite.js';
import type { Storage } from '../../src/storage/storage.js';
import { startPostgres, type PostgresServer } from '../helpers/postgres.js';
import { postgresStorage, sqliteStorage } from '../helpers/storage.js';
import { storeUnderTest } from '../group/store/store-fixtures.js';

const NEWEST = MIGRATIONS[MIGRATIONS.length - 1]!.version;
const STACK = 'TypeError: f1\n    at loadUser (src/users.js:10:5)';
const SAMPLE_BODY = { source: 'span_event', level: 'error', environment: '', release: '1.0', spanId: 's', message: 'f1', handled: false, spanName: 'GET /users', httpMethod: 'GET', httpRoute: '/users', httpStatusCode: 500, urlPath: '/users', attributes: {} };
const FRAMES = [{ function: 'loadUser', module: 'src/users.js', line: 10, column: 5, inApp: true }];

/** Writes schema version 1 with one group (frames in its row) and one document, as version 1's Faultline did. */
async function writeVersion1(old: Storage): Promise<void> {
  await old.transaction(async (sql) => {
    await sql.run('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, what TEXT NOT NULL, applied_ms BIGINT NOT NULL)');
    for (const statement of statementsOf(MIGRATIONS[0]!, old.engine)) await sql.run(statement);
    await sql.run('INSERT INTO schema_migrations (version, what, applied_ms) VALUES (1, ?, 1)', [MIGRATIONS[0]!.what]);
    await sql.run("INSERT INTO documents (name, body, updated_ms) VALUES ('alerts/alerts/state', '{}', 1)");
    await sql.run(
      `INSERT INTO groups (exporter, id, service, fingerprint, type, title, culprit, frames, method, rule, fingerprint_version,
         first_seen_ms, last_seen_ms, count, releases, environments, state, regressed, resolved_in_release, state_changed_at_ms,
         group_keys, merged_ids, touched_ms)
       VALUES ('groups', 'g1', 'shop', 'f1', 'TypeError', 'TypeError: f1', 'loadUser (src/users.js)', ?, 'frames', '', 1,
         1, 2, 7, '["1.0"]', '[]', 'unresolved', 0, '', 0, ?, '[]', 2)`,
      [JSON.stringify(FRAMES), JSON.stringify(['shop\0f1'])],
    );
    await sql.run("INSERT INTO group_keys (exporter, service, fingerprint, group_id) VALUES ('groups', 'shop', 'f1', 'g1')");
    await sql.run("INSERT INTO samples (exporter, id, group_id, timestamp_ms, trace_id, body) VALUES ('groups', 's1', 'g1', 2, 't1', ?)", [
      JSON.stringify({ ...SAMPLE_BODY, stacktrace: STACK }),
    ]);
  });
  await old.close();
}

/** Opens the version 1 database as Faultline does and checks what every migration kept and added. */
async function upgradesAndKeeps(open: () => Promise<Storage>): Promise<void> {
  const storage = await open();
  try {
    const versions = await storage.read((sql) => sql.all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version'));
    assert.deepEqual(
      versions.map((row) => Number(row.version)),
      MIGRATIONS.map((migration) => migration.version),
    );
    assert.deepEqual(await storage.read((sql) => sql.all('SELECT name FROM documents')), [{ name: 'alerts/alerts/state' }]);
    assert.deepEqual(await storage.read((sql) => sql.all('SELECT id FROM outbox')), []);

    const { store } = await storeUnderTest({}, storage);
    const group = await store.get('g1');
    assert.equal(group?.count, 7);
    assert.deepEqual(group?.frames, FRAMES, 'the frames moved to group_frames and are read back with the group');
    assert.deepEqual(group?.samples, [{ id: 's1', timestampMs: 2, traceId: 't1', ...SAMPLE_BODY, stacktrace: STACK }], 'a sample written before migration 10 keeps its stack trace in its body');
    const listed = await store.list({ sort: 'count', limit: 10, offset: 0 });
    assert.deepEqual(listed.groups.map((g) => g.id), ['g1']);
    const found = await store.list({ sort: 'count', limit: 10, offset: 0, text: 'USERS.JS f1' });
    assert.deepEqual(found.groups.map((g) => g.id), ['g1'], 'the group written before migration 7 is found by a search');
    const indexed =
      storage.engine === 'sqlite'
        ? `SELECT COUNT(*) AS n FROM group_search WHERE group_search MATCH '"use" AND "s.j"'`
        : "SELECT COUNT(*) AS n FROM pg_indexes WHERE indexname IN ('groups_title_trgm', 'groups_culprit_trgm')";
    assert.equal(Number((await storage.read((sql) => sql.one<{ n: number }>(indexed)))?.n), storage.engine === 'sqlite' ? 1 : 2, 'migration 7 indexed it');
    const facets = await store.facets(10);
    assert.deepEqual(
      Object.fromEntries(Object.entries(facets).map(([facet, values]) => [facet, values.map((value) => [value.value, value.lastSeenMs])])),
      { service: [['shop', 2]], environment: [], release: [['1.0', 2]], level: [['error', 2]] },
      'migration 8 took the values of the groups already there, as of when they were last filed',
    );
    assert.deepEqual(await migrate(storage, 2), { from: NEWEST, to: NEWEST }, 'a second start changes nothing');
  } finally {
    await storage.close();
  }
}

describe('migrations from schema version 1', () => {
  it('upgrade a SQLite file, keeping its groups (frames moved), documents and versions', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'faultline-migrate-'));
    await writeVersion1(await openSqlite(path.join(dir, 'faultline.db')));
    await upgradesAndKeeps(() => sqliteStorage({ dir }));
  });

  describe('on PostgreSQL', () => {
    let server: PostgresServer;
    before(async () => {
      server = await startPostgres();
    });
    after(() => server?.stop());

    it('upgrade a database the same way', async () => {
      const url = await server.createDatabase();
      await writeVersion1(openPostgres({ url, poolSize: 1, connectTimeoutMs: 5_000 }));
      await upgradesAndKeeps(() => postgresStorage(url));
    });
  });
});
