// The `identity` processor's config: the shape, the defaults and the YAML schema in one place.
//
//   processors:
//     identity:
//       settle_time: 6s                # how long a trace's error records wait for the rest of it; 0s: off
//       max_pending_traces: 10000      # traces waiting at once; past it the oldest settles early
//       max_pending_records: 5000      # records all waiting traces hold; past it the oldest settles early
//       max_records_per_trace: 256     # records one waiting trace holds; past it the trace settles early
//       remembered_traces: 50000       # settled traces whose errors are remembered, so late copies fold
//       remember_for: 5m
//       remembered_event_ids: 50000    # sender-given event ids (Sentry event_id) remembered, so a retry counts once
//
// It runs implicitly (after scrub and group) in every traces and logs pipeline that lists none.

import { map, object, withDefault, type ComponentType } from '../../config/schema.js';
import { duration, integer } from '../../config/value-types.js';

export interface IdentityProcessorConfig {
  readonly type: 'identity';
  readonly id: string;
  /** How long the first error record of a trace waits for the others before they are folded. 0 turns identity off. */
  readonly settleTimeMs: number;
  readonly maxPendingTraces: number;
  readonly maxPendingRecords: number;
  readonly maxRecordsPerTrace: number;
  readonly rememberedTraces: number;
  readonly rememberForMs: number;
  /** Sender-given event ids remembered for remember_for, so an SDK's retry of one counts once. 0: none. */
  readonly rememberedEventIds: number;
}

export const IDENTITY_DEFAULTS: Omit<IdentityProcessorConfig, 'type' | 'id'> = {
  settleTimeMs: 6_000,
  maxPendingTraces: 10_000,
  maxPendingRecords: 5_000,
  maxRecordsPerTrace: 256,
  rememberedTraces: 50_000,
  rememberForMs: 300_000,
  rememberedEventIds: 50_000,
};

/** The identity processor every traces and logs pipeline runs when it lists none. */
// The id has a dot, which config ids cannot, so it never collides with a configured processor.
export const IMPLICIT_IDENTITY: IdentityProcessorConfig = { type: 'identity', id: 'implicit.identity', ...IDENTITY_DEFAULTS };

export const identityProcessorType: ComponentType<IdentityProcessorConfig> = map(
  object({
    settle_time: withDefault(duration, IDENTITY_DEFAULTS.settleTimeMs),
    max_pending_traces: withDefault(integer(1), IDENTITY_DEFAULTS.maxPendingTraces),
    max_pending_records: withDefault(integer(1), IDENTITY_DEFAULTS.maxPendingRecords),
    max_records_per_trace: withDefault(integer(1), IDENTITY_DEFAULTS.maxRecordsPerTrace),
    remembered_traces: withDefault(integer(0), IDENTITY_DEFAULTS.rememberedTraces),
    remember_for: withDefault(duration, IDENTITY_DEFAULTS.rememberForMs),
    remembered_event_ids: withDefault(integer(0), IDENTITY_DEFAULTS.rememberedEventIds),
  }),
  (d) =>
    (id: string): IdentityProcessorConfig => ({
      type: 'identity',
      id,
      settleTimeMs: d.settle_time,
      maxPendingTraces: d.max_pending_traces,
      maxPendingRecords: d.max_pending_records,
      maxRecordsPerTrace: d.max_records_per_trace,
      rememberedTraces: d.remembered_traces,
      rememberForMs: d.remember_for,
      rememberedEventIds: d.remembered_event_ids,
    }),
);
