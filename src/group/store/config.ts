// The `groups` exporter's keys and defaults (exporters.groups): the bounded error group store,
// kept in service.storage. Its factory is listed in src/components.ts; docs/config.md lists the same keys.

import { joinPath, map, object, withDefault } from '../../config/schema.js';
import { duration, integer, size } from '../../config/value-types.js';

export interface GroupsExporterConfig {
  readonly type: 'groups';
  readonly id: string;
  /** Groups kept; past it the least recently seen group is evicted. */
  readonly maxGroups: number;
  /** Latest sample events kept per group. */
  readonly samplesPerGroup: number;
  /** Longest message and stack trace kept per sample, bytes each. */
  readonly maxSampleBytes: number;
  /** Releases remembered per group (most recently seen). */
  readonly maxReleasesPerGroup: number;
  /** Environments remembered per group (first seen). */
  readonly maxEnvironmentsPerGroup: number;
  /** The longest an accepted event waits before it is written to storage (a full write_batch goes at once). */
  readonly flushIntervalMs: number;
  /** Events written per storage transaction. */
  readonly writeBatch: number;
  /** Events waiting to be written before new ones are dropped (and counted). */
  readonly maxPendingEvents: number;
  /** Samples older than this are deleted; 0 keeps them while their group lives. */
  readonly sampleRetentionMs: number;
  /** (service, group) label sets of faultline_error_group_events_total before `__overflow__`. */
  readonly groupLabelLimit: number;
  /** Per-group series not updated for this long are removed. */
  readonly groupLabelExpirationMs: number;
  /** Services with their own label value in the group metrics before `__overflow__`. */
  readonly cardinalityLimit: number;
}

export const GROUPS_EXPORTER_DEFAULTS: Omit<GroupsExporterConfig, 'id' | 'type'> = {
  maxGroups: 10_000,
  samplesPerGroup: 5,
  maxSampleBytes: 8 * 1024,
  maxReleasesPerGroup: 20,
  maxEnvironmentsPerGroup: 10,
  flushIntervalMs: 1_000,
  writeBatch: 64,
  maxPendingEvents: 10_000,
  sampleRetentionMs: 30 * 24 * 3_600_000,
  cardinalityLimit: 1000,
  groupLabelLimit: 100,
  groupLabelExpirationMs: 15 * 60_000,
};

const D = GROUPS_EXPORTER_DEFAULTS;
/** The shortest flush_interval accepted (a shorter one was once silently raised to it). */
const MIN_FLUSH_INTERVAL_MS = 100;

export const groupsExporterType = map(
  object({
    max_groups: withDefault(integer(1), D.maxGroups),
    samples_per_group: withDefault(integer(0, 100), D.samplesPerGroup),
    max_sample_bytes: withDefault(size, D.maxSampleBytes),
    max_releases_per_group: withDefault(integer(1, 1000), D.maxReleasesPerGroup),
    max_environments_per_group: withDefault(integer(1, 1000), D.maxEnvironmentsPerGroup),
    flush_interval: withDefault(duration, D.flushIntervalMs),
    write_batch: withDefault(integer(1, 10_000), D.writeBatch),
    max_pending_events: withDefault(integer(1), D.maxPendingEvents),
    sample_retention: withDefault(duration, D.sampleRetentionMs),
    cardinality_limit: withDefault(integer(1), D.cardinalityLimit),
    group_label_limit: withDefault(integer(0), D.groupLabelLimit),
    group_label_expiration: withDefault(duration, D.groupLabelExpirationMs),
  }, (d, path, problems) => {
    if (d.flush_interval < MIN_FLUSH_INTERVAL_MS) {
      problems.push({
        path: joinPath(path, 'flush_interval'),
        message: `expected at least ${MIN_FLUSH_INTERVAL_MS}ms, got ${d.flush_interval}ms`,
      });
    }
  }),
  (d) =>
    (id: string): GroupsExporterConfig => ({
      type: 'groups',
      id,
      maxGroups: d.max_groups,
      samplesPerGroup: d.samples_per_group,
      maxSampleBytes: d.max_sample_bytes,
      maxReleasesPerGroup: d.max_releases_per_group,
      maxEnvironmentsPerGroup: d.max_environments_per_group,
      flushIntervalMs: d.flush_interval,
      writeBatch: d.write_batch,
      maxPendingEvents: d.max_pending_events,
      sampleRetentionMs: d.sample_retention,
      cardinalityLimit: d.cardinality_limit,
      groupLabelLimit: d.group_label_limit,
      groupLabelExpirationMs: d.group_label_expiration,
    }),
);
