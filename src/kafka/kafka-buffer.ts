// The kafka exporter's durable buffer: the messages still to produce, as rows of `kafka_buffer` in
// service.storage (migration 4), so a broker outage or a restart loses nothing that was written
// here. Why the store and not a file of its own under data_dir: the store already gives
// transactions, crash safety and PostgreSQL for replicas, and its size shows in
// faultline_storage_size_bytes.
//
// Rows are ordered by seq (time of buffering, in microseconds, strictly increasing per process).
// add() keeps at most maxEvents rows: past it the oldest are deleted in the same transaction and
// reported as dropped. claim() hands out the oldest unclaimed rows and marks them claimed until
// `now + leaseMs`, so a second replica on PostgreSQL passes them over (SKIP LOCKED) and one that
// died while sending has them taken up again once the lease lapses; remove() deletes what was
// produced, release() gives back what was not. An event id buffered twice is kept once.

import type { Storage } from '../storage/storage.js';
import type { OutgoingMessage } from './producer.js';

export interface BufferedMessage extends OutgoingMessage {
  readonly eventId: string;
}

export interface KafkaBuffer {
  /** Buffers `messages`; resolves with how many oldest rows were dropped to stay within maxEvents, and the depth after. */
  add(messages: readonly BufferedMessage[]): Promise<{ dropped: number; depth: number }>;
  /** The oldest unclaimed rows, at most `limit`, claimed until nowMs + leaseMs. */
  claim(limit: number, nowMs: number, leaseMs: number): Promise<BufferedMessage[]>;
  /** Deletes produced rows; resolves with the depth after. */
  remove(eventIds: readonly string[]): Promise<number>;
  release(eventIds: readonly string[]): Promise<void>;
  /** Releases every claim of this exporter (at start on SQLite: no other process uses the file). */
  releaseAll(): Promise<void>;
  depth(): Promise<number>;
}

interface Row {
  event_id: string;
  message_key: string;
  message: string;
  headers: string;
}

export function createKafkaBuffer(options: { storage: Storage; exporter: string; maxEvents: number }): KafkaBuffer {
  const { storage, exporter, maxEvents } = options;
  let lastSeq = 0;
  const nextSeq = () => (lastSeq = Math.max(lastSeq + 1, Date.now() * 1000));
  const count = async (sql: { one<T>(q: string, p?: readonly (string | number | null)[]): Promise<T | undefined> }) =>
    Number((await sql.one<{ n: number | string }>('SELECT COUNT(*) AS n FROM kafka_buffer WHERE exporter = ?', [exporter]))?.n ?? 0);
  const inList = (ids: readonly string[]) => ids.map(() => '?').join(', ');

  return {
    add(messages) {
      return storage.transaction(async (sql) => {
        for (const message of messages) {
          await sql.run(
            'INSERT INTO kafka_buffer (exporter, event_id, seq, message_key, message, headers, claimed_until_ms) VALUES (?, ?, ?, ?, ?, ?, 0) ON CONFLICT (exporter, event_id) DO NOTHING',
            [exporter, message.eventId, nextSeq(), message.key, message.value, JSON.stringify(message.headers)],
          );
        }
        let depth = await count(sql);
        let dropped = 0;
        if (depth > maxEvents) {
          dropped = await sql.run(
            'DELETE FROM kafka_buffer WHERE exporter = ? AND event_id IN (SELECT event_id FROM kafka_buffer WHERE exporter = ? ORDER BY seq LIMIT ?)',
            [exporter, exporter, depth - maxEvents],
          );
          depth -= dropped;
        }
        return { dropped, depth };
      });
    },
    claim(limit, nowMs, leaseMs) {
      return storage.transaction(async (sql) => {
        const rows = await sql.all<Row>(
          `SELECT event_id, message_key, message, headers FROM kafka_buffer WHERE exporter = ? AND claimed_until_ms <= ? ORDER BY seq LIMIT ?${storage.forUpdate}${storage.skipLocked}`,
          [exporter, nowMs, limit],
        );
        if (rows.length === 0) return [];
        const ids = rows.map((row) => row.event_id);
        await sql.run(`UPDATE kafka_buffer SET claimed_until_ms = ? WHERE exporter = ? AND event_id IN (${inList(ids)})`, [nowMs + leaseMs, exporter, ...ids]);
        return rows.map((row) => ({ eventId: row.event_id, key: row.message_key, value: row.message, headers: JSON.parse(row.headers) as Record<string, string> }));
      });
    },
    remove(eventIds) {
      return storage.transaction(async (sql) => {
        if (eventIds.length > 0) await sql.run(`DELETE FROM kafka_buffer WHERE exporter = ? AND event_id IN (${inList(eventIds)})`, [exporter, ...eventIds]);
        return count(sql);
      });
    },
    async release(eventIds) {
      if (eventIds.length === 0) return;
      await storage.transaction((sql) => sql.run(`UPDATE kafka_buffer SET claimed_until_ms = 0 WHERE exporter = ? AND event_id IN (${inList(eventIds)})`, [exporter, ...eventIds]));
    },
    async releaseAll() {
      await storage.transaction((sql) => sql.run('UPDATE kafka_buffer SET claimed_until_ms = 0 WHERE exporter = ?', [exporter]));
    },
    depth: () => storage.read((sql) => count(sql)),
  };
}
