// The scrub processor's metric, got or created on the instance's registry so any number of scrub
// processors share it.

import { Counter, type Registry } from 'prom-client';
import { sharedCounter } from '../../metrics/shared-metric.js';

export interface ScrubMetrics {
  /** Values removed or masked, by processor id and what was found (see scrubber.ts SCRUB_KINDS). */
  readonly scrubbed: Counter<'processor' | 'kind'>;
}

export function createScrubMetrics(registry: Registry): ScrubMetrics {
  return {
    scrubbed:
      sharedCounter(registry, {
        name: 'faultline_scrubbed_values_total',
        help: 'Secrets and personal data removed or masked by a scrub processor, by what was found.',
        labelNames: ['processor', 'kind'] as const,
      }),
  };
}
