// The error group store: error events in, issues out, kept in the storage service.storage names
// (SQLite by default, PostgreSQL for replicas; src/storage/). Each event lands in the group of its
// service and fingerprint (`event.grouping`, set by the `group` processor; a stand-in of service +
// type + message when it is absent), which keeps counts, first and last seen, the releases and
// environments seen, the culprit of the latest event with frames and the frames of the event that
// set it (a row of their own, rewritten only when the culprit changes), and its latest samples.
// Nothing but a small cache of recent group ids lives in memory: groups and samples are rows.
//
// record() files a batch in one transaction. Per group key it reads the group with a row lock
// (PostgreSQL: replicas filing the same group wait for each other, so exactly one opens it and
// exactly one announces its regression), applies the batch's events in order, and writes the group
// once; keys are taken in sorted order, so two replicas never deadlock. New and regressed groups
// are announced on `signals` after the commit.
//
// Bounds (exporters.groups): at most `max_groups` groups per exporter, the least recently seen
// (by their events' time) evicted at the end of the batch that passed it (never a group of that batch); `samples_per_group`
// samples per group, the newest by time (fewer when the `sample` processor set keepSample false: the
// event still counts), each message and stack trace cut at `max_sample_bytes`;
// `max_releases_per_group` releases (the least recently seen go), `max_environments_per_group`
// environments (the first seen stay); SAMPLE_ATTRIBUTES attributes per sample. An evicted group seen
// again is new again. Samples older than `sample_retention`, and the hourly counts of the charts and
// the facet values (group-values.ts) older than 14 days (event-hours.ts), are deleted by expireSamples().
//
// Fingerprint versions: an event whose fingerprint has no group yet, but one of whose
// `previousFingerprints` (what earlier fingerprint versions gave it) has, files into that group and
// adds its new fingerprint to the group's keys, so groups keep their ids (and state, counts and
// links) across an upgrade that changed how fingerprints are computed.
//
// Merges: after B is merged into A, B's keys route to A, so new B events land in A, and B's id stays
// an alias of A (A keeps at most MERGED_IDS of them, and they go when A is evicted) so links to B
// still lead somewhere. API mutations commit before they resolve, and reject with GroupStoreError
// (400/404) for a bad request; storage failures reject with StorageError.

import type { ErrorEvent } from '../../extract/error-event.js';
import type { Clock } from '../../internal/clock.js';
import type { AttributeValue } from '../../otlp/types.js';
import { LruCache } from '../../internal/lru-cache.js';
import { inChunks, type SqlSession, type SqlValue, type Storage } from '../../storage/storage.js';
import type { Grouping } from '../grouping.js';
import type { GroupSignals } from '../signals.js';
import { eventIdOf, fallbackGrouping, groupKeyOf } from './event-id.js';
import { GROUP_FRAMES, MERGED_IDS, SAMPLE_ATTRIBUTE_CHARS, SAMPLE_ATTRIBUTES, type ErrorGroup, type GroupState, type StoredGroup, type StoredSample, type StoreLimits } from './group-types.js';
import { groupOfRow, groupValues, sampleColumns, sampleOfRow, type GroupRow, type SampleRow } from './group-rows.js';
import { expireHours, hoursOf, HOURS_KEPT_MS, moveHours, type HourCount } from './event-hours.js';
import { BARE_ROW, FILE_BATCH, keyedRow, noteFirst, noteRecent, trimSamples, UPSERT_GROUP, type FilingEvent, type FilingGrouping, type FilingInput, type FramesAnswer, type FramesQuestion } from './file-batch.js';
import { newestRelease } from './releases.js';
import { indexWaitingGroups, SEARCH_INDEX_BATCH, searchConditions, searchWords } from './text-search.js';
import { createValueNotes, FACETS, type Facet, type FacetValue } from './group-values.js';

export { LEAST_RECENTLY_SEEN } from './file-batch.js';
export { GROUP_FRAMES, GROUP_STATES, MERGED_IDS, SAMPLE_ATTRIBUTE_CHARS, SAMPLE_ATTRIBUTES, type ErrorGroup, type GroupState, type StoredGroup, type StoredSample, type StoreLimits } from './group-types.js';

/** What the store tells its metrics, after each commit. */
export interface GroupStoreObserver {
  newGroup(service: string): void;
  /** One event counted into `group`. */
  counted(group: { readonly service: string; readonly id: string }, traceId: string): void;
  regressed(service: string): void;
  evicted(count: number): void;
}

export class GroupStoreError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

/** A page of the groups API's list. */
export interface GroupQuery {
  readonly service?: string;
  readonly environment?: string;
  readonly state?: GroupState;
  readonly fingerprint?: string;
  /** A release the group was seen in (of the latest max_releases_per_group). */
  readonly release?: string;
  /** The level of the group's latest event. */
  readonly level?: string;
  /** Words, each in the title or culprit, case-insensitive (ASCII on SQLite; text-search.ts). */
  readonly text?: string;
  readonly sinceMs?: number;
  readonly sort: 'last_seen' | 'first_seen' | 'count';
  readonly limit: number;
  readonly offset: number;
}

export interface FoundSample {
  readonly group: ErrorGroup;
  readonly sample: StoredSample;
}

export interface GroupStore {
  /** Files each event into its group in one transaction, then emits new_group / regression signals. Rejects only with StorageError. */
  record(events: readonly ErrorEvent[]): Promise<void>;
  /** A group with its samples (oldest first). */
  get(id: string): Promise<ErrorGroup | undefined>;
  /** The group an id merged away now belongs to; undefined for any other id. */
  mergedInto(id: string): Promise<ErrorGroup | undefined>;
  /** The group (service, fingerprint) files into, following merges (without samples). */
  groupOf(service: string, fingerprint: string): Promise<ErrorGroup | undefined>;
  /** One page of groups matching `query` (without samples and frames), and how many match in all. */
  list(query: GroupQuery): Promise<{ readonly groups: readonly ErrorGroup[]; readonly total: number }>;
  /** The values of each facet events carried in the last 14 days, the most recently seen first, at most `limit` each. */
  facets(limit: number): Promise<{ readonly [F in Facet]: readonly FacetValue[] }>;
  /** Events per hour and release of `ids` from `fromMs` on (at most the last 14 days), oldest first. */
  hours(ids: readonly string[], fromMs: number): Promise<readonly HourCount[]>;
  /** Stored samples of one trace (lower-case hex), newest first, at most `limit`; `total` counts all. */
  traceSamples(traceId: string, limit: number): Promise<{ readonly total: number; readonly samples: readonly FoundSample[] }>;
  /** A stored sample event by id, with its group. */
  event(id: string): Promise<FoundSample | undefined>;
  /** The newest stored samples of every group, at most `limit`, each with its group (for the grouping preview). */
  recentSamples(limit: number): Promise<readonly FoundSample[]>;
  /** resolve / ignore / unresolve (an id merged away acts on its group). `inRelease` (resolve only) defaults to the newest release seen. */
  setState(id: string, state: GroupState, inRelease?: string): Promise<ErrorGroup>;
  /** Moves `sourceId` into `targetId` (either may be an id merged away): counts add up, and the source's keys and id route to the target. */
  merge(sourceId: string, targetId: string): Promise<ErrorGroup>;
  /** Groups of this store. */
  size(): Promise<number>;
  /** How many groups each service has in each state. */
  countsByState(): Promise<{ readonly service: string; readonly state: GroupState; readonly count: number }[]>;
  /**
   * Deletes samples taken before `beforeMs` (none when undefined) and hourly counts and filter values past 14 days,
   * EXPIRE_CHUNK rows per transaction with a turn of the event loop between them; resolves with
   * how many samples went. `stopped` is asked before each chunk; `expired` hears of each chunk's samples.
   */
  expireSamples(beforeMs: number | undefined, options?: { stopped?: () => boolean; expired?: (samples: number) => void }): Promise<number>;
  /** The id (service, fingerprint) filed into lately, from a bounded cache (for alert links); undefined when not cached. */
  knownGroupId(service: string, fingerprint: string): string | undefined;
}

/** Group ids remembered by knownGroupId(). */
export const KNOWN_IDS = 10_000;

/** A group with its frames (a subquery, so that FOR UPDATE locks the group row alone). */
const GROUP_ROW = `SELECT g.*, (SELECT f.frames FROM group_frames f WHERE f.exporter = g.exporter AND f.group_id = g.id) AS frames FROM groups g`;
/** The groups gauge, at every scrape: a walk of the groups_state index, not of the group rows. */
export const COUNTS_BY_STATE = 'SELECT service, state, COUNT(*) AS n FROM groups WHERE exporter = ? GROUP BY service, state';
/**
 * Rows the retention sweep deletes per transaction. A start after a long stop may find every
 * sample expired: deleting 500,000 in one statement held the event loop for 30 s.
 */
export const EXPIRE_CHUNK = 200;
/** One step of the retention sweep: reads samples_time from its cut, so only the samples it deletes. */
export const EXPIRE_SAMPLES = 'DELETE FROM samples WHERE exporter = ? AND id IN (SELECT id FROM samples WHERE exporter = ? AND timestamp_ms < ? LIMIT ?)';

/** A search that the index found at most this many groups for sorts them instead of walking the list's index (list()). */
const SORT_FOUND_UP_TO = 5_000;

/** How long a count of the groups is trusted (see evict()). */
const RECOUNT_AFTER_MS = 1_000;

export function createGroupStore(options: {
  storage: Storage;
  /** The groups exporter's id: several exporters share one storage, each with its own groups. */
  exporter: string;
  limits: StoreLimits;
  clock: Clock;
  signals?: GroupSignals;
  observer?: GroupStoreObserver;
  /** On SQLite, how many opened groups wait before the store takes them into the search index (default SEARCH_INDEX_BATCH; tests use 1). */
  searchIndexAfter?: number;
}): GroupStore {
  const { storage, exporter, limits, clock, signals, observer, searchIndexAfter = SEARCH_INDEX_BATCH } = options;
  const known = new LruCache<string, string>(Math.min(KNOWN_IDS, limits.maxGroups));
  const values = createValueNotes(exporter);

  async function groupRow(sql: SqlSession, id: string, lock = false): Promise<GroupRow | undefined> {
    return sql.one<GroupRow>(`${GROUP_ROW} WHERE g.exporter = ? AND g.id = ?${lock ? storage.forUpdate : ''}`, [exporter, id]);
  }

  async function samplesOf(sql: SqlSession, id: string): Promise<StoredSample[]> {
    const rows = await sql.all<SampleRow>('SELECT * FROM samples WHERE exporter = ? AND group_id = ? ORDER BY timestamp_ms, id', [exporter, id]);
    return rows.map(sampleOfRow);
  }

  /** The group `id` names, its own or as an id merged into it; null when none. */
  async function resolve(sql: SqlSession, id: string, lock = false): Promise<StoredGroup | null> {
    const own = await groupRow(sql, id, lock);
    if (own !== undefined) return groupOfRow(own);
    const alias = await sql.one<{ group_id: string }>('SELECT group_id FROM group_aliases WHERE exporter = ? AND alias_id = ?', [exporter, id]);
    if (alias === undefined) return null;
    const row = await groupRow(sql, alias.group_id, lock);
    return row === undefined ? null : groupOfRow(row);
  }

  async function mustResolve(sql: SqlSession, id: string, field = ''): Promise<StoredGroup> {
    const group = await resolve(sql, id, true);
    if (group === null) throw new GroupStoreError(field === '' ? 404 : 400, `${field}no group with id "${id}"`);
    return group;
  }

  async function withSamples(sql: SqlSession, group: StoredGroup): Promise<StoredGroup> {
    group.samples = await samplesOf(sql, group.id);
    return group;
  }

  /** Each sample row with its group (read once per group); rows of a group gone meanwhile are left out. */
  async function withGroups(sql: SqlSession, rows: readonly SampleRow[]): Promise<FoundSample[]> {
    const found: FoundSample[] = [];
    const groups = new Map<string, StoredGroup | undefined>();
    for (const row of rows) {
      if (!groups.has(row.group_id)) {
        const groupRowFound = await groupRow(sql, row.group_id);
        groups.set(row.group_id, groupRowFound === undefined ? undefined : groupOfRow(groupRowFound));
      }
      const group = groups.get(row.group_id);
      if (group !== undefined) found.push({ group, sample: sampleOfRow(row) });
    }
    return found;
  }

  // Counting the groups scans an index (5–10 ms at 100,000 groups), so a batch that stays within
  // max_groups by the last count plus the groups opened since skips it. On PostgreSQL the count is
  // taken again once RECOUNT_AFTER_MS have passed, which is when other replicas' groups show. On
  // SQLite this store is the only writer of its groups, and what lowers their number without it
  // counting (a merge) only makes the estimate high, so it counts again only past max_groups.
  let groupsCounted: number | undefined;
  let countedAtMs = 0;

  /** Once searchIndexAfter groups wait, takes up to SEARCH_INDEX_BATCH into the search index, in a transaction of their own (SQLite). */
  async function indexWhenDue(waiting: number): Promise<void> {
    if (waiting < searchIndexAfter) return;
    try {
      await storage.transaction((sql) => indexWaitingGroups(sql, SEARCH_INDEX_BATCH));
    } catch {
      // The batch is committed: a failure here must not fail record() (its events would be sent
      // again). The groups keep waiting, found by the LIKEs, and the next batch tries again; the
      // storage component counts the failed unit.
    }
  }

  return {
    async record(events) {
      if (events.length === 0) return;
      // The task's input is plain data (file-batch.ts): each event reduced to what filing reads,
      // with its sample cut here, and each key's events as indexes. Frames stay here until the
      // task asks for them (answerFrames).
      const byKey = new Map<string, { service: string; grouping: FilingGrouping; events: number[] }>();
      /** Each event's own grouping, or else its key's: what sets its culprit and frames. */
      const groupings: Grouping[] = [];
      const filing: FilingEvent[] = [];
      for (const [index, event] of events.entries()) {
        const grouping = event.grouping ?? fallbackGrouping(event);
        const key = groupKeyOf(event.service, grouping.fingerprint);
        let entry = byKey.get(key);
        if (entry === undefined) {
          const { frames: _frames, ...withoutFrames } = grouping;
          entry = { service: event.service, grouping: withoutFrames, events: [] };
          byKey.set(key, entry);
          groupings.push(grouping);
        } else {
          groupings.push(event.grouping ?? groupings[entry.events[0]!]!);
        }
        entry.events.push(index);
        filing.push(filingEvent(event, groupings[index]!.culprit, limits));
      }
      const answerFrames = (indexes: FramesQuestion): FramesAnswer => indexes.map((index) => JSON.stringify(groupings[index]!.frames.slice(-GROUP_FRAMES)));
      const nowMs = clock.now();
      const dueValues = values.due(events, nowMs);
      const input: FilingInput = {
        exporter,
        limits: {
          maxGroups: limits.maxGroups,
          samplesPerGroup: limits.samplesPerGroup,
          maxSampleBytes: limits.maxSampleBytes,
          maxReleasesPerGroup: limits.maxReleasesPerGroup,
          maxEnvironmentsPerGroup: limits.maxEnvironmentsPerGroup,
        },
        engine: storage.engine,
        nowMs,
        events: filing,
        keys: [...byKey.keys()].sort().map((key) => ({ key, ...byKey.get(key)! })),
        values: dueValues,
        groupsCounted,
        // On SQLite this store is the only writer of its groups (see above).
        countFresh: storage.engine === 'sqlite' || nowMs - countedAtMs < RECOUNT_AFTER_MS,
      };
      const outcome = await storage.task(FILE_BATCH, input, answerFrames);
      values.remember(dueValues, nowMs);
      // Only after the commit: a batch rolled back opened nothing.
      if (outcome.evicted.left !== undefined) {
        groupsCounted = outcome.evicted.left;
        countedAtMs = clock.now();
      } else {
        groupsCounted! += outcome.opened;
      }
      if (outcome.evicted.groups > 0) {
        for (const key of outcome.evicted.keys) known.delete(key);
        observer?.evicted(outcome.evicted.groups);
      }
      for (const { key, id } of outcome.filed) known.set(key, id);
      for (const counted of outcome.counted) observer?.counted(counted, counted.traceId);
      for (const { kind, groupId, service, fingerprint, title, event } of outcome.signals) {
        if (kind === 'new_group') observer?.newGroup(service);
        else observer?.regressed(service);
        signals?.emit({ kind, groupId, fingerprint, title, event: events[event]! });
      }
      await indexWhenDue(outcome.waiting);
    },

    get: (id) =>
      storage.read(async (sql) => {
        const row = await groupRow(sql, id);
        return row === undefined ? undefined : withSamples(sql, groupOfRow(row));
      }),

    mergedInto: (id) =>
      storage.read(async (sql) => {
        const alias = await sql.one<{ group_id: string }>('SELECT group_id FROM group_aliases WHERE exporter = ? AND alias_id = ?', [exporter, id]);
        if (alias === undefined) return undefined;
        const row = await groupRow(sql, alias.group_id);
        return row === undefined ? undefined : groupOfRow(row);
      }),

    groupOf: (service, fingerprint) =>
      storage.read(async (sql) => {
        const row = await keyedRow(sql, exporter, GROUP_ROW, service, fingerprint);
        return row === undefined ? undefined : groupOfRow(row);
      }),

    list: (query) =>
      storage.read(async (sql) => {
        const where = ['g.exporter = ?'];
        const params: SqlValue[] = [exporter];
        if (query.service !== undefined) (where.push('g.service = ?'), params.push(query.service));
        if (query.state !== undefined) (where.push('g.state = ?'), params.push(query.state));
        if (query.sinceMs !== undefined) (where.push('g.last_seen_ms >= ?'), params.push(query.sinceMs));
        if (query.environment !== undefined) (where.push(storage.jsonHas('g.environments')), params.push(query.environment));
        if (query.release !== undefined) (where.push(storage.jsonHas('g.releases')), params.push(query.release));
        if (query.level !== undefined) (where.push('g.level = ?'), params.push(query.level));
        const search = searchConditions(storage.engine, exporter, searchWords(query.text));
        (where.push(...search.where), params.push(...search.params));
        if (query.fingerprint !== undefined) {
          where.push('EXISTS (SELECT 1 FROM group_keys k WHERE k.exporter = g.exporter AND k.group_id = g.id AND k.fingerprint = ?)');
          params.push(query.fingerprint);
        }
        const filter = where.join(' AND ');
        const total = Number((await sql.one<{ n: number }>(`SELECT COUNT(*) AS n FROM groups g WHERE ${filter}`, params))?.n ?? 0);
        if (total <= query.offset) return { groups: [], total };
        // Descending, ties by id (descending too, so one index walk backwards serves the page),
        // so pages are stable while nothing changes. A search the index found few groups for reads
        // those and sorts them (`+` keeps SQLite off the sort's index), instead of walking every
        // group in order to meet them.
        const found = search.found === undefined ? undefined : Number((await sql.one<{ n: number }>(search.found.sql, search.found.params))?.n ?? 0);
        const few = found !== undefined && found <= SORT_FOUND_UP_TO ? '+' : '';
        const order = `${few}${{ count: 'g.count', first_seen: 'g.first_seen_ms', last_seen: 'g.last_seen_ms' }[query.sort]} DESC, g.id DESC`;
        const rows = await sql.all<GroupRow>(`${BARE_ROW} WHERE ${filter} ORDER BY ${order} LIMIT ? OFFSET ?`, [...params, query.limit, query.offset]);
        return { groups: rows.map((row) => groupOfRow(row)), total };
      }),

    facets: (limit) =>
      storage.read(async (sql) => {
        const found: Partial<Record<Facet, readonly FacetValue[]>> = {};
        for (const facet of FACETS) found[facet] = await values.newest(sql, facet, limit);
        return found as { readonly [F in Facet]: readonly FacetValue[] };
      }),

    hours: (ids, fromMs) => storage.read((sql) => hoursOf(sql, exporter, ids, Math.max(fromMs, clock.now() - HOURS_KEPT_MS))),

    traceSamples: (traceId, limit) =>
      storage.read(async (sql) => {
        const total = await sql.one<{ n: number }>('SELECT COUNT(*) AS n FROM samples WHERE trace_id = ? AND exporter = ?', [traceId, exporter]);
        const rows = await sql.all<SampleRow>('SELECT * FROM samples WHERE trace_id = ? AND exporter = ? ORDER BY timestamp_ms DESC, id LIMIT ?', [
          traceId,
          exporter,
          limit,
        ]);
        return { total: Number(total?.n ?? 0), samples: await withGroups(sql, rows) };
      }),

    recentSamples: (limit) =>
      storage.read(async (sql) =>
        withGroups(sql, await sql.all<SampleRow>('SELECT * FROM samples WHERE exporter = ? ORDER BY timestamp_ms DESC, id LIMIT ?', [exporter, limit])),
      ),

    event: (id) =>
      storage.read(async (sql) => {
        const row = await sql.one<SampleRow>('SELECT * FROM samples WHERE exporter = ? AND id = ?', [exporter, id]);
        if (row === undefined) return undefined;
        const group = await groupRow(sql, row.group_id);
        return group === undefined ? undefined : { group: groupOfRow(group), sample: sampleOfRow(row) };
      }),

    setState: (id, state, inRelease) =>
      storage.transaction(async (sql) => {
        const group = await mustResolve(sql, id);
        group.resolvedInRelease = state === 'resolved' ? (inRelease ?? newestRelease(group.releases)) : '';
        group.state = state;
        group.regressed = false;
        group.stateChangedAtMs = clock.now();
        await sql.run('UPDATE groups SET state = ?, regressed = 0, resolved_in_release = ?, state_changed_at_ms = ? WHERE exporter = ? AND id = ?', [
          group.state,
          group.resolvedInRelease,
          group.stateChangedAtMs,
          exporter,
          group.id,
        ]);
        return withSamples(sql, group);
      }),

    async merge(sourceId, targetId) {
      if (sourceId === targetId) throw new GroupStoreError(400, 'merge_into: a group cannot be merged into itself');
      const merged = await storage.transaction(async (sql) => {
        const source = await mustResolve(sql, sourceId);
        const target = await mustResolve(sql, targetId, 'merge_into: ');
        if (source.id === target.id) throw new GroupStoreError(400, `merge_into: "${sourceId}" was already merged into "${target.id}"`);
        target.mergedIds.push(source.id, ...source.mergedIds);
        for (const dropped of target.mergedIds.splice(0, Math.max(0, target.mergedIds.length - MERGED_IDS))) {
          await sql.run('DELETE FROM group_aliases WHERE exporter = ? AND alias_id = ?', [exporter, dropped]);
        }
        target.keys.push(...source.keys);
        target.count += source.count;
        target.firstSeenMs = Math.min(target.firstSeenMs, source.firstSeenMs);
        target.lastSeenMs = Math.max(target.lastSeenMs, source.lastSeenMs);
        for (const release of source.releases) noteRecent(target.releases, release, limits.maxReleasesPerGroup);
        for (const environment of source.environments) noteFirst(target.environments, environment, limits.maxEnvironmentsPerGroup);
        for (const table of ['group_keys', 'group_aliases', 'samples']) {
          await sql.run(`UPDATE ${table} SET group_id = ? WHERE exporter = ? AND group_id = ?`, [target.id, exporter, source.id]);
        }
        await sql.run('INSERT INTO group_aliases (exporter, alias_id, group_id) VALUES (?, ?, ?) ON CONFLICT (exporter, alias_id) DO UPDATE SET group_id = excluded.group_id', [
          exporter,
          source.id,
          target.id,
        ]);
        await moveHours(sql, exporter, source.id, target.id);
        await sql.run('DELETE FROM groups WHERE exporter = ? AND id = ?', [exporter, source.id]);
        await sql.run('DELETE FROM group_frames WHERE exporter = ? AND group_id = ?', [exporter, source.id]);
        await trimSamples(sql, exporter, target.id, limits.samplesPerGroup);
        await sql.run(UPSERT_GROUP, groupValues(exporter, target, clock.now()));
        return withSamples(sql, target);
      });
      for (const key of merged.keys) known.set(key, merged.id);
      return merged;
    },

    size: () =>
      storage.read(async (sql) => Number((await sql.one<{ n: number }>('SELECT COUNT(*) AS n FROM groups WHERE exporter = ?', [exporter]))?.n ?? 0)),

    countsByState: () =>
      storage.read(async (sql) => {
        const rows = await sql.all<{ service: string; state: GroupState; n: number }>(COUNTS_BY_STATE, [exporter]);
        return rows.map((row) => ({ service: row.service, state: row.state, count: Number(row.n) }));
      }),

    async expireSamples(beforeMs, { stopped = () => false, expired } = {}) {
      const nowMs = clock.now();
      // Filter values: a row per distinct value, few enough for one transaction.
      await storage.transaction((sql) => values.expire(sql, nowMs));
      await inChunks(storage, EXPIRE_CHUNK, (sql) => expireHours(sql, exporter, nowMs - HOURS_KEPT_MS, EXPIRE_CHUNK), { stopped });
      if (beforeMs === undefined) return 0;
      return inChunks(storage, EXPIRE_CHUNK, (sql) => sql.run(EXPIRE_SAMPLES, [exporter, exporter, beforeMs, EXPIRE_CHUNK]), { stopped, handled: expired });
    },

    knownGroupId: (service, fingerprint) => known.get(groupKeyOf(service, fingerprint)),
  };
}

/** `event` as filing reads it (file-batch.ts), with its sample when the group should keep one. */
function filingEvent(event: ErrorEvent, culprit: string, limits: StoreLimits): FilingEvent {
  const { service, type, level, timestampMs, serviceVersion, environment, traceId } = event;
  const keep = limits.samplesPerGroup > 0 && event.keepSample !== false;
  return { service, type, level, timestampMs, serviceVersion, environment, traceId, culprit, sample: keep ? sampleColumns(sampleOf(event, eventIdOf(event), limits.maxSampleBytes)) : undefined };
}

function sampleOf(event: ErrorEvent, id: string, maxBytes: number): StoredSample {
  return {
    id,
    timestampMs: event.timestampMs,
    source: event.source,
    level: event.level,
    environment: event.environment,
    release: event.serviceVersion,
    traceId: event.traceId,
    spanId: event.spanId,
    message: cut(event.message, maxBytes),
    stacktrace: cut(event.stacktrace, maxBytes),
    handled: event.handled,
    spanName: event.spanName,
    httpMethod: event.httpMethod,
    httpRoute: event.httpRoute,
    httpStatusCode: event.httpStatusCode,
    urlPath: event.urlPath,
    attributes: attributesOf(event),
  };
}

function attributesOf(event: ErrorEvent): Record<string, string> {
  const kept: Record<string, string> = {};
  let count = 0;
  for (const [key, value] of event.attributes) {
    if (count++ >= SAMPLE_ATTRIBUTES) break;
    kept[key] = cut(asText(value), SAMPLE_ATTRIBUTE_CHARS);
  }
  return kept;
}

function asText(value: AttributeValue): string {
  if (typeof value === 'string') return value;
  if (value === null) return '';
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'object') return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
  return String(value);
}

/** Cuts at `max` characters (a byte bound for ASCII, and never more than 4× it otherwise). */
function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more characters cut]`;
}
