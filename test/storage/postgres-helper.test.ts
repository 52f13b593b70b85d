// The PostgreSQL the store's tests run against (test/helpers/postgres.ts) is a real server: it
// answers on 127.0.0.1 alone, serialises two clients racing on one key, gives each test its own
// database, and is gone, directory and all, once stopped.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startPostgres, type PostgresServer } from '../helpers/postgres.js';

const INSERT_ONCE = 'INSERT INTO issues (fingerprint) VALUES ($1) ON CONFLICT DO NOTHING RETURNING (xmax = 0) AS inserted';

describe('the test PostgreSQL server', () => {
  let server: PostgresServer;
  before(async () => {
    server = await startPostgres();
  });
  after(() => server?.stop());

  it('answers a pg Pool on 127.0.0.1 only, with its socket outside /var/run', async () => {
    assert.match(server.url, new RegExp(`^postgres://[^@/]+@127\\.0\\.0\\.1:${server.port}/`));
    const pool = new pg.Pool({ connectionString: server.url });
    try {
      const { rows } = await pool.query<{ address: string; listen: string; sockets: string }>(
        `SELECT host(inet_server_addr()) AS address, current_setting('listen_addresses') AS listen,
                current_setting('unix_socket_directories') AS sockets`,
      );
      const { address, listen, sockets } = rows[0]!;
      assert.equal(address, '127.0.0.1', 'the pool reached the server over loopback');
      assert.equal(listen, '127.0.0.1', 'and the server listens nowhere else');
      assert.doesNotMatch(sockets, /^\/(var\/)?run\//, 'its socket is in its own directory, not the system one');
    } finally {
      await pool.end();
    }
  });

  it('lets only the first of two clients insert a key when the second waits on its lock', async () => {
    const pool = new pg.Pool({ connectionString: await server.createDatabase(), max: 3 });
    const first = await pool.connect();
    const second = await pool.connect();
    try {
      await pool.query('CREATE TABLE issues (fingerprint text PRIMARY KEY)');
      await first.query('BEGIN');
      assert.deepEqual((await first.query(INSERT_ONCE, ['f1'])).rows, [{ inserted: true }]);
      // The second insert must wait for the first transaction to end before it can decide.
      const secondPid = (await second.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      const secondInsert = second.query(INSERT_ONCE, ['f1']);
      await waitUntilBlockedOnLock(pool, secondPid);
      await first.query('COMMIT');
      assert.deepEqual((await secondInsert).rows, [], 'the conflicting insert returns no row');
      assert.deepEqual((await pool.query('SELECT fingerprint FROM issues')).rows, [{ fingerprint: 'f1' }]);
    } finally {
      first.release();
      second.release();
      await pool.end();
    }
  });

  it('counts each key once when two clients insert the same keys at the same time', async () => {
    const pool = new pg.Pool({ connectionString: await server.createDatabase(), max: 2 });
    const keys = Array.from({ length: 50 }, (_, index) => `fingerprint-${index}`);
    try {
      await pool.query('CREATE TABLE issues (fingerprint text PRIMARY KEY)');
      const clients = [await pool.connect(), await pool.connect()];
      const results = await Promise.all(
        clients.map(async (client) => {
          const won: string[] = [];
          for (const key of keys) {
            const { rows } = await client.query<{ inserted: boolean }>(INSERT_ONCE, [key]);
            if (rows[0]?.inserted === true) won.push(key);
          }
          client.release();
          return won;
        }),
      );
      assert.deepEqual([...results[0]!, ...results[1]!].sort(), [...keys].sort(), 'every key won exactly once');
      assert.equal((await pool.query('SELECT count(*)::int AS n FROM issues')).rows[0].n, keys.length);
    } finally {
      await pool.end();
    }
  });

  it('gives each createDatabase its own rows', async () => {
    const [oneUrl, otherUrl] = [await server.createDatabase(), await server.createDatabase('faultline_other')];
    assert.match(otherUrl, /\/faultline_other$/);
    const one = new pg.Client({ connectionString: oneUrl });
    const other = new pg.Client({ connectionString: otherUrl });
    await one.connect();
    await other.connect();
    try {
      for (const client of [one, other]) await client.query('CREATE TABLE issues (fingerprint text PRIMARY KEY)');
      await one.query("INSERT INTO issues VALUES ('only-in-one')");
      assert.deepEqual((await one.query('SELECT fingerprint FROM issues')).rows, [{ fingerprint: 'only-in-one' }]);
      assert.deepEqual((await other.query('SELECT fingerprint FROM issues')).rows, []);
      assert.equal((await other.query('SELECT current_database() AS name')).rows[0].name, 'faultline_other');
    } finally {
      await one.end();
      await other.end();
    }
  });

  it('refuses new connections and leaves no directory once stopped', async () => {
    const doomed = await startPostgres();
    const client = new pg.Client({ connectionString: doomed.url });
    await client.connect();
    const dataDirectory = (await client.query<{ dir: string }>("SELECT current_setting('data_directory') AS dir")).rows[0]!.dir;
    await client.end();
    assert.equal(existsSync(dataDirectory), true);

    await doomed.stop();
    await doomed.stop(); // a second stop is harmless

    const late = new pg.Client({ connectionString: doomed.url });
    await assert.rejects(late.connect(), { code: 'ECONNREFUSED' });
    assert.equal(existsSync(dataDirectory), false);
  });
});

/** Polls pg_stat_activity (bounded) until backend `pid` waits on a lock. */
async function waitUntilBlockedOnLock(pool: pg.Pool, pid: number): Promise<void> {
  for (let attempt = 0; attempt < 1_000; attempt++) {
    const { rows } = await pool.query('SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1', [pid]);
    if (rows[0]?.wait_event_type === 'Lock') return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`backend ${pid} never waited on a lock`);
}
