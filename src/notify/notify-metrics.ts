// The delivery pipeline's metrics. Got or created on the instance's registry, so two alerts
// exporters in one Faultline share them. Labels are bounded by the config: `rule` and `channel`
// are names from otel-config.yaml, `outcome` and `reason` are the fixed sets below.
//
// outcome: delivered | error (retryable; retried) | rejected (permanent, e.g. a 4xx; not retried)
//          | refreshed | refresh_error (Alertmanager re-sends of firing alerts; best effort).
// reason:  queue_full | rejected | retries_exhausted | unknown_channel.

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { sharedCounter, sharedGauge, sharedHistogram } from '../metrics/shared-metric.js';

export type AttemptOutcome = 'delivered' | 'error' | 'rejected' | 'refreshed' | 'refresh_error';
export type DropReason = 'queue_full' | 'rejected' | 'retries_exhausted' | 'unknown_channel';

export interface NotifyMetrics {
  readonly notifications: Counter<'rule' | 'channel' | 'outcome'>;
  readonly duration: Histogram<'channel'>;
  readonly circuitState: Gauge<'channel'>;
  readonly queueItems: Gauge<'channel'>;
  readonly dropped: Counter<'channel' | 'reason'>;
}

const DURATION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createNotifyMetrics(registry: Registry): NotifyMetrics {
  return {
    notifications:
      sharedCounter(registry, {
        name: 'faultline_alert_notifications_total',
        help: 'Notification delivery attempts, by rule, channel and outcome.',
        labelNames: ['rule', 'channel', 'outcome'] as const,
      }),
    duration:
      sharedHistogram(registry, {
        name: 'faultline_notification_duration_seconds',
        help: 'Time one delivery attempt to a channel took, seconds.',
        labelNames: ['channel'] as const,
        buckets: DURATION_BUCKETS,
      }),
    circuitState:
      sharedGauge(registry, {
        name: 'faultline_notification_circuit_state',
        help: "A channel's circuit breaker: 0 closed, 1 half-open, 2 open.",
        labelNames: ['channel'] as const,
      }),
    queueItems:
      sharedGauge(registry, {
        name: 'faultline_notification_queue_items',
        help: 'Notifications waiting for delivery to a channel (including ones waiting to retry).',
        labelNames: ['channel'] as const,
      }),
    dropped:
      sharedCounter(registry, {
        name: 'faultline_notifications_dropped_total',
        help: 'Notifications given up for a channel, by reason.',
        labelNames: ['channel', 'reason'] as const,
      }),
  };
}
