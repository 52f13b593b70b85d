// The error group metrics, so Prometheus and Grafana users can alert on novelty too:
//   faultline_error_groups{service, state}            gauge, read from the stores at each scrape
//   faultline_error_groups_new_total{service}          groups opened
//   faultline_error_groups_regressed_total{service}    resolved groups seen again in a newer release
//   faultline_error_groups_evicted_total               groups dropped past max_groups
//   faultline_error_groups_persist_errors_total        batches of events whose write to storage failed
//                                                      (each is retried)
//   faultline_error_groups_pending_events              events accepted, not yet written to storage
//   faultline_error_groups_dropped_events_total        events dropped because max_pending_events
//                                                      were waiting (storage failing or too slow)
//   faultline_error_group_samples_expired_total        samples deleted past sample_retention
//   faultline_error_group_events_total{service, group} events per group (short id), for at most
//                                                      group_label_limit label sets; the rest fold
//                                                      into `__overflow__`; expired after
//                                                      group_label_expiration
// `service` is bounded: the first `cardinality_limit` services keep their name, later ones read
// `__overflow__`, and each update folded so counts in faultline_cardinality_overflow_total{metric}.
// One set per registry: a second groups exporter on the same registry shares it.

import { Counter, Gauge, type Registry } from 'prom-client';
import type { Clock } from '../../internal/clock.js';
import { createBoundedSeries, OVERFLOW_LABEL_VALUE } from '../../metrics/bounded-series.js';
import { limitCounters } from '../../metrics/self-metrics.js';
import { GROUP_STATES, type GroupState, type GroupStoreObserver } from './group-store.js';

export interface GroupCount {
  readonly service: string;
  readonly state: GroupState;
  readonly count: number;
}

export interface GroupMetrics extends GroupStoreObserver {
  persistError(): void;
  pending(count: number): void;
  dropped(count: number): void;
  expired(count: number): void;
  /** Adds a store whose groups the gauge counts at each scrape. */
  watch(counts: () => Promise<readonly GroupCount[]>): void;
  /** Writes the per-group counts of the batch just recorded. */
  flushCounts(): void;
  /** Removes per-group series not updated for group_label_expiration. */
  sweep(): void;
}

const byRegistry = new WeakMap<Registry, GroupMetrics>();

export function createGroupMetrics(options: {
  registry: Registry;
  cardinalityLimit: number;
  groupLabelLimit: number;
  groupLabelExpirationMs: number;
  clock: Clock;
}): GroupMetrics {
  const { registry, cardinalityLimit, clock } = options;
  const existing = byRegistry.get(registry);
  if (existing !== undefined) return existing;
  const registers = [registry];
  const { cardinalityOverflow, seriesExpired } = limitCounters(registry);
  const groupEvents = createBoundedSeries({
    registry,
    labelNames: ['service', 'group'],
    counter: {
      name: 'faultline_error_group_events_total',
      help: 'Error events per error group (short group id), for at most group_label_limit groups.',
      exemplars: true,
    },
    cardinalityLimit: options.groupLabelLimit,
    expirationMs: options.groupLabelExpirationMs,
    overflowCounter: cardinalityOverflow,
    expiredCounter: seriesExpired,
  });
  const groupValues: [string, string] = ['', ''];
  const services = new Set<string>();
  const sources: (() => Promise<readonly GroupCount[]>)[] = [];

  /** The label value for `service`; `metric` names the metric an overflow is counted for. */
  function serviceLabel(service: string, metric?: string): string {
    if (services.has(service)) return service;
    if (services.size < cardinalityLimit) {
      services.add(service);
      return service;
    }
    if (metric !== undefined) cardinalityOverflow.inc({ metric });
    return OVERFLOW_LABEL_VALUE;
  }

  const groups = new Gauge({
    name: 'faultline_error_groups',
    help: 'Error groups in the store, by service and state.',
    labelNames: ['service', 'state'] as const,
    registers,
    async collect() {
      const counts = new Map<string, Map<string, number>>();
      for (const source of sources) {
        let rows: readonly GroupCount[];
        try {
          rows = await source();
        } catch {
          return; // storage failing: keep the last values; faultline_storage_errors_total shows why
        }
        for (const row of rows) {
          const label = serviceLabel(row.service);
          let byState = counts.get(label);
          if (byState === undefined) counts.set(label, (byState = new Map()));
          byState.set(row.state, (byState.get(row.state) ?? 0) + row.count);
        }
      }
      this.reset();
      for (const [service, byState] of counts) {
        for (const state of GROUP_STATES) this.set({ service, state }, byState.get(state) ?? 0);
      }
    },
  });
  void groups;
  const opened = new Counter({
    name: 'faultline_error_groups_new_total',
    help: 'Error groups opened: a fingerprint not seen before (or evicted since).',
    labelNames: ['service'] as const,
    registers,
  });
  const regressed = new Counter({
    name: 'faultline_error_groups_regressed_total',
    help: 'Resolved error groups seen again in a newer release.',
    labelNames: ['service'] as const,
    registers,
  });
  const evicted = new Counter({
    name: 'faultline_error_groups_evicted_total',
    help: 'Error groups evicted, least recently seen first, because the store held max_groups.',
    registers,
  });
  const persistErrors = new Counter({
    name: 'faultline_error_groups_persist_errors_total',
    help: 'Batches of error events whose write to storage failed (each is retried).',
    registers,
  });
  const pendingEvents = new Gauge({
    name: 'faultline_error_groups_pending_events',
    help: 'Error events accepted by the groups exporter and not yet written to storage.',
    registers,
  });
  const droppedEvents = new Counter({
    name: 'faultline_error_groups_dropped_events_total',
    help: 'Error events dropped because max_pending_events were waiting to be written (storage failing or too slow).',
    registers,
  });
  const expiredSamples = new Counter({
    name: 'faultline_error_group_samples_expired_total',
    help: 'Sample events deleted because they were older than sample_retention.',
    registers,
  });

  const metrics: GroupMetrics = {
    newGroup: (service) => opened.inc({ service: serviceLabel(service, 'faultline_error_groups_new_total') }),
    regressed: (service) => regressed.inc({ service: serviceLabel(service, 'faultline_error_groups_regressed_total') }),
    evicted: (count) => evicted.inc(count),
    counted(group, traceId) {
      groupValues[0] = group.service;
      groupValues[1] = group.id;
      groupEvents.update(groupValues, clock.now(), traceId, 0);
    },
    flushCounts: () => groupEvents.flush(),
    sweep: () => void groupEvents.sweep(clock.now()),
    persistError: () => persistErrors.inc(),
    pending: (count) => pendingEvents.set(count),
    dropped: (count) => droppedEvents.inc(count),
    expired: (count) => expiredSamples.inc(count),
    watch: (source) => void sources.push(source),
  };
  byRegistry.set(registry, metrics);
  return metrics;
}
