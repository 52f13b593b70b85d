// Error groups and samples as table rows (storage/migrations.ts has the tables) and back. Lists are
// JSON text; flags are 0/1. A group's frames are a row of their own (group_frames), written only
// when they change; queries that show a group join them in as `frames`. A sample's columns are what
// queries need (group, time, trace) and its stack trace, kept out of the JSON body because
// escaping kilobytes of it into JSON cost more than the rest of the body; the rest is one JSON body
// (rows written before schema version 10 have the stack trace in the body).

import type { SqlValue } from '../../storage/storage.js';
import type { StoredGroup, StoredSample } from './group-types.js';

export interface GroupRow {
  readonly exporter: string;
  readonly id: string;
  readonly service: string;
  readonly fingerprint: string;
  readonly type: string;
  readonly title: string;
  readonly culprit: string;
  /** From group_frames, where a query joins it; absent where filing needs no frames. */
  readonly frames?: string | null;
  readonly method: string;
  readonly rule: string;
  readonly fingerprint_version: number;
  readonly first_seen_ms: number;
  readonly last_seen_ms: number;
  readonly count: number;
  readonly releases: string;
  readonly environments: string;
  readonly state: string;
  readonly regressed: number;
  readonly resolved_in_release: string;
  readonly state_changed_at_ms: number;
  readonly group_keys: string;
  readonly merged_ids: string;
  readonly touched_ms: number;
  readonly level: string;
}

export interface SampleRow {
  readonly id: string;
  readonly group_id: string;
  readonly timestamp_ms: number;
  readonly trace_id: string;
  /** NULL in rows written before schema version 10: their body holds it. */
  readonly stacktrace?: string | null;
  readonly body: string;
}

/** The columns of `groups`, in the order groupValues() gives them. */
export const GROUP_COLUMNS = [
  'exporter',
  'id',
  'service',
  'fingerprint',
  'type',
  'title',
  'culprit',
  'method',
  'rule',
  'fingerprint_version',
  'first_seen_ms',
  'last_seen_ms',
  'count',
  'releases',
  'environments',
  'state',
  'regressed',
  'resolved_in_release',
  'state_changed_at_ms',
  'group_keys',
  'merged_ids',
  'touched_ms',
  'level',
] as const;

export function groupValues(exporter: string, group: StoredGroup, touchedMs: number): SqlValue[] {
  return [
    exporter,
    group.id,
    group.service,
    group.fingerprint,
    group.type,
    group.title,
    group.culprit,
    group.method,
    group.rule,
    group.fingerprintVersion,
    group.firstSeenMs,
    group.lastSeenMs,
    group.count,
    JSON.stringify(group.releases),
    JSON.stringify(group.environments),
    group.state,
    group.regressed ? 1 : 0,
    group.resolvedInRelease,
    group.stateChangedAtMs,
    JSON.stringify(group.keys),
    JSON.stringify(group.mergedIds),
    touchedMs,
    // Groups imported from an older groups.json have none.
    group.level ?? 'error',
  ];
}

/** The values of group-store.ts's COUNT_INTO_GROUP: what counting events into a group changes. */
export function countedValues(exporter: string, group: StoredGroup, touchedMs: number): SqlValue[] {
  return [group.lastSeenMs, group.count, JSON.stringify(group.releases), JSON.stringify(group.environments), touchedMs, group.level ?? 'error', exporter, group.id];
}

/** The group of a row; its samples are filled in only where asked for. */
export function groupOfRow(row: GroupRow, samples: StoredSample[] = []): StoredGroup {
  return {
    id: row.id,
    keys: JSON.parse(row.group_keys) as string[],
    service: row.service,
    fingerprint: row.fingerprint,
    type: row.type,
    title: row.title,
    culprit: row.culprit,
    frames: row.frames == null ? [] : (JSON.parse(row.frames) as StoredGroup['frames']),
    method: row.method as StoredGroup['method'],
    rule: row.rule,
    fingerprintVersion: Number(row.fingerprint_version),
    level: row.level as StoredGroup['level'],
    firstSeenMs: Number(row.first_seen_ms),
    lastSeenMs: Number(row.last_seen_ms),
    count: Number(row.count),
    releases: JSON.parse(row.releases) as string[],
    environments: JSON.parse(row.environments) as string[],
    samples,
    state: row.state as StoredGroup['state'],
    regressed: Number(row.regressed) === 1,
    resolvedInRelease: row.resolved_in_release,
    stateChangedAtMs: Number(row.state_changed_at_ms),
    mergedIds: JSON.parse(row.merged_ids) as string[],
  };
}

/** The group_frames row of a group: written when it opens and when its culprit changes. */
export const UPSERT_FRAMES = 'INSERT INTO group_frames (exporter, group_id, frames) VALUES (?, ?, ?) ON CONFLICT (exporter, group_id) DO UPDATE SET frames = excluded.frames';

export function framesValues(exporter: string, group: StoredGroup): SqlValue[] {
  return [exporter, group.id, JSON.stringify(group.frames)];
}

type SampleBody = Omit<StoredSample, 'id' | 'timestampMs' | 'traceId' | 'stacktrace'>;

/** Inserts a sample; sampleValues() gives the values. An event delivered twice is stored once. */
export const INSERT_SAMPLE =
  'INSERT INTO samples (exporter, id, group_id, timestamp_ms, trace_id, stacktrace, body) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (exporter, id) DO NOTHING';

/** A sample as its row holds it, but for its group: what filing a batch sends to the storage's thread (file-batch.ts). */
export interface SampleColumns {
  readonly id: string;
  readonly timestampMs: number;
  readonly traceId: string;
  readonly stacktrace: string;
  /** The rest, as JSON. */
  readonly body: string;
}

export function sampleColumns(sample: StoredSample): SampleColumns {
  const { id, timestampMs, traceId, stacktrace, ...body } = sample;
  return { id, timestampMs, traceId, stacktrace, body: JSON.stringify(body satisfies SampleBody) };
}

export function sampleValues(exporter: string, groupId: string, sample: SampleColumns): SqlValue[] {
  return [exporter, sample.id, groupId, sample.timestampMs, sample.traceId, sample.stacktrace, sample.body];
}

export function sampleOfRow(row: SampleRow): StoredSample {
  const body = JSON.parse(row.body) as SampleBody & { stacktrace?: string };
  return { id: row.id, timestampMs: Number(row.timestamp_ms), traceId: row.trace_id, ...body, stacktrace: row.stacktrace ?? body.stacktrace ?? '' };
}
