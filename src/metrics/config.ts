// The `prometheus` exporter's config (exporters.prometheus[/name]): which span kinds feed the span
// timers, the duration buckets, and the bounds on its series.

import { list, map, object, withDefault, type ComponentType } from '../config/schema.js';
import { duration, integer, number, oneOf } from '../config/value-types.js';

export interface PrometheusExporterConfig {
  readonly type: 'prometheus';
  readonly id: string;
  /** Span kinds that feed the span timers, e.g. ['SERVER', 'CONSUMER'] (the default). */
  readonly spanKinds: readonly ('INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER' | 'UNSPECIFIED')[];
  /** Histogram buckets for faultline_span_duration_seconds, seconds, ascending. */
  readonly durationBuckets: readonly number[];
  /** Label sets per metric before new ones fold into `__overflow__`. Default 2000. */
  readonly cardinalityLimit: number;
  /** Series not updated for this long are removed. Default 15m. */
  readonly metricsExpirationMs: number;
}

export const PROMETHEUS_EXPORTER_DEFAULTS: Omit<PrometheusExporterConfig, 'id' | 'type'> = {
  spanKinds: ['SERVER', 'CONSUMER'],
  durationBuckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  cardinalityLimit: 2000,
  metricsExpirationMs: 15 * 60_000,
};

const SPAN_KINDS = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER', 'UNSPECIFIED'] as const;

const durationBuckets = list(number({ min: 0, exclusiveMin: true }), (buckets, path, problems) => {
  if (buckets.length === 0) problems.push({ path, message: 'expected at least one bucket' });
  for (let i = 1; i < buckets.length; i++) {
    if (buckets[i] <= buckets[i - 1]) {
      problems.push({
        path: `${path}[${i}]`,
        message: `expected buckets in strictly ascending order; ${buckets[i]} follows ${buckets[i - 1]}`,
      });
    }
  }
});

export const prometheusExporterType: ComponentType<PrometheusExporterConfig> = map(
  object({
    span_kinds: withDefault(list(oneOf(SPAN_KINDS, 'SPAN_KIND_')), PROMETHEUS_EXPORTER_DEFAULTS.spanKinds),
    duration_buckets: withDefault(durationBuckets, PROMETHEUS_EXPORTER_DEFAULTS.durationBuckets),
    cardinality_limit: withDefault(integer(1), PROMETHEUS_EXPORTER_DEFAULTS.cardinalityLimit),
    metrics_expiration: withDefault(duration, PROMETHEUS_EXPORTER_DEFAULTS.metricsExpirationMs),
  }),
  (d) =>
    (id: string): PrometheusExporterConfig => ({
      type: 'prometheus',
      id,
      spanKinds: [...new Set(d.span_kinds)],
      durationBuckets: d.duration_buckets,
      cardinalityLimit: d.cardinality_limit,
      metricsExpirationMs: d.metrics_expiration,
    }),
);

