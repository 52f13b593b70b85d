// The identity processor's metrics, got or created on the instance's registry so any number of
// identity processors share them (label `processor`, the component id).

import { Counter, Gauge, type Registry } from 'prom-client';
import { sharedCounter, sharedGauge } from '../../metrics/shared-metric.js';

export interface IdentityMetrics {
  /** Every error record that reached the processor, before folding. */
  readonly records: Counter<'processor' | 'source'>;
  readonly folded: Counter<'processor' | 'reason'>;
  readonly pendingTraces: Gauge<'processor'>;
  readonly rememberedTraces: Gauge<'processor'>;
  readonly limitHits: Counter<'processor' | 'limit'>;
}

export function createIdentityMetrics(registry: Registry): IdentityMetrics {
  return {
    records: sharedCounter(registry, {
      name: 'faultline_error_records_total',
      help: 'Error records (exception span events, ERROR spans, error log records, reports) before the copies of one error are folded into one event.',
      labelNames: ['processor', 'source'] as const,
    }),
    folded: sharedCounter(registry, {
      name: 'faultline_error_records_folded_total',
      help: 'Error records folded into an event of the same error in the same trace, by why they were the same error.',
      labelNames: ['processor', 'reason'] as const,
    }),
    pendingTraces: sharedGauge(registry, {
      name: 'faultline_identity_pending_traces',
      help: 'Traces whose error records wait for the rest of the trace (at most max_pending_traces).',
      labelNames: ['processor'] as const,
    }),
    rememberedTraces: sharedGauge(registry, {
      name: 'faultline_identity_remembered_traces',
      help: 'Settled traces whose errors are remembered so late copies fold (at most remembered_traces).',
      labelNames: ['processor'] as const,
    }),
    limitHits: sharedCounter(registry, {
      name: 'faultline_identity_limit_hits_total',
      help: 'Traces settled early or forgotten early because a bound of the identity processor was reached.',
      labelNames: ['processor', 'limit'] as const,
    }),
  };
}
