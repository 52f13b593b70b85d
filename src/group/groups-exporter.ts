// The `groups` exporter (exporters.groups): files every error event of its pipelines into the
// error group store (store/group-store.ts), announces new and regressed groups on the instance's
// group signals, serves the read API on the admin endpoint (api/groups-api.ts) and keeps the store
// in service.data_dir (store/persistence.ts).
//
// Keys and defaults: store/config.ts (max_groups, samples_per_group, max_sample_bytes,
// max_releases_per_group, max_environments_per_group, flush_interval, cardinality_limit…).
// Metrics: store/group-metrics.ts.
//
// Lifecycle: start() loads the file (groups loaded are not announced again), then writes it every
// flush_interval when something changed; shutdown() writes it once more after the pipeline has
// drained into it. A failed write is logged and counted, and retried at the next interval; events
// filed since the last good write are lost only if the process dies before one succeeds (then
// their groups may be announced once more). With several groups exporters, the API serves the
// first one built.

import type { Component } from '../component.js';
import type { ExporterContext } from '../component.js';
import type { GroupsExporterConfig } from './store/config.js';
import type { Consumer } from '../pipeline/consumer.js';
import { registerGroupsApi } from './api/groups-api.js';
import { coalescedWrites } from '../internal/atomic-file.js';
import { createGroupMetrics } from './store/group-metrics.js';
import { createGroupStore, type GroupStore } from './store/group-store.js';
import { groupsFilePath, loadGroups, saveGroups } from './store/persistence.js';
import type { ExporterFactory } from '../component.js';
import { GROUPS_EXPORTER_DEFAULTS, groupsExporterType } from './store/config.js';

export interface GroupsExporter {
  readonly consumer: Consumer;
  readonly component: Component;
  readonly store: GroupStore;
  /** Writes the file now if anything changed since the last write. */
  flush(): Promise<void>;
}

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
  const store = createGroupStore({ limits: config, clock, signals: context.groupSignalsOf(config.id), observer: metrics });
  metrics.watch(() => store.groups());
  registerGroupsApi(context.admin, store);
  const file = groupsFilePath(context.dataDir, config.id);

  let savedVersion = 0;
  let timer: NodeJS.Timeout | undefined;
  const writes = coalescedWrites(async () => {
    const version = store.version;
    if (version === savedVersion) return;
    try {
      await saveGroups(file, store.groups(), clock.now());
      savedVersion = version;
    } catch (error) {
      metrics.persistError();
      logger.error({ err: error, file }, 'error groups could not be written; retrying at the next flush');
    }
  });
  const flush = (): Promise<void> => writes.request();

  return {
    store,
    flush,
    consumer: {
      consume(batch) {
        store.record(batch.events);
        metrics.flushCounts();
      },
    },
    component: {
      async start() {
        store.restore(await loadGroups(file, logger, clock.now()));
        savedVersion = store.version;
        logger.info({ file, groups: store.size }, 'error groups loaded');
        timer = setInterval(() => {
          metrics.sweep();
          void flush();
        }, config.flushIntervalMs);
        timer.unref();
      },
      async shutdown() {
        clearInterval(timer);
        timer = undefined;
        await flush();
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
