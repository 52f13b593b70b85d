// Delivery outcomes counted across replicas: on PostgreSQL each replica's lanes count their own
// attempts (channel-lane.ts), and at every outbox sweep (every ownership_ms / 3, 10 s by default)
// the pipeline adds what they counted since the last sweep to the channel_outcomes table (one
// upsert per channel and outcome that changed) and reads back the totals of all replicas. The
// alerts API then shows each channel's totals (since the table was made) plus what this replica
// counted since its last sweep: every replica shows the same figures, at most one sweep late for
// the others' attempts. On SQLite (one process) the lanes' own counts since start are shown, as
// before. A failed sweep keeps the unsent counts for the next one.

import type { Storage } from '../storage/storage.js';
import type { AttemptOutcome } from './channel-lane.js';

type Outcomes = Record<AttemptOutcome, number>;
const OUTCOMES: readonly AttemptOutcome[] = ['delivered', 'rejected', 'error'];

const ADD = `INSERT INTO channel_outcomes (exporter, channel, outcome, count) VALUES (?, ?, ?, ?)
  ON CONFLICT (exporter, channel, outcome) DO UPDATE SET count = channel_outcomes.count + excluded.count`;

export interface SharedOutcomes {
  /** Adds what `counted` (each channel's counts since start) gained since the last sync, then reads every replica's totals. */
  sync(counted: ReadonlyMap<string, Readonly<Outcomes>>): Promise<void>;
  /** A channel's totals across replicas, given this replica's counts since start. */
  outcomesOf(channel: string, counted: Readonly<Outcomes>): Outcomes;
}

export function createSharedOutcomes(storage: Storage, exporter: string): SharedOutcomes {
  const sent = new Map<string, Outcomes>();
  let totals = new Map<string, Outcomes>();
  const zero = (): Outcomes => ({ delivered: 0, rejected: 0, error: 0 });
  return {
    async sync(counted) {
      const sending = new Map<string, Outcomes>();
      for (const [channel, counts] of counted) sending.set(channel, { ...counts });
      const read = await storage.transaction(async (sql) => {
        for (const [channel, counts] of [...sending].sort(([a], [b]) => (a < b ? -1 : 1))) {
          const before = sent.get(channel) ?? zero();
          for (const outcome of OUTCOMES) {
            const gained = counts[outcome] - before[outcome];
            if (gained > 0) await sql.run(ADD, [exporter, channel, outcome, gained]);
          }
        }
        return sql.all<{ channel: string; outcome: AttemptOutcome; count: number }>('SELECT channel, outcome, count FROM channel_outcomes WHERE exporter = ?', [exporter]);
      });
      for (const [channel, counts] of sending) sent.set(channel, counts);
      totals = new Map();
      for (const row of read) {
        const outcomes = totals.get(row.channel) ?? zero();
        if (OUTCOMES.includes(row.outcome)) outcomes[row.outcome] = Number(row.count);
        totals.set(row.channel, outcomes);
      }
    },
    outcomesOf(channel, counted) {
      const total = totals.get(channel) ?? zero();
      const before = sent.get(channel) ?? zero();
      const shown = zero();
      for (const outcome of OUTCOMES) shown[outcome] = total[outcome] + counted[outcome] - before[outcome];
      return shown;
    },
  };
}
