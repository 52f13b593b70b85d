// The list's free-text search (?q=): each word, case-insensitive, in the title or the culprit.
// The condition that decides is a LIKE per word, as it always was; in front of it, on SQLite, the
// FTS5 trigram index of migration 7 narrows the groups to those holding every trigram of every
// word of 3 or more characters, so a search reads the groups it finds instead of every group.
// Groups opened since the index last took them in (migration 12: rows of group_search_rows past
// group_search_indexed.upto, fewer than SEARCH_INDEX_BATCH but while indexing fails) are
// candidates too, checked by the LIKEs alone. On
// PostgreSQL the LIKEs themselves use migration 7's pg_trgm indexes (the planner picks them;
// without pg_trgm they scan). Words shorter than 3 characters have no trigram: beside a longer word they are
// checked on the groups the index found; a search of short words alone reads every group, as
// every search did before (0.3–1.1 s at 100,000 groups: bench/README.md).
// Case folding is ASCII on SQLite (its LOWER and LIKE), Unicode on PostgreSQL; the index folds
// more widely than either, so it never loses a group the LIKE would keep.

import type { SqlSession, SqlValue, Storage } from '../../storage/storage.js';

/** Words of a search past this many are ignored. */
export const SEARCH_WORDS = 8;
/** A trigram index finds words of this many characters or more. */
export const INDEXED_WORD_CHARS = 3;

export function searchWords(text: string | undefined): string[] {
  return (text ?? '')
    .toLowerCase()
    .split(/\s+/)
    .filter((word) => word !== '')
    .slice(0, SEARCH_WORDS);
}

/**
 * Pages of the FTS5 index merged per write transaction on SQLite (migration 11 turned its own,
 * larger merges off). A transaction that opens groups writes a segment of a page or two; FTS5
 * merges a level once it holds 4 segments, so a few pages each time keep up, and a transaction
 * with nothing to merge only reads the index's structure.
 */
export const SEARCH_MERGE_PAGES = 16;

/** Does a small step of merging the search index's segments (SQLite; nothing on PostgreSQL). */
export async function mergeSearchIndex(sql: SqlSession, engine: Storage['engine']): Promise<void> {
  if (engine === 'sqlite') await sql.run("INSERT INTO group_search (group_search, rank) VALUES ('merge', ?)", [SEARCH_MERGE_PAGES]);
}

/**
 * On SQLite the group store takes opened groups into the FTS5 index this many at a time, in a
 * transaction of their own. Indexed in the transaction that opened them (a dozen groups at
 * 100,000), each cost about 240 µs of CPU: FTS5 writes a segment per transaction, and tiny
 * segments are merged over and over. In bulk: 37-65 µs each (bench/README.md).
 */
export const SEARCH_INDEX_BATCH = 256;

/** The rows of group_search_rows not yet in the FTS5 index (SQLite; migration 12). */
const UNINDEXED = 'FROM group_search_rows r WHERE r.row > (SELECT upto FROM group_search_indexed)';

/** How many groups wait to be taken into the search index (SQLite). */
export async function unindexedGroups(sql: SqlSession): Promise<number> {
  return Number((await sql.one<{ n: number }>(`SELECT COUNT(*) AS n ${UNINDEXED}`))?.n ?? 0);
}

/** Takes the first `limit` waiting groups (any exporter's) into the search index; resolves with how many (SQLite). */
export async function indexWaitingGroups(sql: SqlSession, limit: number): Promise<number> {
  const taken = await sql.one<{ last: number | null; n: number }>(`SELECT MAX(row) AS last, COUNT(*) AS n FROM (SELECT r.row ${UNINDEXED} ORDER BY r.row LIMIT ?)`, [limit]);
  if (taken === undefined || taken.last === null) return 0;
  await sql.run(
    `INSERT INTO group_search (rowid, title, culprit) SELECT r.row, g.title, g.culprit FROM group_search_rows r JOIN groups g ON g.exporter = r.exporter AND g.id = r.id
       WHERE r.row > (SELECT upto FROM group_search_indexed) AND r.row <= ?`,
    [taken.last],
  );
  await sql.run('UPDATE group_search_indexed SET upto = ?', [taken.last]);
  await mergeSearchIndex(sql, 'sqlite');
  return Number(taken.n);
}

const FOUND = 'FROM group_search JOIN group_search_rows r ON r.row = group_search.rowid WHERE group_search MATCH ? AND r.exporter = ?';

export interface SearchConditions {
  /** Conditions on the groups row `g`, and their parameters in order. */
  readonly where: string[];
  readonly params: SqlValue[];
  /** On SQLite, for a search the index narrows: a query counting the groups the index found (`n`), before the LIKEs. */
  readonly found?: { readonly sql: string; readonly params: SqlValue[] };
}

export function searchConditions(engine: Storage['engine'], exporter: string, words: readonly string[]): SearchConditions {
  const where: string[] = [];
  const params: SqlValue[] = [];
  const indexed = words.filter((word) => [...word].length >= INDEXED_WORD_CHARS);
  let found: SearchConditions['found'];
  if (engine === 'sqlite' && indexed.length > 0) {
    const foundParams = [trigramQuery(indexed), exporter, exporter];
    // `+` keeps SQLite from reading every row of the exporter through its index: the waiting rows are a range of `row`.
    where.push(`g.id IN (SELECT r.id ${FOUND} UNION ALL SELECT r.id ${UNINDEXED} AND +r.exporter = ?)`);
    params.push(...foundParams);
    found = { sql: `SELECT (SELECT COUNT(*) ${FOUND}) + (SELECT COUNT(*) ${UNINDEXED} AND +r.exporter = ?) AS n`, params: foundParams };
  }
  for (const word of words) {
    const pattern = `%${word.replace(/[!%_]/g, '!$&')}%`;
    where.push("(LOWER(g.title) LIKE ? ESCAPE '!' OR LOWER(g.culprit) LIKE ? ESCAPE '!')");
    params.push(pattern, pattern);
  }
  return found === undefined ? { where, params } : { where, params, found };
}

/**
 * An FTS5 query for groups holding every trigram of `words`: the index (detail=none) knows which
 * trigrams a row holds, not where, so this finds a superset of the rows holding the words.
 */
export function trigramQuery(words: readonly string[]): string {
  const trigrams = new Set<string>();
  for (const word of words) {
    const chars = [...word];
    for (let i = 0; i + INDEXED_WORD_CHARS <= chars.length; i++) trigrams.add(chars.slice(i, i + INDEXED_WORD_CHARS).join(''));
  }
  // FTS5 takes everything between double quotes literally ("" is a quote).
  return [...trigrams].map((trigram) => `"${trigram.replaceAll('"', '""')}"`).join(' AND ');
}
