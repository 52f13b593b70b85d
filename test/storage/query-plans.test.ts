// The store's periodic whole-table questions read indexes, not every row: at 100,000 groups the
// groups gauge (asked at every /metrics scrape) read every group row, about 0.6 s of blocked event
// loop, and the sample retention sweep (also run at every start) walked every sample's index entry.
// The list's search and the filters' values read indexes too. SQLite's own query planner is asked
// how it runs the store's statements, on the migrated schema.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXPIRE_HOURS } from '../../src/group/store/event-hours.js';
import { COUNTS_BY_STATE, EXPIRE_SAMPLES, LEAST_RECENTLY_SEEN } from '../../src/group/store/group-store.js';
import { NEWEST_VALUES } from '../../src/group/store/group-values.js';
import { searchConditions, searchWords } from '../../src/group/store/text-search.js';
import { sqliteStorage } from '../helpers/storage.js';

async function planOf(sql: string, params: readonly (string | number)[]): Promise<string> {
  const storage = await sqliteStorage();
  try {
    const rows = await storage.read((session) => session.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params));
    return rows.map((row) => row.detail).join('; ');
  } finally {
    await storage.close();
  }
}

describe('the store’s sweeps and gauges on SQLite', () => {
  it('counts groups by service and state from an index alone', async () => {
    const plan = await planOf(COUNTS_BY_STATE, ['groups']);
    assert.match(plan, /USING COVERING INDEX groups_state/, plan);
  });

  it('finds expired samples through the exporter and time index, not a walk of every sample', async () => {
    const plan = await planOf(EXPIRE_SAMPLES, ['groups', 'groups', 1_000, 200]);
    assert.match(plan, /USING (COVERING )?INDEX samples_time \(exporter=\? AND timestamp_ms<\?\)/, plan);
  });

  it('takes eviction candidates from the start of the last-seen index, without a sort', async () => {
    const plan = await planOf(LEAST_RECENTLY_SEEN, ['groups', 10]);
    assert.match(plan, /USING (COVERING )?INDEX groups_last_seen \(exporter=\?\)/, plan);
    assert.doesNotMatch(plan, /TEMP B-TREE/, plan);
  });

  it('finds expired hourly counts through the exporter and hour index', async () => {
    const plan = await planOf(EXPIRE_HOURS, ['groups', 'groups', 1_000, 200]);
    assert.match(plan, /USING (COVERING )?INDEX group_hours_time \(exporter=\? AND hour_ms<\?\)/, plan);
  });

  it('counts a search’s groups from the trigram index and the groups’ key, not a walk of every group', async () => {
    const search = searchConditions('sqlite', 'groups', searchWords('cart empty'));
    const plan = await planOf(`SELECT COUNT(*) AS n FROM groups g WHERE g.exporter = ? AND ${search.where.join(' AND ')}`, ['groups', ...(search.params as (string | number)[])]);
    assert.match(plan, /SCAN group_search VIRTUAL TABLE/, plan);
    assert.match(plan, /SEARCH g USING INDEX sqlite_autoindex_groups_1 \(exporter=\? AND id=\?\)/, plan);
    // Groups waiting for the index (migration 12) are a range of rows, not every row of the exporter.
    assert.match(plan, /SEARCH r USING INTEGER PRIMARY KEY \(rowid>\?\)/, plan);
    assert.doesNotMatch(plan, /group_search_rows_id/, plan);
    const found = await planOf(search.found!.sql, search.found!.params as (string | number)[]);
    assert.match(found, /SEARCH r USING INTEGER PRIMARY KEY \(rowid>\?\)/, found);
    assert.doesNotMatch(found, /group_search_rows_id/, found);
  });

  it('reads the newest filter values of a facet through their index', async () => {
    const plan = await planOf(NEWEST_VALUES, ['groups', 'release', 100]);
    assert.match(plan, /USING INDEX group_values_recent \(exporter=\? AND facet=\?\)/, plan);
    // Values filed at the same millisecond are put in order by value: a sort of those ties only.
    assert.doesNotMatch(plan, /TEMP B-TREE FOR ORDER BY/, plan);
  });
});
