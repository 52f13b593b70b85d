// Alerts HA: replicas that run the same rules on the same data (a Collector fanning out to each)
// send each notification once. Every replica evaluates, so its state is warm for a takeover; only
// the holder of the lease (lease.ts, a row in service.storage's `leases` table, named
// `alerts/<exporter id>`) hands notifications to the delivery pipeline. A follower counts what it
// would have sent (faultline_alert_notifications_suppressed_total{reason="not_leader"}). The leader
// writes its alert state to the `documents` row `alerts/<exporter id>/leader-state` whenever it
// changes; a replica that takes the lease over from another loads it first and adopts what was
// really notified (adopt-notified.ts), so it neither re-announces the old leader's incidents nor
// forgets the ones the old leader never sent. Sends are held back while that load runs. Every
// replica also starts from that row (alerts-exporter.ts), so a restart neither re-fires nor forgets.
// Replicas must share one storage: PostgreSQL, or one SQLite file on one host.
// Keys (exporters.alerts.ha; defaults in ../config.ts): replica, lease_duration (at least
// 2 × evaluation_interval). Metrics: ha-metrics.ts.
// Fails open: when the storage cannot be read or written, the replica keeps the role it had until
// the last lease it saw expires, then notifies as if it led (logged once as an error, counted in
// faultline_alert_lease_errors_total): duplicate notifications rather than none. A takeover whose
// old leader left no readable state re-announces what is firing, for the same reason.

import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Clock } from '../../internal/clock.js';
import type { NotificationSink } from '../../notify/notification.js';
import type { Storage } from '../../storage/storage.js';
import type { AlertsHaConfig } from '../config.js';
import { createStateStore, stateDocument, type PersistedState } from '../state-store.js';
import { createHaMetrics } from './ha-metrics.js';
import { createLease, type LeaseRecord } from './lease.js';

export interface HaGate {
  /** Wraps the delivery pipeline's sink: passes notifications on only while this replica leads. */
  readonly sink: NotificationSink;
  isLeader(now: number): boolean;
  /** Before each evaluation and at start: renews or takes the lease; true when it was just taken. */
  beforeEvaluation(now: number): Promise<boolean>;
  /** The leader's copy of its state, for the next leader. Never rejects (failures are logged). */
  share(state: () => PersistedState): Promise<void>;
  /** At shutdown, after the last share: ends a held lease so another replica takes over at once. */
  release(now: number): Promise<void>;
}

export function createHaGate(options: {
  config: AlertsHaConfig;
  exporterId: string;
  storage: Storage;
  sink: NotificationSink;
  clock: Clock;
  registry: Registry;
  logger: Logger;
  /** Called on a takeover from another replica with its state (null when it left none readable). */
  onTakeover: (state: PersistedState | null, now: number) => void;
}): HaGate {
  const { config, exporterId, sink, clock } = options;
  const logger = options.logger.child({ replica: config.replica });
  const metrics = createHaMetrics(options.registry);
  const { storage } = options;
  const lease = createLease({ storage, name: `alerts/${exporterId}`, replica: config.replica, durationMs: config.leaseDurationMs });
  const shared = createStateStore({ storage, name: stateDocument(exporterId, 'leader-state'), logger });
  let lastSeen: LeaseRecord | null = null;
  let failing = false;
  let failOpen = false;
  let adopting = false;
  let wasLeader = false;

  const gate: HaGate = {
    sink: {
      send(notification) {
        if (gate.isLeader(clock.now())) sink.send(notification);
        else metrics.suppressed.inc({ rule: notification.rule, reason: 'not_leader' });
      },
      refresh(firing) {
        if (gate.isLeader(clock.now())) sink.refresh(firing);
      },
    },

    isLeader(now) {
      return !adopting && (failOpen || lease.holds(now));
    },

    async beforeEvaluation(now) {
      let acquired = false;
      adopting = !gate.isLeader(now);
      try {
        const outcome = await lease.renew(now);
        if (failing) logger.info({ where: storage.where }, 'the alert lease works again');
        failing = false;
        failOpen = false;
        lastSeen = outcome.latest;
        if (outcome.acquired) {
          acquired = true;
          logger.info({ previousHolder: outcome.previousHolder }, 'took the alert lease: this replica sends notifications');
          if (outcome.previousHolder !== null && !outcome.previousWasSelf) {
            const state = await shared.load(now);
            adopting = false;
            options.onTakeover(state, clock.now());
          }
        } else if (!outcome.held && wasLeader) {
          logger.warn({ holder: outcome.latest?.holder }, 'lost the alert lease: another replica sends notifications');
        }
      } catch (error) {
        metrics.leaseErrors.inc({ exporter: exporterId });
        if (!failing) logger.error({ err: error, where: storage.where }, 'the alert lease cannot be read or written');
        failing = true;
        // Keep the role the last lease gave until it runs out, then rather notify twice than never.
        if (!failOpen && !lease.holds(now) && (lastSeen === null || now >= lastSeen.expiresAt)) {
          failOpen = true;
          logger.error({ where: storage.where }, 'no usable alert lease: this replica sends notifications, others may too');
        }
      } finally {
        adopting = false;
      }
      wasLeader = gate.isLeader(now);
      metrics.leader.set({ exporter: exporterId }, wasLeader ? 1 : 0);
      return acquired;
    },

    share(state) {
      return shared.save(state);
    },

    async release(now) {
      try {
        await lease.release(now);
      } catch (error) {
        logger.error({ err: error, where: storage.where }, 'the alert lease could not be released; it expires on its own');
      }
      metrics.leader.set({ exporter: exporterId }, 0);
    },
  };
  return gate;
}
