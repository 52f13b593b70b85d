// The metrics of alerts HA (exporters.alerts.ha):
//   faultline_alert_leader{exporter}                            gauge: 1 on the replica that notifies
//   faultline_alert_notifications_suppressed_total{rule, reason} counter: notifications not handed on
//     reason=not_leader   this replica follows; the leader sends them
//   faultline_alert_lease_errors_total{exporter}                counter: lease reads/writes that failed
// Registered only when an alerts exporter has an `ha` block; get-or-create, so several share a registry.

import { Counter, Gauge, type Registry } from 'prom-client';
import { sharedCounter, sharedGauge } from '../../metrics/shared-metric.js';

export interface HaMetrics {
  readonly leader: Gauge<'exporter'>;
  readonly suppressed: Counter<'rule' | 'reason'>;
  readonly leaseErrors: Counter<'exporter'>;
}

export function createHaMetrics(registry: Registry): HaMetrics {
  const leader =
    sharedGauge(registry, {
      name: 'faultline_alert_leader',
      help: 'Whether this replica holds the alert lease and sends notifications (1) or follows (0).',
      labelNames: ['exporter'] as const,
    });
  const suppressed =
    sharedCounter(registry, {
      name: 'faultline_alert_notifications_suppressed_total',
      help: 'Notifications this replica decided on but did not send (reason="not_leader": another replica holds the lease).',
      labelNames: ['rule', 'reason'] as const,
    });
  const leaseErrors =
    sharedCounter(registry, {
      name: 'faultline_alert_lease_errors_total',
      help: 'Alert lease reads and writes that failed (the storage unreachable or failing).',
      labelNames: ['exporter'] as const,
    });
  return { leader, suppressed, leaseErrors };
}
