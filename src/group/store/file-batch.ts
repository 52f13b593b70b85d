// Filing a batch of events into their groups: the one unit of the groups store that runs at every
// batch, so it is a storage Task (storage.ts): on SQLite the whole unit is one message to the
// engine's thread, where its statements run off the event loop (a message per statement would cost
// ~25 µs of CPU each, a dozen per event). Everything it needs comes in its input, as plain data:
// the store's exporter and limits, the events reduced to what filing reads (with their samples,
// cut on the main thread), the facet values due to be written, and the store's estimate of its
// group count. What it did comes back as plain data too; group-store.ts tells observers and
// signals after the commit. What filing does is described at the top of group-store.ts.
//
// Frames are not in the input. A group's frames are written only when it opens or its culprit
// changes, and as objects 100 frames cost more to send to another thread than all the rest of an
// event (~50 µs to serialise, twice that to read back); even as JSON, stringifying them for every
// event cost ~40 µs. So the task first finds every key's group, works out from the culprits alone
// which event's frames each group will keep, and asks the caller for those (FramesQuestion), once
// per batch and only when some are needed: in steady running, never.

import { SQL_DIALECTS, StorageError, type SqlSession, type Storage, type Task } from '../../storage/storage.js';
import type { ErrorEvent } from '../../extract/error-event.js';
import type { Grouping } from '../grouping.js';
import { groupIdOf, groupKeyOf } from './event-id.js';
import { countHours } from './event-hours.js';
import { countedValues, GROUP_COLUMNS, groupOfRow, groupValues, INSERT_SAMPLE, sampleValues, UPSERT_FRAMES, type GroupRow, type SampleColumns } from './group-rows.js';
import type { StoredGroup, StoreLimits } from './group-types.js';
import { writeValues } from './group-values.js';
import { decideSignal } from './signal-decision.js';
import { mergeSearchIndex, unindexedGroups } from './text-search.js';

/** An event as filing reads it. */
export interface FilingEvent extends Pick<ErrorEvent, 'service' | 'type' | 'level' | 'timestampMs' | 'serviceVersion' | 'environment' | 'traceId'> {
  /** The culprit of the event's grouping (its own, or else its key's). */
  readonly culprit: string;
  /** Its sample, when the group should keep one. */
  readonly sample?: SampleColumns;
}

/** A key's grouping (that of its first event), without its frames. */
export type FilingGrouping = Omit<Grouping, 'frames'>;

/** Indexes of events whose frames (the last GROUP_FRAMES of their grouping's, as JSON) the task needs; answered in the same order. */
export type FramesQuestion = readonly number[];
export type FramesAnswer = readonly string[];

export interface FilingInput {
  readonly exporter: string;
  readonly limits: StoreLimits;
  readonly engine: Storage['engine'];
  readonly nowMs: number;
  readonly events: readonly FilingEvent[];
  /** Per group key, in sorted order (so replicas never deadlock): its service, grouping, and its events (indexes into `events`). */
  readonly keys: readonly { readonly key: string; readonly service: string; readonly grouping: FilingGrouping; readonly events: readonly number[] }[];
  /** Facet values to write (group-values.ts). */
  readonly values: readonly string[];
  /** The groups counted lately plus those opened since, if counted; and whether that count is fresh enough to trust (evict()). */
  readonly groupsCounted: number | undefined;
  readonly countFresh: boolean;
}

export interface FilingOutcome {
  /** New and regressed groups, each with the index of the event that announced it. */
  readonly signals: { kind: 'new_group' | 'regression'; groupId: string; service: string; fingerprint: string; title: string; event: number }[];
  readonly counted: { service: string; id: string; traceId: string }[];
  readonly filed: { key: string; id: string }[];
  /** Groups this batch opened. */
  opened: number;
  /** On SQLite, when the batch opened groups: how many groups wait for the search index, these among them. */
  waiting: number;
  evicted: { groups: number; keys: string[]; left?: number };
}

export const FILE_BATCH: Task<FilingInput, FilingOutcome, FramesQuestion, FramesAnswer> = { module: import.meta.url, name: 'fileBatch' };

/** A group without its frames: what filing an event and the list read. */
export const BARE_ROW = `SELECT g.* FROM groups g`;
export const UPSERT_GROUP = `INSERT INTO groups (${GROUP_COLUMNS.join(', ')}) VALUES (${GROUP_COLUMNS.map(() => '?').join(', ')})
  ON CONFLICT (exporter, id) DO UPDATE SET ${GROUP_COLUMNS.filter((c) => c !== 'exporter' && c !== 'id')
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}`;
/**
 * What filing an event into an existing group changes, most of the time: written instead of
 * UPSERT_GROUP when nothing else did, it leaves the indexes on state and first_seen_ms and the
 * search index's trigger alone.
 */
const COUNT_INTO_GROUP = 'UPDATE groups SET last_seen_ms = ?, count = ?, releases = ?, environments = ?, touched_ms = ?, level = ? WHERE exporter = ? AND id = ?';
/** The newest sample past the ones a group keeps (none while it keeps fewer): an index walk of samples_per_group + 1 rows. */
const FIRST_TRIMMED = 'SELECT timestamp_ms, id FROM samples WHERE exporter = ? AND group_id = ? ORDER BY timestamp_ms DESC, id DESC LIMIT 1 OFFSET ?';
const TRIM_FROM = 'DELETE FROM samples WHERE exporter = ? AND group_id = ? AND (timestamp_ms < ? OR (timestamp_ms = ? AND id <= ?))';
/** Eviction's candidates, least recently seen first: the start of the groups_last_seen index. */
export const LEAST_RECENTLY_SEEN = 'SELECT id FROM groups WHERE exporter = ? ORDER BY last_seen_ms, id LIMIT ?';

/** The row (`select`: a group row query) of the group that (service, fingerprint) files into, row-locked when `lock` is the engine's FOR UPDATE. */
export function keyedRow(sql: SqlSession, exporter: string, select: string, service: string, fingerprint: string, lock = ''): Promise<GroupRow | undefined> {
  return sql.one<GroupRow>(
    `${select} JOIN group_keys k ON k.exporter = g.exporter AND k.group_id = g.id
     WHERE k.exporter = ? AND k.service = ? AND k.fingerprint = ?${lock}`,
    [exporter, service, fingerprint],
  );
}

/** Deletes the samples of group `id` past the newest `keep`. */
export async function trimSamples(sql: SqlSession, exporter: string, id: string, keep: number): Promise<void> {
  const cut = await sql.one<{ timestamp_ms: number; id: string }>(FIRST_TRIMMED, [exporter, id, keep]);
  if (cut !== undefined) await sql.run(TRIM_FROM, [exporter, id, cut.timestamp_ms, cut.timestamp_ms, cut.id]);
}

/** Adds `value` as the most recent, dropping the least recent past `max`. */
export function noteRecent(values: string[], value: string, max: number): void {
  if (values[values.length - 1] === value) return;
  const at = values.indexOf(value);
  if (at >= 0) values.splice(at, 1);
  values.push(value);
  if (values.length > max) values.splice(0, values.length - max);
}

/** Adds `value` unless known or `max` are already kept. */
export function noteFirst(values: string[], value: string, max: number): void {
  if (values.length < max && !values.includes(value)) values.push(value);
}

/** The task: files every key's events, evicts past max_groups, writes the facet values, and merges a step of the search index. */
export async function fileBatch(sql: SqlSession, input: FilingInput, ask: (question: FramesQuestion) => Promise<FramesAnswer>): Promise<FilingOutcome> {
  const { exporter, limits, engine, nowMs, events } = input;
  const forUpdate = SQL_DIALECTS[engine].forUpdate;
  const outcome: FilingOutcome = { signals: [], counted: [], filed: [], opened: 0, waiting: 0, evicted: { groups: 0, keys: [] } };

  /** Ids this batch gave groups it opened: their rows are written after every key has its group. */
  const chosen = new Set<string>();
  async function unusedId(key: string): Promise<string> {
    const id = await freeId(key);
    chosen.add(id);
    return id;
  }
  async function freeId(key: string): Promise<string> {
    for (let length = 12; length < 64; length += 4) {
      const id = groupIdOf(key, length);
      if (chosen.has(id)) continue;
      const taken = await sql.one(
        'SELECT 1 AS taken FROM groups WHERE exporter = ? AND id = ? UNION ALL SELECT 1 FROM group_aliases WHERE exporter = ? AND alias_id = ?',
        [exporter, id, exporter, id],
      );
      if (taken === undefined) return id;
    }
    return groupIdOf(key, 64);
  }

  /** Deletes a group with its keys, aliases and samples; resolves with the keys that routed to it. */
  async function deleteGroup(id: string): Promise<string[]> {
    const keys = await sql.all<{ service: string; fingerprint: string }>('SELECT service, fingerprint FROM group_keys WHERE exporter = ? AND group_id = ?', [exporter, id]);
    for (const table of ['group_keys', 'group_aliases', 'samples', 'group_frames', 'group_hours']) await sql.run(`DELETE FROM ${table} WHERE exporter = ? AND group_id = ?`, [exporter, id]);
    await sql.run('DELETE FROM groups WHERE exporter = ? AND id = ?', [exporter, id]);
    return keys.map((key) => groupKeyOf(key.service, key.fingerprint));
  }

  /**
   * The group `key` files into, locked; opened (and its key claimed) when there is none. `rekeyed`:
   * found by a previous fingerprint, so its keys and fingerprint version changed.
   */
  async function groupForKey(key: string, service: string, grouping: FilingGrouping, first: FilingEvent): Promise<{ group: StoredGroup; opened: boolean; rekeyed?: boolean }> {
    const find = () => keyedRow(sql, exporter, BARE_ROW, service, grouping.fingerprint, forUpdate);
    const row = await find();
    if (row !== undefined) return { group: groupOfRow(row), opened: false };
    const upgraded = await groupOfPreviousFingerprint(service, grouping, key);
    if (upgraded !== undefined) return { group: upgraded, opened: false, rekeyed: true };
    const id = await unusedId(key);
    // On PostgreSQL a replica opening the same key waits here for the other's commit, then claims nothing.
    const claimed = await sql.run('INSERT INTO group_keys (exporter, service, fingerprint, group_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', [
      exporter,
      service,
      grouping.fingerprint,
      id,
    ]);
    if (claimed === 1) return { group: newGroup(id, key, first, grouping), opened: true };
    const other = await find();
    if (other === undefined) throw new StorageError(`group key of ${service} claimed by another writer, but its group is missing`);
    return { group: groupOfRow(other), opened: false };
  }

  /** The group a previous fingerprint version of the event opened, locked, with the new key added; undefined when none did. */
  async function groupOfPreviousFingerprint(service: string, grouping: FilingGrouping, key: string): Promise<StoredGroup | undefined> {
    for (const previous of grouping.previousFingerprints ?? []) {
      // Filing needs no frames: the group's stay in group_frames unless its culprit moves.
      const row = await keyedRow(sql, exporter, BARE_ROW, service, previous, forUpdate);
      if (row === undefined) continue;
      const group = groupOfRow(row);
      // Another replica holding the same group lock may have added the key first: then it is there already.
      await sql.run('INSERT INTO group_keys (exporter, service, fingerprint, group_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', [
        exporter,
        service,
        grouping.fingerprint,
        group.id,
      ]);
      if (!group.keys.includes(key)) group.keys.push(key);
      group.fingerprintVersion = grouping.version;
      return group;
    }
    return undefined;
  }

  /** A key with its group, found (or opened) and locked. */
  interface Found {
    readonly key: string;
    readonly events: readonly number[];
    readonly group: StoredGroup;
    readonly opened: boolean;
    readonly rekeyed: boolean;
    /** The event whose frames the group will keep, when this batch sets them. */
    framesFrom?: number;
  }

  /**
   * Which event's frames `found`'s group keeps after this batch, if it sets them: those of the
   * event that opened it, or of the last that changed its culprit (an empty culprit never replaces
   * one). This is the culprit rule of fileKey(), on the culprits alone.
   */
  function framesFrom(found: Found): number | undefined {
    let culprit = found.group.culprit;
    let from = found.opened ? found.events[0] : undefined;
    for (const [at, index] of found.events.entries()) {
      if (found.opened && at === 0) continue;
      const next = events[index]!.culprit;
      if (next !== culprit && (next !== '' || culprit === '')) (culprit = next), (from = index);
    }
    return from;
  }

  async function fileKey(found: Found, framesJson: string | undefined): Promise<void> {
    const { key, group, opened, rekeyed } = found;
    const ofKey = found.events.map((index) => events[index]!);
    if (opened) outcome.opened++;
    const countBefore = group.count;
    const { state: stateBefore, firstSeenMs: firstSeenBefore } = group;
    const fresh: SampleColumns[] = [];
    for (const [at, event] of ofKey.entries()) {
      const first = opened && at === 0;
      const signal = decideSignal(first ? undefined : group, event);
      // The frames are those of the event that set the culprit (framesFrom), written only when it changes.
      if (!first && event.culprit !== group.culprit && (event.culprit !== '' || group.culprit === '')) group.culprit = event.culprit;
      if (signal === 'regression') {
        group.state = 'unresolved';
        group.regressed = true;
      }
      group.count++;
      outcome.counted.push({ service: group.service, id: group.id, traceId: event.traceId });
      if (event.timestampMs >= group.lastSeenMs) {
        group.lastSeenMs = event.timestampMs;
        group.level = event.level;
      }
      if (event.timestampMs < group.firstSeenMs) group.firstSeenMs = event.timestampMs;
      if (event.serviceVersion !== '') noteRecent(group.releases, event.serviceVersion, limits.maxReleasesPerGroup);
      if (event.environment !== '') noteFirst(group.environments, event.environment, limits.maxEnvironmentsPerGroup);
      if (event.sample !== undefined) fresh.push(event.sample);
      if (signal !== undefined) outcome.signals.push({ kind: signal, groupId: group.id, service: group.service, fingerprint: group.fingerprint, title: group.title, event: found.events[at]! });
    }
    const onlyCounted = !opened && !rekeyed && framesJson === undefined && group.state === stateBefore && group.firstSeenMs === firstSeenBefore;
    if (onlyCounted) await sql.run(COUNT_INTO_GROUP, countedValues(exporter, group, nowMs));
    else await sql.run(UPSERT_GROUP, groupValues(exporter, group, nowMs));
    await countHours(sql, exporter, group.id, ofKey, nowMs);
    if (framesJson !== undefined) await sql.run(UPSERT_FRAMES, [exporter, group.id, framesJson]);
    const inserted = fresh.slice(Math.max(0, fresh.length - limits.samplesPerGroup));
    for (const sample of inserted) await sql.run(INSERT_SAMPLE, sampleValues(exporter, group.id, sample));
    // A group never holds more samples than it counted events (merges add both), so one whose count
    // before this batch plus what was inserted stays within samples_per_group has nothing to trim:
    // most groups, which are small, skip the index walk.
    if (inserted.length > 0 && countBefore + inserted.length > limits.samplesPerGroup) await trimSamples(sql, exporter, group.id, limits.samplesPerGroup);
    outcome.filed.push({ key, id: group.id });
  }

  /**
   * Evicts the least recently seen groups past max_groups, sparing those just filed; resolves with
   * the keys that routed to them and the number of groups left, if counted. Counting the groups
   * scans an index (5–10 ms at 100,000 groups), so a batch the store's estimate keeps within
   * max_groups skips it (group-store.ts says when the estimate is trusted).
   */
  async function evict(): Promise<{ groups: number; keys: string[]; left?: number }> {
    const estimate = input.groupsCounted === undefined ? undefined : input.groupsCounted + outcome.opened;
    if (estimate !== undefined && estimate <= limits.maxGroups && input.countFresh) return { groups: 0, keys: [] };
    const row = await sql.one<{ n: number }>('SELECT COUNT(*) AS n FROM groups WHERE exporter = ?', [exporter]);
    const count = Number(row?.n ?? 0);
    const excess = count - limits.maxGroups;
    if (excess <= 0) return { groups: 0, keys: [], left: count };
    const spare = new Set(outcome.filed.map((filed) => filed.id));
    const oldest = await sql.all<{ id: string }>(LEAST_RECENTLY_SEEN, [exporter, excess + spare.size]);
    const victims = oldest.map((candidate) => candidate.id).filter((id) => !spare.has(id)).slice(0, excess);
    const keys: string[] = [];
    for (const id of victims) keys.push(...(await deleteGroup(id)));
    return { groups: victims.length, keys, left: count - victims.length };
  }

  // Every key's group first (locked in the keys' order), then the frames the batch keeps, asked
  // for in one question, then the filing.
  const found: Found[] = [];
  for (const { key, service, grouping, events: indexes } of input.keys) {
    const { group, opened, rekeyed = false } = await groupForKey(key, service, grouping, events[indexes[0]!]!);
    found.push({ key, events: indexes, group, opened, rekeyed });
  }
  for (const each of found) each.framesFrom = framesFrom(each);
  const wanted = found.flatMap((each) => (each.framesFrom === undefined ? [] : [each.framesFrom]));
  const answered = wanted.length === 0 ? [] : await ask(wanted);
  const framesOf = new Map(wanted.map((index, at) => [index, answered[at]]));
  for (const each of found) await fileKey(each, each.framesFrom === undefined ? undefined : framesOf.get(each.framesFrom));
  outcome.evicted = await evict();
  await writeValues(sql, exporter, input.values, nowMs);
  await mergeSearchIndex(sql, engine);
  if (outcome.opened > 0 && engine === 'sqlite') outcome.waiting = await unindexedGroups(sql);
  return outcome;
}

/** A group opened by `event`; its frames are written from `grouping.framesJson`, so `frames` is left empty. */
function newGroup(id: string, key: string, event: FilingEvent, grouping: FilingGrouping): StoredGroup {
  return {
    id,
    keys: [key],
    service: event.service,
    fingerprint: grouping.fingerprint,
    type: event.type,
    title: grouping.title,
    culprit: grouping.culprit,
    frames: [],
    method: grouping.method,
    rule: grouping.rule,
    fingerprintVersion: grouping.version,
    level: event.level,
    firstSeenMs: event.timestampMs,
    lastSeenMs: event.timestampMs,
    count: 0,
    releases: [],
    environments: [],
    samples: [],
    state: 'unresolved',
    regressed: false,
    resolvedInRelease: '',
    stateChangedAtMs: 0,
    mergedIds: [],
  };
}
