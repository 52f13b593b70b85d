// The schema, as numbered migrations applied in order at start. Both engines run the same DDL,
// except where a migration gives each engine its own (a search index is FTS5 on one, pg_trgm on
// the other).
// A database already at the newest version is left alone; one at a newer version than this build
// knows is refused with a clear error (an older Faultline must not write a newer schema). On
// PostgreSQL an advisory lock makes replicas starting together apply each migration once.
// To change the schema, append a migration; never edit one that has shipped.

import { StorageError, type Storage } from './storage.js';

interface Migration {
  readonly version: number;
  readonly what: string;
  readonly statements: readonly string[] | { readonly [E in Storage['engine']]: readonly string[] };
}

/** The statements `migration` runs on `engine`. */
export function statementsOf(migration: Migration, engine: Storage['engine']): readonly string[] {
  return Array.isArray(migration.statements) ? migration.statements : (migration.statements as { readonly [E in Storage['engine']]: readonly string[] })[engine];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    what: 'error groups, their keys, merged ids and samples; documents; leases',
    statements: [
      // One row per group of each groups exporter. Lists (frames, releases, environments, keys,
      // merged ids) are JSON text. touched_ms orders eviction (least recently updated first).
      `CREATE TABLE groups (
        exporter TEXT NOT NULL,
        id TEXT NOT NULL,
        service TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        type TEXT NOT NULL,
        title TEXT NOT NULL,
        culprit TEXT NOT NULL,
        frames TEXT NOT NULL,
        method TEXT NOT NULL,
        rule TEXT NOT NULL,
        fingerprint_version INTEGER NOT NULL,
        first_seen_ms BIGINT NOT NULL,
        last_seen_ms BIGINT NOT NULL,
        count BIGINT NOT NULL,
        releases TEXT NOT NULL,
        environments TEXT NOT NULL,
        state TEXT NOT NULL,
        regressed INTEGER NOT NULL,
        resolved_in_release TEXT NOT NULL,
        state_changed_at_ms BIGINT NOT NULL,
        group_keys TEXT NOT NULL,
        merged_ids TEXT NOT NULL,
        touched_ms BIGINT NOT NULL,
        PRIMARY KEY (exporter, id)
      )`,
      'CREATE INDEX groups_touched ON groups (exporter, touched_ms)',
      'CREATE INDEX groups_last_seen ON groups (exporter, last_seen_ms)',
      'CREATE INDEX groups_count ON groups (exporter, count)',
      // Which group each (service, fingerprint) files into: its own, or the group it was merged into.
      `CREATE TABLE group_keys (
        exporter TEXT NOT NULL,
        service TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        group_id TEXT NOT NULL,
        PRIMARY KEY (exporter, service, fingerprint)
      )`,
      'CREATE INDEX group_keys_group ON group_keys (exporter, group_id)',
      // Ids of groups merged away, each answering for the group it went into.
      `CREATE TABLE group_aliases (
        exporter TEXT NOT NULL,
        alias_id TEXT NOT NULL,
        group_id TEXT NOT NULL,
        PRIMARY KEY (exporter, alias_id)
      )`,
      'CREATE INDEX group_aliases_group ON group_aliases (exporter, group_id)',
      // The latest sample events of each group; body is the rest of the sample as JSON.
      `CREATE TABLE samples (
        exporter TEXT NOT NULL,
        id TEXT NOT NULL,
        group_id TEXT NOT NULL,
        timestamp_ms BIGINT NOT NULL,
        trace_id TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (exporter, id)
      )`,
      'CREATE INDEX samples_group ON samples (exporter, group_id, timestamp_ms)',
      'CREATE INDEX samples_trace ON samples (trace_id)',
      'CREATE INDEX samples_time ON samples (timestamp_ms)',
      // Small whole values rewritten as one (alert state, pending notifications), by name.
      'CREATE TABLE documents (name TEXT PRIMARY KEY, body TEXT NOT NULL, updated_ms BIGINT NOT NULL)',
      // Roles one replica holds at a time (the alerts leader), until expires_ms.
      'CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, token TEXT NOT NULL, expires_ms BIGINT NOT NULL)',
    ],
  },
  {
    version: 2,
    what: 'the notification outbox',
    statements: [
      // One row per notification pending delivery to one channel of one alerts exporter; id is the
      // notification's idempotency key for that channel (the same notification is queued once).
      // owner is the replica delivering it, for as long as it renews owner_until_ms; a row whose
      // owner lapsed (a replica that died) is adopted by another (notify/outbox-store.ts).
      `CREATE TABLE outbox (
        id TEXT PRIMARY KEY,
        exporter TEXT NOT NULL,
        channel TEXT NOT NULL,
        notification TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        not_before_ms BIGINT NOT NULL,
        enqueued_ms BIGINT NOT NULL,
        owner TEXT NOT NULL,
        owner_until_ms BIGINT NOT NULL
      )`,
      'CREATE INDEX outbox_owner ON outbox (exporter, owner_until_ms)',
    ],
  },
  {
    version: 3,
    what: "a group's frames in their own table; list indexes end with the id",
    statements: [
      // A group's frames (up to 100, several KiB of JSON) change only when its culprit does, while
      // its row changes with every event: kept in the row, every count update rewrote them.
      `CREATE TABLE group_frames (
        exporter TEXT NOT NULL,
        group_id TEXT NOT NULL,
        frames TEXT NOT NULL,
        PRIMARY KEY (exporter, group_id)
      )`,
      'INSERT INTO group_frames (exporter, group_id, frames) SELECT exporter, id, frames FROM groups',
      'ALTER TABLE groups DROP COLUMN frames',
      // The list pages by count or last seen with ties by id: with id in the index, a page is one
      // index walk instead of a sort of every group tied at the cut (all of them, when counts agree).
      'DROP INDEX groups_last_seen',
      'DROP INDEX groups_count',
      'CREATE INDEX groups_last_seen ON groups (exporter, last_seen_ms, id)',
      'CREATE INDEX groups_count ON groups (exporter, count, id)',
    ],
  },
  {
    version: 4,
    what: 'the kafka exporter buffer',
    statements: [
      // Error events of each kafka exporter waiting to be produced, as the messages to send. seq
      // orders them (oldest first: sent first, dropped first when the buffer is full); a sender
      // claims rows until claimed_until_ms, so another replica on PostgreSQL passes them over.
      `CREATE TABLE kafka_buffer (
        exporter TEXT NOT NULL,
        event_id TEXT NOT NULL,
        seq BIGINT NOT NULL,
        message_key TEXT NOT NULL,
        message TEXT NOT NULL,
        headers TEXT NOT NULL,
        claimed_until_ms BIGINT NOT NULL,
        PRIMARY KEY (exporter, event_id)
      )`,
      'CREATE INDEX kafka_buffer_seq ON kafka_buffer (exporter, seq)',
    ],
  },
  {
    version: 5,
    what: 'indexes for the groups gauge and the sample retention sweep',
    statements: [
      // faultline_error_groups counts groups by service and state at every scrape: without an index
      // that was every group row read (about 0.6 s at 100,000 groups, more from a cold disk).
      'CREATE INDEX groups_state ON groups (exporter, service, state)',
      // The retention sweep (exporter = ? AND timestamp_ms < ?) walked samples_group, whose first
      // column matched: every sample's index entry at each sweep and at every start. With the
      // exporter first, it reads only the samples it deletes.
      'DROP INDEX samples_time',
      'CREATE INDEX samples_time ON samples (exporter, timestamp_ms)',
    ],
  },
  {
    version: 6,
    what: "events per group and hour; a group's level; the list sorted by first seen",
    statements: [
      // How many events each group had in each hour, by release (group/store/event-hours.ts): the
      // charts of the web UI and GET /api/v1/groups/:id/histogram. Samples cannot give this (a
      // group keeps a few); rows older than 14 days are deleted with the expired samples.
      `CREATE TABLE group_hours (
        exporter TEXT NOT NULL,
        group_id TEXT NOT NULL,
        hour_ms BIGINT NOT NULL,
        release TEXT NOT NULL,
        count BIGINT NOT NULL,
        PRIMARY KEY (exporter, group_id, hour_ms, release)
      )`,
      // With the exporter first, so the 14-day sweep (exporter = ? AND hour_ms < ?) reads only what it deletes.
      'CREATE INDEX group_hours_time ON group_hours (exporter, hour_ms)',
      // The level of a group's latest event, so the list can filter by it.
      "ALTER TABLE groups ADD COLUMN level TEXT NOT NULL DEFAULT 'error'",
      'CREATE INDEX groups_first_seen ON groups (exporter, first_seen_ms, id)',
    ],
  },
  {
    version: 7,
    what: 'a trigram index over the titles and culprits of groups, for the free-text search',
    // The list's ?q= (group-store.ts, text-search.ts) was a LIKE over every group row: 1.1 s at
    // 100,000 groups for a search that matches nothing. A trigram index finds the groups holding a
    // word of 3 or more characters; the LIKE still decides, so results are what they were.
    statements: {
      sqlite: [
        // FTS5 rows are found by rowid, and a table without an INTEGER PRIMARY KEY (groups) may
        // have its rowids renumbered by VACUUM: each group gets a row number of its own here.
        'CREATE TABLE group_search_rows (row INTEGER PRIMARY KEY, exporter TEXT NOT NULL, id TEXT NOT NULL)',
        'CREATE UNIQUE INDEX group_search_rows_id ON group_search_rows (exporter, id)',
        // detail=none keeps which trigrams a row holds, not where: a quarter of the size and a
        // third less work per new group; the search asks for a word's trigrams (not the phrase)
        // and the LIKE drops the rows that hold them elsewhere. columnsize=0: no ranking, so no
        // row sizes to write. Each filing unit is a small transaction, and FTS5 writes a segment
        // per transaction: merging 16 segments at a time instead of 4 halves that work again.
        "CREATE VIRTUAL TABLE group_search USING fts5(title, culprit, tokenize = 'trigram', detail = none, columnsize = 0)",
        "INSERT INTO group_search (group_search, rank) VALUES ('automerge', 16)",
        'INSERT INTO group_search_rows (exporter, id) SELECT exporter, id FROM groups',
        'INSERT INTO group_search (rowid, title, culprit) SELECT r.row, g.title, g.culprit FROM group_search_rows r JOIN groups g ON g.exporter = r.exporter AND g.id = r.id',
        // Kept in step by triggers, whoever writes groups (filing, merges, evictions, imports).
        // Filing rewrites every column of a group at each batch: only a changed title or culprit
        // touches the index.
        `CREATE TRIGGER group_search_insert AFTER INSERT ON groups BEGIN
          INSERT INTO group_search_rows (exporter, id) VALUES (new.exporter, new.id);
          INSERT INTO group_search (rowid, title, culprit) VALUES (last_insert_rowid(), new.title, new.culprit);
        END`,
        `CREATE TRIGGER group_search_update AFTER UPDATE OF title, culprit ON groups
          WHEN old.title IS NOT new.title OR old.culprit IS NOT new.culprit BEGIN
          UPDATE group_search SET title = new.title, culprit = new.culprit
            WHERE rowid = (SELECT row FROM group_search_rows WHERE exporter = new.exporter AND id = new.id);
        END`,
        `CREATE TRIGGER group_search_delete AFTER DELETE ON groups BEGIN
          DELETE FROM group_search WHERE rowid = (SELECT row FROM group_search_rows WHERE exporter = old.exporter AND id = old.id);
          DELETE FROM group_search_rows WHERE exporter = old.exporter AND id = old.id;
        END`,
      ],
      postgres: [
        // pg_trgm ships with PostgreSQL (contrib) and is a trusted extension (PostgreSQL 13+): the
        // database's owner may create it. Where it cannot be created (not installed, no right), the
        // migration goes on without the indexes and the search scans, as before; docs/storage.md
        // says how to add them by hand.
        `DO $$ BEGIN
          CREATE EXTENSION IF NOT EXISTS pg_trgm;
        EXCEPTION WHEN OTHERS THEN
          RAISE WARNING 'faultline: could not create the pg_trgm extension (%); the free-text search of groups scans', SQLERRM;
        END $$`,
        // The list's condition is LOWER(title) LIKE … OR LOWER(culprit) LIKE …: one index per side.
        `DO $$ BEGIN
          IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
            CREATE INDEX groups_title_trgm ON groups USING gin (lower(title) gin_trgm_ops);
            CREATE INDEX groups_culprit_trgm ON groups USING gin (lower(culprit) gin_trgm_ops);
          END IF;
        END $$`,
      ],
    },
  },
  {
    version: 8,
    what: 'the values groups were seen with, per facet, for the filters of the list; delivery outcomes per channel',
    statements: (() => {
      // One row per service, environment, release and level an event carried, with when such an
      // event was last filed (group/store/group-values.ts): GET /api/v1/groups/facets walks the index, newest first,
      // instead of reading the JSON lists of every group.
      const table = [
        `CREATE TABLE group_values (
          exporter TEXT NOT NULL,
          facet TEXT NOT NULL,
          value TEXT NOT NULL,
          last_seen_ms BIGINT NOT NULL,
          PRIMARY KEY (exporter, facet, value)
        )`,
        'CREATE INDEX group_values_recent ON group_values (exporter, facet, last_seen_ms)',
      ];
      // The values of the groups already stored, each as recent as the last group filed with it.
      const columns = ['service', 'level'].map(
        (facet) => `INSERT INTO group_values (exporter, facet, value, last_seen_ms)
          SELECT exporter, '${facet}', ${facet}, MAX(touched_ms) FROM groups WHERE ${facet} <> '' GROUP BY exporter, ${facet}`,
      );
      const lists = (elements: (column: string) => string) =>
        [
          ['environment', 'environments'],
          ['release', 'releases'],
        ].map(
          ([facet, column]) => `INSERT INTO group_values (exporter, facet, value, last_seen_ms)
            SELECT g.exporter, '${facet}', e.value, MAX(g.touched_ms) FROM groups g ${elements(`g.${column}`)}
            WHERE e.value <> '' GROUP BY g.exporter, e.value`,
        );
      // Delivery attempts per channel and outcome, summed over replicas (notify/shared-outcomes.ts;
      // written on PostgreSQL only, where replicas share it).
      const outcomes = `CREATE TABLE channel_outcomes (
          exporter TEXT NOT NULL,
          channel TEXT NOT NULL,
          outcome TEXT NOT NULL,
          count BIGINT NOT NULL,
          PRIMARY KEY (exporter, channel, outcome)
        )`;
      return {
        sqlite: [...table, ...columns, ...lists((column) => `JOIN json_each(${column}) e`), outcomes],
        postgres: [...table, ...columns, ...lists((column) => `CROSS JOIN LATERAL jsonb_array_elements_text((${column})::jsonb) AS e(value)`), outcomes],
      };
    })(),
  },
  {
    version: 9,
    what: 'groups evicted by last seen; the touched index dropped',
    statements: [
      // Eviction takes the least recently seen groups (what docs/config.md promised) through
      // groups_last_seen, which the list needs anyway. groups_touched was one more index entry
      // moved by every event filed; touched_ms stays in the row (when a writer last wrote it).
      'DROP INDEX groups_touched',
    ],
  },
  {
    version: 10,
    what: "a sample's stack trace in a column of its own",
    statements: [
      // Escaping a stack trace of several kilobytes into the sample's JSON body cost about 30 µs
      // of the ~400 µs an event took to file; as a column it is bound as it is. Older rows keep it
      // in their body (NULL here), and group-rows.ts reads either.
      'ALTER TABLE samples ADD COLUMN stacktrace TEXT',
    ],
  },
  {
    version: 11,
    what: 'the search index merged in small steps by its writers',
    statements: {
      // FTS5 merges the index's segments by itself ('automerge'), and one such merge held a filing
      // transaction for 35–75 ms at 100,000 groups. Off, the group store asks for a few pages of
      // merging in each of its write transactions instead (text-search.ts, mergeSearchIndex).
      sqlite: ["INSERT INTO group_search (group_search, rank) VALUES ('automerge', 0)"],
      postgres: [],
    },
  },
  {
    version: 12,
    what: 'opened groups taken into the search index in batches',
    statements: {
      // The insert trigger no longer indexes a group's title and culprit: rows of group_search_rows
      // past `upto` wait for the group store to index them a few hundred at a time
      // (text-search.ts, indexWaitingGroups), and searches check them with LIKE meanwhile. A new
      // row is numbered past `upto` even when the highest row was deleted (SQLite would reuse
      // its number), so no group is ever counted as indexed before it is.
      sqlite: [
        'CREATE TABLE group_search_indexed (upto INTEGER NOT NULL)',
        'INSERT INTO group_search_indexed (upto) SELECT COALESCE(MAX(row), 0) FROM group_search_rows',
        'DROP TRIGGER group_search_insert',
        `CREATE TRIGGER group_search_insert AFTER INSERT ON groups BEGIN
          INSERT INTO group_search_rows (row, exporter, id)
            VALUES (MAX(COALESCE((SELECT MAX(row) FROM group_search_rows), 0), (SELECT upto FROM group_search_indexed)) + 1, new.exporter, new.id);
        END`,
      ],
      postgres: [],
    },
  },
];

/** A number no other application's advisory lock is likely to use ("FLT1"). */
const MIGRATION_LOCK = 0x464c5431;

/** Applies the migrations the database lacks; resolves with the version it is at now. */
export async function migrate(storage: Storage, nowMs: number): Promise<{ from: number; to: number }> {
  return storage.transaction(async (sql) => {
    if (storage.engine === 'postgres') await sql.one('SELECT pg_advisory_xact_lock(?)', [MIGRATION_LOCK]);
    await sql.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, what TEXT NOT NULL, applied_ms BIGINT NOT NULL)');
    const row = await sql.one<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations');
    const from = Number(row?.version ?? 0);
    const newest = MIGRATIONS[MIGRATIONS.length - 1]!.version;
    if (from > newest) {
      throw new StorageError(`the database schema is at version ${from}, newer than this Faultline knows (${newest}); run a Faultline at least as new as the one that wrote it`);
    }
    for (const migration of MIGRATIONS) {
      if (migration.version <= from) continue;
      for (const statement of statementsOf(migration, storage.engine)) await sql.run(statement);
      await sql.run('INSERT INTO schema_migrations (version, what, applied_ms) VALUES (?, ?, ?)', [migration.version, migration.what, nowMs]);
    }
    return { from, to: newest };
  });
}
