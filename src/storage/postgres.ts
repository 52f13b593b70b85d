// The PostgreSQL engine (node-postgres): one database shared by every replica. Units are
// transactions on a pooled connection, so replicas work concurrently; callers take row locks
// (`forUpdate`) where two replicas could decide the same thing (a new group, a regression), and
// lock rows in a fixed order so they never deadlock each other. A unit that still loses a
// deadlock or a serialisation conflict is retried, up to three times.
// Strings with NUL characters (which PostgreSQL's text refuses) have them replaced by U+FFFD.
// `?` placeholders are numbered `$1, $2…` here; the SQL callers write must hold no other `?`.

import pg from 'pg';
import { displayUrl } from '../config/storage.js';
import { noAnswer, runTask, SQL_DIALECTS, StorageError, type SqlSession, type SqlValue, type Storage } from './storage.js';

const RETRIED_CODES = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected
const INT8_OID = 20;
const TABLES = ['groups', 'group_keys', 'group_aliases', 'samples', 'documents', 'leases', 'outbox', 'schema_migrations'];

export function openPostgres(options: { url: string; poolSize: number; connectTimeoutMs: number; onIdleError?: (error: Error) => void }): Storage {
  const where = displayUrl(options.url);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs,
    // Counts and Unix milliseconds are BIGINT; they fit a double, so read them as numbers.
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => (oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format))) as typeof pg.types.getTypeParser },
  });
  // An idle connection dropped by the server must not crash the process; the next unit reconnects.
  pool.on('error', (error) => options.onIdleError?.(error));

  const texts = new Map<string, string>();
  function numbered(sql: string): string {
    let text = texts.get(sql);
    if (text === undefined) {
      let n = 0;
      text = sql.replace(/\?/g, () => `$${++n}`);
      texts.set(sql, text);
    }
    return text;
  }
  const clean = (params: readonly SqlValue[]) => params.map((value) => (typeof value === 'string' && value.includes('\0') ? value.replaceAll('\0', '\uFFFD') : value));
  const failed = (error: unknown) => (error instanceof StorageError ? error : new StorageError(`PostgreSQL ${where}: ${(error as Error).message}`, error));
  /** One query; its failure becomes a StorageError that keeps the server's error code (a caller's own errors pass as they are). */
  async function query(client: pg.Pool | pg.PoolClient, sql: string, params: readonly SqlValue[]): Promise<pg.QueryResult> {
    try {
      return await client.query(numbered(sql), clean(params));
    } catch (error) {
      throw failed(error);
    }
  }
  const sessionOf = (client: pg.Pool | pg.PoolClient): SqlSession => ({
    all: async <T>(sql: string, params: readonly SqlValue[] = []) => (await query(client, sql, params)).rows as T[],
    one: async <T>(sql: string, params: readonly SqlValue[] = []) => (await query(client, sql, params)).rows[0] as T | undefined,
    run: async (sql: string, params: readonly SqlValue[] = []) => (await query(client, sql, params)).rowCount ?? 0,
  });

  return {
    engine: 'postgres',
    where,
    ...SQL_DIALECTS.postgres,
    async transaction(work) {
      for (let attempt = 1; ; attempt++) {
        let client: pg.PoolClient;
        try {
          client = await pool.connect();
        } catch (error) {
          throw failed(error);
        }
        try {
          await query(client, 'BEGIN', []);
          const result = await work(sessionOf(client));
          await query(client, 'COMMIT', []);
          client.release();
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          client.release();
          const code = ((error as StorageError).cause as { code?: string } | undefined)?.code;
          if (error instanceof StorageError && code !== undefined && RETRIED_CODES.has(code) && attempt < 3) continue;
          throw error;
        }
      }
    },
    read: (work) => work(sessionOf(pool)),
    task(task, input, answer) {
      const ask = answer === undefined ? noAnswer(task.name) : async (question: Parameters<typeof answer>[0]) => answer(question);
      return this.transaction((sql) => runTask(task, sql, input, ask));
    },
    async sizeBytes() {
      const row = await this.read((sql) =>
        sql.one<{ bytes: number | null }>(
          `SELECT SUM(pg_total_relation_size(c.oid))::bigint AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname IN (${TABLES.map(() => '?').join(', ')})`,
          TABLES,
        ),
      );
      return Number(row?.bytes ?? 0);
    },
    async close() {
      await pool.end();
    },
  };
}
