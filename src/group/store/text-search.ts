// The list's free-text search (?q=): each word, case-insensitive, in the title or the culprit.
// The condition that decides is a LIKE per word, as it always was; in front of it, on SQLite, the
// FTS5 trigram index of migration 7 narrows the groups to those holding every trigram of every
// word of 3 or more characters, so a search reads the groups it finds instead of every group. On
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
    const foundParams = [trigramQuery(indexed), exporter];
    where.push(`g.id IN (SELECT r.id ${FOUND})`);
    params.push(...foundParams);
    found = { sql: `SELECT COUNT(*) AS n ${FOUND}`, params: foundParams };
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
