// Events, groupings and a store on a real SQLite storage, wired to a registry and a signal
// recorder, for the store tests.

import type { ErrorEvent } from '../../../src/extract/error-event.js';
import type { Grouping } from '../../../src/group/grouping.js';
import { createGroupSignals, type GroupSignal } from '../../../src/group/signals.js';
import { GROUPS_EXPORTER_DEFAULTS } from '../../../src/group/store/config.js';
import { createGroupMetrics } from '../../../src/group/store/group-metrics.js';
import { createGroupStore, type ErrorGroup, type GroupStore, type StoreLimits } from '../../../src/group/store/group-store.js';
import { ManualClock } from '../../../src/internal/clock.js';
import { createRegistry } from '../../../src/metrics/registry.js';
import type { Storage } from '../../../src/storage/storage.js';
import { sqliteStorage } from '../../helpers/storage.js';
import { errorEvent } from '../../metrics/metric-fixtures.js';

export function grouping(fingerprint: string, overrides: Partial<Grouping> = {}): Grouping {
  return {
    fingerprint,
    method: 'frames',
    rule: '',
    version: 1,
    title: `TypeError: ${fingerprint}`,
    culprit: 'loadUser (src/users.js)',
    frames: [{ function: 'loadUser', module: 'src/users.js', line: 10, column: 5, inApp: true }],
    ...overrides,
  };
}

/** An event of group `fingerprint` in `release`. */
export function eventOf(fingerprint: string, overrides: Partial<ErrorEvent> = {}): ErrorEvent {
  return errorEvent({ grouping: grouping(fingerprint), ...overrides });
}

export async function storeUnderTest(limits: Partial<StoreLimits> & { groupLabelLimit?: number; searchIndexAfter?: number } = {}, storage?: Storage) {
  const clock = new ManualClock();
  const registry = createRegistry({ defaultMetrics: false });
  const signals = createGroupSignals();
  const emitted: GroupSignal[] = [];
  signals.subscribe((signal) => emitted.push(signal));
  const metrics = createGroupMetrics({
    registry,
    cardinalityLimit: 100,
    groupLabelLimit: limits.groupLabelLimit ?? 100,
    groupLabelExpirationMs: 15 * 60_000,
    clock,
  });
  const store: GroupStore = createGroupStore({
    storage: storage ?? (await sqliteStorage()),
    exporter: 'groups',
    limits: { ...GROUPS_EXPORTER_DEFAULTS, ...limits },
    clock,
    signals,
    observer: metrics,
    ...(limits.searchIndexAfter === undefined ? {} : { searchIndexAfter: limits.searchIndexAfter }),
  });
  metrics.watch(() => store.countsByState());
  return { clock, registry, store, emitted, metrics };
}

/** Every group of the store (without samples), most recently seen first. */
export async function allGroups(store: GroupStore): Promise<readonly ErrorGroup[]> {
  return (await store.list({ sort: 'last_seen', limit: 100_000, offset: 0 })).groups;
}

/** The one group of `fingerprint` (any service), with its samples. */
export async function groupOf(store: GroupStore, fingerprint: string): Promise<ErrorGroup | undefined> {
  const found = (await allGroups(store)).find((group) => group.fingerprint === fingerprint);
  return found === undefined ? undefined : store.get(found.id);
}
