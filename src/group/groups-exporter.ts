// The `groups` exporter (exporters.groups): files every error event of its pipelines into the
// error group store (store/group-store.ts, kept in service.storage), announces new and regressed
// groups on the instance's group signals, and serves the read API on the admin endpoint
// (api/groups-api.ts).
//
// Keys and defaults: store/config.ts (max_groups, samples_per_group, max_sample_bytes,
// flush_interval, write_batch, max_pending_events, sample_retention…). Metrics: store/group-metrics.ts.
//
// consume() never waits for storage: events wait in a bounded write-behind buffer
// (store/write-behind.ts) and are written in transactions of write_batch events, at the latest
// flush_interval after they arrived. That interval is what a kill -9 can lose; a SIGTERM writes
// everything first. A failed write is retried while events keep waiting. Once half of
// max_pending_events wait (storage slower than intake, or failing), backlog() makes the receivers
// answer 503 / UNAVAILABLE with Retry-After, so senders hold their data; the other half takes what
// was already inside the pipeline (the identity processor's settling records). Only past
// max_pending_events are events dropped, and counted. A shutdown that still cannot write rejects,
// and Faultline exits non-zero. start() imports a groups.json left by an older Faultline (store/import-json.ts).
// With several groups exporters, the API serves the first one built.

import type { Component, ExporterContext, ExporterFactory } from '../component.js';
import type { ErrorEvent } from '../extract/error-event.js';
import type { Consumer } from '../pipeline/consumer.js';
import { registerGroupsApi } from './api/groups-api.js';
import { GROUPS_EXPORTER_DEFAULTS, groupsExporterType, type GroupsExporterConfig } from './store/config.js';
import { createGroupMetrics } from './store/group-metrics.js';
import { createGroupStore, type GroupStore } from './store/group-store.js';
import { importGroupsFile } from './store/import-json.js';
import { createWriteBehind } from './store/write-behind.js';
import { StorageError } from '../storage/storage.js';

export interface GroupsExporter {
  readonly consumer: Consumer;
  readonly component: Component;
  readonly store: GroupStore;
  /** Writes every accepted event to storage now. */
  flush(): Promise<void>;
  /** Why receivers should refuse new data now ('' when the store keeps up). */
  backlog(): string;
}

/** How often samples past sample_retention are deleted. */
const RETENTION_SWEEP_MS = 10 * 60_000;

export function createGroupsExporter(config: GroupsExporterConfig, context: ExporterContext): GroupsExporter {
  const { clock } = context;
  const logger = context.logger.child({ exporter: config.id });
  const metrics = createGroupMetrics({
    registry: context.registry,
    cardinalityLimit: config.cardinalityLimit,
    groupLabelLimit: config.groupLabelLimit,
    groupLabelExpirationMs: config.groupLabelExpirationMs,
    clock,
  });
  const signals = context.groupSignalsOf(config.id);
  const store = createGroupStore({ storage: context.storage, exporter: config.id, limits: config, clock, signals, observer: metrics });
  metrics.watch(() => store.countsByState());
  signals.answerGroupIds((service, fingerprint) => store.knownGroupId(service, fingerprint));
  registerGroupsApi(context.admin, store, () => clock.now());

  const writes = createWriteBehind<ErrorEvent>({
    write: async (events) => {
      await store.record(events);
      metrics.flushCounts();
    },
    maxPending: config.maxPendingEvents,
    batchSize: config.writeBatch,
    intervalMs: config.flushIntervalMs,
    onDrop: (count) => metrics.dropped(count),
    onFailure: (error) => {
      metrics.persistError();
      logger.warn({ err: error, pending: writes.pending }, 'error events could not be written to storage; retrying');
    },
    onPendingChange: (count) => metrics.pending(count),
  });
  // A deadline in real time: shutdown_timeout bounds the process's wait, whatever the injected clock says.
  const flush = () => writes.flush(Date.now() + context.shutdownTimeoutMs);

  let timers: NodeJS.Timeout[] = [];
  /** The retention sweep under way, if any; `stopping` ends it after its current chunk. */
  let sweeping: Promise<void> | undefined;
  let stopping = false;
  function sweep(): void {
    sweeping ??= expireSamples().finally(() => (sweeping = undefined));
  }
  async function expireSamples(): Promise<void> {
    // sample_retention 0 keeps every sample; hourly counts and filter values past 14 days still go.
    const beforeMs = config.sampleRetentionMs === 0 ? undefined : clock.now() - config.sampleRetentionMs;
    try {
      await store.expireSamples(beforeMs, { stopped: () => stopping, expired: (samples) => metrics.expired(samples) });
    } catch (error) {
      logger.warn({ err: error }, 'old samples could not be deleted; retrying at the next sweep');
    }
  }

  const admitUntil = Math.ceil(config.maxPendingEvents / 2);
  return {
    store,
    flush,
    backlog: () => (writes.pending < admitUntil ? '' : `exporter ${config.id}: ${writes.pending} error events wait for storage`),
    consumer: {
      consume(batch) {
        writes.add(batch.events);
      },
    },
    component: {
      async start() {
        try {
          await importGroupsFile({ storage: context.storage, exporter: config.id, dataDir: context.dataDir, samplesPerGroup: config.samplesPerGroup, logger, nowMs: clock.now() });
          logger.info({ groups: await store.size() }, 'error groups ready');
        } catch (error) {
          // Storage not reachable yet (PostgreSQL still starting): events wait; an old groups file stays for the next start.
          if (!(error instanceof StorageError)) throw error;
          logger.warn({ err: error }, 'storage is not available yet; accepted events wait for it');
        }
        timers = [setInterval(() => metrics.sweep(), config.flushIntervalMs), setInterval(sweep, RETENTION_SWEEP_MS)];
        for (const timer of timers) timer.unref();
        // Not awaited: after a long stop it may have most samples to delete, and the start (and
        // readiness) need not wait for that.
        sweep();
      },
      async shutdown() {
        for (const timer of timers) clearInterval(timer);
        timers = [];
        stopping = true;
        await sweeping;
        try {
          await flush();
        } finally {
          writes.stop();
        }
      },
    },
  };
}

export const groupsExporterFactory: ExporterFactory<GroupsExporterConfig> = {
  type: 'groups',
  defaults: GROUPS_EXPORTER_DEFAULTS,
  schema: groupsExporterType,
  create: createGroupsExporter,
};
