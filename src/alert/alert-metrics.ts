// The evaluator's metrics (delivery metrics belong to notify/):
//   faultline_alerts{rule, severity, state}           gauge: groups pending and firing per rule
//   faultline_alert_limit_hits_total{rule, limit}     counter: updates refused by a bound
//     limit=max_groups        a new group past exporters.alerts.max_groups (per rule)
//     limit=max_fingerprints  new_group forgot the oldest fingerprint (rule is "")
// Get-or-create, so several alerts exporters share one registry.

import { Counter, Gauge, type Registry } from 'prom-client';
import { sharedCounter, sharedGauge } from '../metrics/shared-metric.js';

export interface AlertMetrics {
  readonly alerts: Gauge<'rule' | 'severity' | 'state'>;
  readonly limitHits: Counter<'rule' | 'limit'>;
}

export function createAlertMetrics(registry: Registry): AlertMetrics {
  const alerts =
    sharedGauge(registry, {
      name: 'faultline_alerts',
      help: 'Alert groups per rule in each state (pending, firing).',
      labelNames: ['rule', 'severity', 'state'] as const,
    });
  const limitHits =
    sharedCounter(registry, {
      name: 'faultline_alert_limit_hits_total',
      help: 'Updates the alert evaluator refused or forgot because a bound was reached (max_groups, max_fingerprints).',
      labelNames: ['rule', 'limit'] as const,
    });
  return { alerts, limitHits };
}
