// The metrics of the processors' result caches (the scrub processor's scrubbed texts, the group
// processor's parsed stack traces), got or created on the instance's registry so every processor
// shares them by label. Counts are added once per batch from LruCache.takeCounts().

import { Counter, type Registry } from 'prom-client';
import { sharedCounter } from '../metrics/shared-metric.js';
import type { LruCache } from '../internal/lru-cache.js';

export interface CacheMetrics {
  /** Lookups by processor id, cache name and result (`hit`, `miss`). */
  readonly lookups: Counter<'processor' | 'cache' | 'result'>;
  /** Entries dropped to make room (the cache's size key reached). */
  readonly evictions: Counter<'processor' | 'cache'>;
}

export function createCacheMetrics(registry: Registry): CacheMetrics {
  return {
    lookups:
      sharedCounter(registry, {
        name: 'faultline_processor_cache_lookups_total',
        help: 'Lookups in a processor result cache, by cache and result (hit or miss).',
        labelNames: ['processor', 'cache', 'result'] as const,
      }),
    evictions:
      sharedCounter(registry, {
        name: 'faultline_processor_cache_evictions_total',
        help: 'Entries dropped from a processor result cache because it was full.',
        labelNames: ['processor', 'cache'] as const,
      }),
  };
}

/** Returns a function that adds `cache`'s counts since its last call to the metrics. */
export function cacheReporter(registry: Registry, processor: string, name: string, cache: Pick<LruCache<unknown, unknown>, 'takeCounts'>): () => void {
  const metrics = createCacheMetrics(registry);
  const hits = metrics.lookups.labels({ processor, cache: name, result: 'hit' });
  const misses = metrics.lookups.labels({ processor, cache: name, result: 'miss' });
  const evictions = metrics.evictions.labels({ processor, cache: name });
  // Present from the start, so a rate() over them never starts from a missing series.
  hits.inc(0);
  misses.inc(0);
  evictions.inc(0);
  return () => {
    const counts = cache.takeCounts();
    if (counts.hits > 0) hits.inc(counts.hits);
    if (counts.misses > 0) misses.inc(counts.misses);
    if (counts.evictions > 0) evictions.inc(counts.evictions);
  };
}
