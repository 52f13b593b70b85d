// The sentry receiver's own metrics, beside the faultline_receiver_* self-metrics every receiver
// keeps (receiver-observer.ts): what became of each item type, why items were refused, quota hits,
// and what the SDKs themselves say they dropped (their client reports). Label values are bounded:
// item types and client-report reasons and categories outside the known lists read `other`.

import type { Counter, Registry } from 'prom-client';
import { sharedCounter } from '../../metrics/shared-metric.js';

export type ItemOutcome = 'stored' | 'counted' | 'rejected' | 'rate_limited';

/** Envelope item types Sentry SDKs send; any other type is `other`. */
export const ITEM_TYPES: ReadonlySet<string> = new Set([
  'event',
  'transaction',
  'span',
  'log',
  'session',
  'sessions',
  'client_report',
  'attachment',
  'user_report',
  'feedback',
  'profile',
  'profile_chunk',
  'replay_event',
  'replay_recording',
  'replay_video',
  'check_in',
  'statsd',
  'metric_buckets',
  'otel_log',
  'trace_metric',
]);

const DISCARD_REASONS: ReadonlySet<string> = new Set([
  'ratelimit_backoff',
  'queue_overflow',
  'network_error',
  'sample_rate',
  'before_send',
  'event_processor',
  'send_error',
  'internal_sdk_error',
  'insufficient_data',
  'backpressure',
  'buffer_overflow',
  'cache_overflow',
]);

const DISCARD_CATEGORIES: ReadonlySet<string> = new Set([
  'error',
  'default',
  'transaction',
  'span',
  'log_item',
  'log_byte',
  'session',
  'attachment',
  'security',
  'profile',
  'replay',
  'monitor',
  'feedback',
  'metric_bucket',
]);

export interface SentryMetrics {
  item(type: string, outcome: ItemOutcome, count?: number): void;
  rejected(reason: string, count?: number): void;
  quotaExceeded(project: string, count?: number): void;
  discarded(reason: string, category: string, quantity: number): void;
}

export function createSentryMetrics(registry: Registry, receiver: string): SentryMetrics {
  const items: Counter<'receiver' | 'type' | 'outcome'> = sharedCounter(registry, {
    name: 'faultline_sentry_items_total',
    help: 'Sentry envelope items by type and what became of them: stored (became events or span timings), counted (accepted, not stored), rejected, rate_limited.',
    labelNames: ['receiver', 'type', 'outcome'] as const,
  });
  const rejected: Counter<'receiver' | 'reason'> = sharedCounter(registry, {
    name: 'faultline_sentry_rejected_items_total',
    help: 'Sentry envelope items refused on their own (the rest of the envelope kept), by reason.',
    labelNames: ['receiver', 'reason'] as const,
  });
  const quota: Counter<'receiver' | 'project'> = sharedCounter(registry, {
    name: 'faultline_sentry_quota_exceeded_total',
    help: "Sentry events and transactions refused because their project's events_per_minute quota was used up.",
    labelNames: ['receiver', 'project'] as const,
  });
  const discarded: Counter<'receiver' | 'reason' | 'category'> = sharedCounter(registry, {
    name: 'faultline_sentry_client_discarded_events_total',
    help: "What Sentry SDKs report they dropped before sending (their client reports), by the SDK's reason and data category.",
    labelNames: ['receiver', 'reason', 'category'] as const,
  });
  for (const outcome of ['stored', 'counted', 'rejected', 'rate_limited'] as const) items.inc({ receiver, type: 'event', outcome }, 0);
  return {
    item: (type, outcome, count = 1) => items.inc({ receiver, type: ITEM_TYPES.has(type) ? type : 'other', outcome }, count),
    rejected: (reason, count = 1) => rejected.inc({ receiver, reason }, count),
    quotaExceeded: (project, count = 1) => quota.inc({ receiver, project }, count),
    discarded: (reason, category, quantity) =>
      discarded.inc(
        {
          receiver,
          reason: DISCARD_REASONS.has(reason) ? reason : 'other',
          category: DISCARD_CATEGORIES.has(category) ? category : 'other',
        },
        quantity,
      ),
  };
}
