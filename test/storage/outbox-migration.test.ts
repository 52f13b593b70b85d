// Migration 2 (the notification outbox) on a real SQLite file written at schema version 1, as the
// release before it left it: opening it applies migration 2 once and keeps what version 1 held.

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { migrate, MIGRATIONS } from '../../src/storage/migrations.js';
import { openSqlite } from '../../src/storage/sqlite.js';
import { sqliteStorage } from '../helpers/storage.js';

describe('migration 2, the notification outbox', () => {
  it('upgrades a database at version 1, keeping its rows, and leaves it alone the next time', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'faultline-migrate-'));
    const old = openSqlite(path.join(dir, 'faultline.db'));
    await old.transaction(async (sql) => {
      await sql.run('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, what TEXT NOT NULL, applied_ms BIGINT NOT NULL)');
      for (const statement of MIGRATIONS[0]!.statements) await sql.run(statement);
      await sql.run('INSERT INTO schema_migrations (version, what, applied_ms) VALUES (1, ?, 1)', [MIGRATIONS[0]!.what]);
      await sql.run("INSERT INTO documents (name, body, updated_ms) VALUES ('alerts/alerts/state', '{}', 1)");
    });
    await old.close();

    const storage = await sqliteStorage({ dir });
    const versions = await storage.read((sql) => sql.all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version'));
    assert.deepEqual(versions.map((row) => row.version), [1, 2]);
    assert.deepEqual(await storage.read((sql) => sql.all('SELECT name FROM documents')), [{ name: 'alerts/alerts/state' }]);
    assert.deepEqual(await storage.read((sql) => sql.all('SELECT id FROM outbox')), []);
    assert.deepEqual(await migrate(storage, 2), { from: 2, to: 2 });
    await storage.close();
  });
});
