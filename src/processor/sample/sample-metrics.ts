// The sample processor's metrics, got or created on the instance's registry so any number of
// sample processors share them.

import { Counter, Gauge, type Registry } from 'prom-client';
import { sharedCounter, sharedGauge } from '../../metrics/shared-metric.js';

export interface SampleMetrics {
  /** Events marked keepSample: false (still counted everywhere, details not stored). */
  readonly skipped: Counter<'processor'>;
  /** Groups whose minute is being tracked now. */
  readonly groupsTracked: Gauge<'processor'>;
  /** Groups forgotten before their minute was over because max_groups was reached. */
  readonly groupsEvicted: Counter<'processor'>;
}

export function createSampleMetrics(registry: Registry): SampleMetrics {
  return {
    skipped:
      sharedCounter(registry, {
        name: 'faultline_samples_skipped_total',
        help: 'Error events past samples_per_minute for their group: counted, but their details not stored.',
        labelNames: ['processor'] as const,
      }),
    groupsTracked:
      sharedGauge(registry, {
        name: 'faultline_sample_groups_tracked',
        help: 'Groups whose current minute a sample processor tracks (at most max_groups).',
        labelNames: ['processor'] as const,
      }),
    groupsEvicted:
      sharedCounter(registry, {
        name: 'faultline_sample_groups_evicted_total',
        help: 'Groups forgotten before their minute was over because max_groups was reached.',
        labelNames: ['processor'] as const,
      }),
  };
}
