// The error group store: error events in, issues out. Each event lands in the group of its
// service and fingerprint (`event.grouping`, set by the `group` processor; a stand-in of service +
// type + message when it is absent), which keeps counts, first and last seen, the releases and
// environments seen, the culprit and frames of the latest event, and its latest sample events.
//
// Bounds (exporters.groups): at most `max_groups` groups, the least recently updated evicted first
// (a Map kept in update order: touching a group moves it to the end); `samples_per_group` samples
// (fewer when the `sample` processor set keepSample false on an event: it still counts), each
// message and stack trace cut at `max_sample_bytes`; `max_releases_per_group` releases (the least
// recently seen go) and `max_environments_per_group` environments (the first seen stay); at most
// SAMPLE_ATTRIBUTES attributes per sample. An evicted group that is seen again is new again.
//
// Signals: decideSignal() (signal-decision.ts) says new_group or regression; the store emits it
// on `signals` after updating the group. Merges: after B is merged into A, B's keys route to A, so
// new B events land in A, and B's id stays an alias of A (A keeps at most MERGED_IDS of them, and
// they go when A is evicted) so links to B still lead somewhere. The store answers the signal bus's
// groupIdOf (which group a service + fingerprint files into now). The store never throws on an
// event; API mutations throw GroupStoreError.
//
// Finding the samples of a trace scans every sample (no index: nothing on the hot path pays for a
// rare API call); at the default bounds, 10,000 groups × 5 samples, one lookup took 5–20 ms on a
// busy 2-core machine (test/group/store/group-store.test.ts prints the figure).

import type { GroupsExporterConfig } from './config.js';
import type { ErrorEvent, ErrorLevel, ErrorSource } from '../../extract/error-event.js';
import type { Clock } from '../../internal/clock.js';
import type { AttributeValue } from '../../otlp/types.js';
import type { Frame, GroupingMethod } from '../grouping.js';
import type { GroupSignals } from '../signals.js';
import { eventIdOf, fallbackGrouping, groupIdOf, groupKeyOf } from './event-id.js';
import { newestRelease } from './releases.js';
import { decideSignal } from './signal-decision.js';

export type GroupState = 'unresolved' | 'resolved' | 'ignored';
export const GROUP_STATES: readonly GroupState[] = ['unresolved', 'resolved', 'ignored'];

/** Attributes kept per sample, and the longest value kept. */
export const SAMPLE_ATTRIBUTES = 32;
export const SAMPLE_ATTRIBUTE_CHARS = 512;
/** Frames kept per group (the culprit's end of the stack). */
export const GROUP_FRAMES = 100;
/** Ids of groups merged into one group that are remembered (the oldest go first). */
export const MERGED_IDS = 100;

export interface StoredSample {
  readonly id: string;
  readonly timestampMs: number;
  readonly source: ErrorSource;
  readonly level: ErrorLevel;
  readonly environment: string;
  readonly release: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly message: string;
  readonly stacktrace: string;
  readonly handled: boolean;
  readonly spanName: string;
  readonly httpMethod: string;
  readonly httpRoute: string;
  readonly httpStatusCode: number;
  readonly urlPath: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** One group as stored and persisted. Mutable inside the store only; readers get it readonly. */
export interface StoredGroup {
  id: string;
  /** Every group key (service \0 fingerprint) that routes here: its own first, then merged ones. */
  keys: string[];
  service: string;
  fingerprint: string;
  type: string;
  title: string;
  culprit: string;
  frames: Frame[];
  method: GroupingMethod;
  rule: string;
  fingerprintVersion: number;
  firstSeenMs: number;
  lastSeenMs: number;
  count: number;
  /** Most recently seen last. */
  releases: string[];
  environments: string[];
  /** Oldest first. */
  samples: StoredSample[];
  state: GroupState;
  /** A resolved group seen again in a newer release; cleared when it is resolved or ignored again. */
  regressed: boolean;
  resolvedInRelease: string;
  /** 0 unless the state was changed through the API. */
  stateChangedAtMs: number;
  /** Ids of the groups merged into this one (directly or not), oldest first; they answer for it. */
  mergedIds: string[];
}

export type ErrorGroup = Readonly<StoredGroup>;

export type StoreLimits = Pick<
  GroupsExporterConfig,
  'maxGroups' | 'samplesPerGroup' | 'maxSampleBytes' | 'maxReleasesPerGroup' | 'maxEnvironmentsPerGroup'
>;

/** What the store tells its metrics. */
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

export interface GroupStore {
  /** Files each event into its group; emits new_group / regression signals. Never throws. */
  record(events: readonly ErrorEvent[]): void;
  get(id: string): ErrorGroup | undefined;
  /** The group an id merged away now belongs to; undefined for any other id. */
  mergedInto(id: string): ErrorGroup | undefined;
  /** The group (service, fingerprint) files into, following merges. */
  groupOf(service: string, fingerprint: string): ErrorGroup | undefined;
  /** Stored samples of one trace (lower-case hex), newest first, at most `limit`; `total` counts all. */
  traceSamples(traceId: string, limit: number): { readonly total: number; readonly samples: readonly { readonly group: ErrorGroup; readonly sample: StoredSample }[] };
  /** Every group, least recently updated first. */
  groups(): IterableIterator<ErrorGroup>;
  /** A stored sample event by id, with its group. */
  event(id: string): { readonly group: ErrorGroup; readonly sample: StoredSample } | undefined;
  /** resolve / ignore / unresolve (an id merged away acts on its group). `inRelease` (resolve only) defaults to the newest release seen. */
  setState(id: string, state: GroupState, inRelease?: string): ErrorGroup;
  /** Moves `sourceId` into `targetId` (either may be an id merged away): counts add up, and the source's keys and id route to the target. */
  merge(sourceId: string, targetId: string): ErrorGroup;
  /** Replaces the contents with persisted groups (least recently updated first); no signals. */
  restore(groups: readonly StoredGroup[]): void;
  readonly size: number;
  /** Bumped by every change: the persister writes when it moved. */
  readonly version: number;
}

export function createGroupStore(options: {
  limits: StoreLimits;
  clock: Clock;
  signals?: GroupSignals;
  observer?: GroupStoreObserver;
}): GroupStore {
  const { limits, clock, signals, observer } = options;
  /** By id, in update order (the first entry is the least recently updated). */
  const byId = new Map<string, StoredGroup>();
  const byKey = new Map<string, StoredGroup>();
  const events = new Map<string, StoredGroup>();
  /** Ids merged away → the group they now belong to. */
  const aliases = new Map<string, StoredGroup>();
  let version = 0;

  function touch(group: StoredGroup): void {
    byId.delete(group.id);
    byId.set(group.id, group);
  }

  function remove(group: StoredGroup): void {
    byId.delete(group.id);
    for (const key of group.keys) if (byKey.get(key) === group) byKey.delete(key);
    for (const sample of group.samples) if (events.get(sample.id) === group) events.delete(sample.id);
    for (const id of group.mergedIds) if (aliases.get(id) === group) aliases.delete(id);
  }

  function index(group: StoredGroup): void {
    byId.set(group.id, group);
    for (const key of group.keys) byKey.set(key, group);
    for (const sample of group.samples) events.set(sample.id, group);
    for (const id of group.mergedIds) aliases.set(id, group);
  }

  function evictForOne(): void {
    let evicted = 0;
    while (byId.size >= limits.maxGroups) {
      const oldest = byId.values().next().value as StoredGroup;
      remove(oldest);
      evicted++;
    }
    if (evicted > 0) observer?.evicted(evicted);
  }

  function unusedId(key: string): string {
    for (let length = 12; length < 64; length += 4) {
      const id = groupIdOf(key, length);
      if (!byId.has(id) && !aliases.has(id)) return id;
    }
    return groupIdOf(key, 64);
  }

  function open(key: string, event: ErrorEvent, grouping: NonNullable<ErrorEvent['grouping']>): StoredGroup {
    evictForOne();
    const group: StoredGroup = {
      id: unusedId(key),
      keys: [key],
      service: event.service,
      fingerprint: grouping.fingerprint,
      type: event.type,
      title: grouping.title,
      culprit: grouping.culprit,
      frames: grouping.frames.slice(-GROUP_FRAMES),
      method: grouping.method,
      rule: grouping.rule,
      fingerprintVersion: grouping.version,
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
    index(group);
    return group;
  }

  function addSample(group: StoredGroup, event: ErrorEvent): void {
    if (limits.samplesPerGroup === 0 || event.keepSample === false) return;
    const id = eventIdOf(event);
    if (events.has(id)) return; // the same event delivered twice
    group.samples.push(sampleOf(event, id, limits.maxSampleBytes));
    events.set(id, group);
    while (group.samples.length > limits.samplesPerGroup) {
      const dropped = group.samples.shift()!;
      events.delete(dropped.id);
    }
  }

  function recordOne(event: ErrorEvent): void {
    const grouping = event.grouping ?? fallbackGrouping(event);
    const key = groupKeyOf(event.service, grouping.fingerprint);
    const existing = byKey.get(key);
    const signal = decideSignal(existing, event);
    let group: StoredGroup;
    if (existing === undefined) {
      group = open(key, event, grouping);
      observer?.newGroup(group.service);
    } else {
      group = existing;
      touch(group);
      if (grouping.culprit !== '' || group.culprit === '') {
        group.culprit = grouping.culprit;
        group.frames = grouping.frames.slice(-GROUP_FRAMES);
      }
    }
    if (signal === 'regression') {
      group.state = 'unresolved';
      group.regressed = true;
      observer?.regressed(group.service);
    }
    group.count++;
    observer?.counted(group, event.traceId);
    if (event.timestampMs > group.lastSeenMs) group.lastSeenMs = event.timestampMs;
    if (event.timestampMs < group.firstSeenMs) group.firstSeenMs = event.timestampMs;
    if (event.serviceVersion !== '') noteRecent(group.releases, event.serviceVersion, limits.maxReleasesPerGroup);
    if (event.environment !== '') noteFirst(group.environments, event.environment, limits.maxEnvironmentsPerGroup);
    addSample(group, event);
    if (signal !== undefined) {
      signals?.emit({ kind: signal, groupId: group.id, fingerprint: group.fingerprint, title: group.title, event });
    }
  }

  function mustGet(id: string): StoredGroup {
    const group = byId.get(id) ?? aliases.get(id);
    if (group === undefined) throw new GroupStoreError(404, `no group with id "${id}"`);
    return group;
  }

  signals?.answerGroupIds((service, fingerprint) => byKey.get(groupKeyOf(service, fingerprint))?.id);

  return {
    record(batch) {
      for (const event of batch) recordOne(event);
      if (batch.length > 0) version++;
    },
    get: (id) => byId.get(id),
    mergedInto: (id) => aliases.get(id),
    groupOf: (service, fingerprint) => byKey.get(groupKeyOf(service, fingerprint)),
    traceSamples(traceId, limit) {
      const found: { group: StoredGroup; sample: StoredSample }[] = [];
      for (const group of byId.values()) {
        for (const sample of group.samples) if (sample.traceId === traceId) found.push({ group, sample });
      }
      found.sort((a, b) => b.sample.timestampMs - a.sample.timestampMs);
      return { total: found.length, samples: found.slice(0, limit) };
    },
    groups: () => byId.values(),
    event(id) {
      const group = events.get(id);
      const sample = group?.samples.find((candidate) => candidate.id === id);
      return group && sample ? { group, sample } : undefined;
    },
    setState(id, state, inRelease) {
      const group = mustGet(id);
      if (state === 'resolved') group.resolvedInRelease = inRelease ?? newestRelease(group.releases);
      else group.resolvedInRelease = '';
      group.state = state;
      group.regressed = false;
      group.stateChangedAtMs = clock.now();
      version++;
      return group;
    },
    merge(sourceId, targetId) {
      if (sourceId === targetId) throw new GroupStoreError(400, 'merge_into: a group cannot be merged into itself');
      const source = mustGet(sourceId);
      const target = byId.get(targetId) ?? aliases.get(targetId);
      if (target === undefined) throw new GroupStoreError(400, `merge_into: no group with id "${targetId}"`);
      if (source === target) throw new GroupStoreError(400, `merge_into: "${sourceId}" was already merged into "${target.id}"`);
      remove(source);
      target.mergedIds.push(source.id, ...source.mergedIds);
      for (const dropped of target.mergedIds.splice(0, Math.max(0, target.mergedIds.length - MERGED_IDS))) aliases.delete(dropped);
      target.keys.push(...source.keys);
      target.count += source.count;
      target.firstSeenMs = Math.min(target.firstSeenMs, source.firstSeenMs);
      target.lastSeenMs = Math.max(target.lastSeenMs, source.lastSeenMs);
      for (const release of source.releases) noteRecent(target.releases, release, limits.maxReleasesPerGroup);
      for (const environment of source.environments) noteFirst(target.environments, environment, limits.maxEnvironmentsPerGroup);
      const samples = [...target.samples, ...source.samples].sort((a, b) => a.timestampMs - b.timestampMs);
      target.samples = latest(samples, limits.samplesPerGroup);
      for (const sample of samples) events.delete(sample.id);
      index(target);
      touch(target);
      version++;
      return target;
    },
    restore(groups) {
      byId.clear();
      byKey.clear();
      events.clear();
      aliases.clear();
      for (const group of groups.slice(-limits.maxGroups)) {
        group.samples = latest(group.samples, limits.samplesPerGroup);
        group.mergedIds = latest(group.mergedIds ?? [], MERGED_IDS);
        index(group);
      }
    },
    get size() {
      return byId.size;
    },
    get version() {
      return version;
    },
  };
}

function latest<T>(items: readonly T[], count: number): T[] {
  return items.slice(Math.max(0, items.length - count));
}

/** Adds `value` as the most recent, dropping the least recent past `max`. */
function noteRecent(values: string[], value: string, max: number): void {
  if (values[values.length - 1] === value) return;
  const at = values.indexOf(value);
  if (at >= 0) values.splice(at, 1);
  values.push(value);
  if (values.length > max) values.splice(0, values.length - max);
}

/** Adds `value` unless known or `max` are already kept. */
function noteFirst(values: string[], value: string, max: number): void {
  if (values.length < max && !values.includes(value)) values.push(value);
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
