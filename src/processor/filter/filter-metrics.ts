// The filter processor's metric, got or created on the instance's registry so any number of
// filter processors share it.

import { Counter, type Registry } from 'prom-client';
import { sharedCounter } from '../../metrics/shared-metric.js';

export interface FilterMetrics {
  /** Events dropped, by processor id and rule name. */
  readonly filtered: Counter<'processor' | 'rule'>;
}

export function createFilterMetrics(registry: Registry): FilterMetrics {
  return {
    filtered:
      sharedCounter(registry, {
        name: 'faultline_events_filtered_total',
        help: 'Error events dropped by a filter processor rule.',
        labelNames: ['processor', 'rule'] as const,
      }),
  };
}
