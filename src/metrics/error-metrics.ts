// Error and span metrics from what extraction yields, for the Prometheus exporter:
//   faultline_errors_total{service, environment, level, exception_type, source}  (exemplar trace_id)
//   faultline_spans_total{service, span_name, span_kind, status_code}
//   faultline_span_duration_seconds{service, span_name, span_kind, status_code}   (exemplar trace_id)
// Config (exporters.prometheus): duration_buckets, cardinality_limit (per metric),
// metrics_expiration. Label values are taken as given: an unknown environment stays '' (Prometheus
// reads an empty label as an absent one), and exception messages never become labels.
// Call sweep() periodically (e.g. every minute); series idle for metrics_expiration go.
// It does not fail: bad durations are skipped, and over-long trace ids get no exemplar.

import type { Counter, Registry } from 'prom-client';
import type { PrometheusExporterConfig } from './config.js';
import type { Extracted } from '../extract/error-event.js';
import type { Clock } from '../internal/clock.js';
import { createBoundedSeries, type BoundedSeries } from './bounded-series.js';
import { limitCounters } from './self-metrics.js';

export const ERROR_LABELS = ['service', 'environment', 'level', 'exception_type', 'source'] as const;
export const SPAN_LABELS = ['service', 'span_name', 'span_kind', 'status_code'] as const;

export interface ErrorMetrics {
  /** Counts one request's events and span timings; touches prom-client once per label set. */
  record(extracted: Extracted): void;
  /** Removes series not updated for metricsExpirationMs (by the injected clock). */
  sweep(): void;
  /** Live label sets per metric family, without the overflow series. */
  seriesCount(): { readonly errors: number; readonly spans: number };
}

export interface ErrorMetricsOptions {
  readonly registry: Registry;
  readonly config: PrometheusExporterConfig;
  readonly clock: Clock;
  /** Default: the registry's faultline_cardinality_overflow_total (SelfMetrics.cardinalityOverflow). */
  readonly overflowCounter?: Counter<'metric'>;
  /** Default: the registry's faultline_series_expired_total (SelfMetrics.seriesExpired). */
  readonly expiredCounter?: Counter<'metric'>;
}

export function createErrorMetrics(options: ErrorMetricsOptions): ErrorMetrics {
  const { registry, config, clock } = options;
  const shared = options.overflowCounter && options.expiredCounter ? null : limitCounters(registry);
  const limits = {
    cardinalityLimit: config.cardinalityLimit,
    expirationMs: config.metricsExpirationMs,
    overflowCounter: options.overflowCounter ?? shared!.cardinalityOverflow,
    expiredCounter: options.expiredCounter ?? shared!.seriesExpired,
  };
  const errors: BoundedSeries = createBoundedSeries({
    registry,
    labelNames: ERROR_LABELS,
    counter: { name: 'faultline_errors_total', help: 'Error events seen, by exception type.', exemplars: true },
    ...limits,
  });
  // One bound for both span metrics: they always move together on the same labels.
  const spans: BoundedSeries = createBoundedSeries({
    registry,
    labelNames: SPAN_LABELS,
    counter: { name: 'faultline_spans_total', help: 'Spans of the configured kinds seen.', exemplars: false },
    histogram: {
      name: 'faultline_span_duration_seconds',
      help: 'Duration of spans of the configured kinds, seconds.',
      buckets: config.durationBuckets,
      exemplars: true,
    },
    ...limits,
  });
  // Reused for every update: the bounded series read label values from it and never keep it.
  const errorValues = ['', '', '', '', ''];
  const spanValues = ['', '', '', ''];

  return {
    record({ events, timings }) {
      if (events.length === 0 && timings.length === 0) return;
      const nowMs = clock.now();
      for (let i = 0; i < events.length; i++) {
        const event = events[i]!;
        errorValues[0] = event.service;
        errorValues[1] = event.environment;
        errorValues[2] = event.level;
        errorValues[3] = event.type;
        errorValues[4] = event.source;
        errors.update(errorValues, nowMs, event.traceId, NaN);
      }
      for (let i = 0; i < timings.length; i++) {
        const timing = timings[i]!;
        spanValues[0] = timing.service;
        spanValues[1] = timing.spanName;
        spanValues[2] = timing.spanKind;
        spanValues[3] = timing.statusCode;
        spans.update(spanValues, nowMs, timing.traceId, timing.durationSeconds);
      }
      if (events.length > 0) errors.flush();
      if (timings.length > 0) spans.flush();
    },
    sweep() {
      const nowMs = clock.now();
      errors.sweep(nowMs);
      spans.sweep(nowMs);
    },
    seriesCount: () => ({ errors: errors.size, spans: spans.size }),
  };
}
