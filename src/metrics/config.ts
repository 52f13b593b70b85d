// The `prometheus` exporter's config (exporters.prometheus[/name]): the duration buckets of the span
// timers and the bounds on its series. Which spans are timed is decided upstream of every exporter,
// by the pipeline's errors processor (processors.errors.span_kinds).

import { list, map, object, withDefault, type ComponentType, type Type } from '../config/schema.js';
import { duration, integer, number } from '../config/value-types.js';

export interface PrometheusExporterConfig {
  readonly type: 'prometheus';
  readonly id: string;
  /** Histogram buckets for faultline_span_duration_seconds, seconds, ascending. */
  readonly durationBuckets: readonly number[];
  /** Label sets per metric before new ones fold into `__overflow__`. */
  readonly cardinalityLimit: number;
  /** Series not updated for this long are removed. */
  readonly metricsExpirationMs: number;
}

export const PROMETHEUS_EXPORTER_DEFAULTS: Omit<PrometheusExporterConfig, 'id' | 'type'> = {
  durationBuckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  cardinalityLimit: 2000,
  metricsExpirationMs: 15 * 60_000,
};

/** A key that moved: present, it is a problem that says where it went; absent, nothing. Not documented. */
function movedTo(path: string): Type<null> {
  return {
    decode(value, at, problems) {
      if (value !== undefined) problems.push({ path: at, message: `moved to ${path}: which spans are timed is decided before any exporter` });
      return null;
    },
    keyPaths: () => [],
  };
}

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
    span_kinds: movedTo('processors.errors.span_kinds'),
    duration_buckets: withDefault(durationBuckets, PROMETHEUS_EXPORTER_DEFAULTS.durationBuckets),
    cardinality_limit: withDefault(integer(1), PROMETHEUS_EXPORTER_DEFAULTS.cardinalityLimit),
    metrics_expiration: withDefault(duration, PROMETHEUS_EXPORTER_DEFAULTS.metricsExpirationMs),
  }),
  (d) =>
    (id: string): PrometheusExporterConfig => ({
      type: 'prometheus',
      id,
      durationBuckets: d.duration_buckets,
      cardinalityLimit: d.cardinality_limit,
      metricsExpirationMs: d.metrics_expiration,
    }),
);

