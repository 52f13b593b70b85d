// The `group` processor: gives every error event its Grouping (fingerprint, method, rule, version,
// title, culprit, frames; see fingerprint.ts). Copies of one error in one trace (a span event and
// its log record…) are folded after it, by the identity processor, which compares these frames.
//
// Keys (processors.group, see config.ts): in_app_include, in_app_exclude, fingerprint_rules,
// cache_size. Error streams repeat: the same
// stack trace of the same service and type arrives thousands of times, so what it decides (parsed
// frames, culprit, the frames part of the fingerprint; see groupStack) is kept in a bounded LRU
// cache; the result is the same as without it, only cheaper. It runs implicitly, after scrub, in every traces
// and logs pipeline that lists no group processor of its own; one instance serves both pipelines.
//
// Metrics (label `processor`, the component id): faultline_events_grouped_total{method},
// faultline_stacktraces_unparsed_total,
// faultline_processor_cache_lookups_total{cache="stacktraces", result} and
// faultline_processor_cache_evictions_total{cache="stacktraces"}.
// Never throws on input; it returns new event objects and never mutates the batch it receives.

import { Counter, type Registry } from 'prom-client';
import { sharedCounter } from '../metrics/shared-metric.js';
import type { BuiltProcessor } from '../component.js';
import type { ErrorEvent, Extracted } from '../extract/error-event.js';
import type { Clock } from '../internal/clock.js';
import { LruCache, secondSighting } from '../internal/lru-cache.js';
import { cacheReporter } from '../processor/cache-metrics.js';
import type { GroupProcessorConfig } from './config.js';
import type { AdminRoutes } from '../admin/admin-server.js';
import { registerSourceMapUpload } from './sourcemap/sourcemap-upload.js';
import { computeGrouping, createGroupingOptions, groupStack, groupStructured, type StackGrouping } from './fingerprint.js';
import type { GroupingMethod } from './grouping.js';
import type { ProcessorFactory } from '../component.js';
import { GROUP_PROCESSOR_DEFAULTS, groupProcessorType } from './config.js';

export interface GroupProcessorMetrics {
  readonly grouped: Counter<'processor' | 'method'>;
  readonly unparsed: Counter<'processor'>;
}

/** Gets or creates the metrics on `registry`: several group processors share them by label. */
export function groupProcessorMetrics(registry: Registry): GroupProcessorMetrics {
  return {
    grouped:
      sharedCounter(registry, {
        name: 'faultline_events_grouped_total',
        help: 'Error events grouped, by the method that decided the fingerprint.',
        labelNames: ['processor', 'method'] as const,
      }),
    unparsed:
      sharedCounter(registry, {
        name: 'faultline_stacktraces_unparsed_total',
        help: 'Error events whose stack trace was present but yielded no frames (grouped by message).',
        labelNames: ['processor'] as const,
      }),
  };
}

/** (service, type) pairs remembered per cached stack trace. */
const ENTRIES_PER_STACKTRACE = 4;

/** A stack trace's grouping, for the service and exception type it was computed for. */
interface CachedStack {
  readonly service: string;
  readonly type: string;
  readonly release: string;
  readonly stack: StackGrouping;
}

const METHODS: readonly GroupingMethod[] = ['client', 'rule', 'frames', 'message'];

/** Longer stack traces are not cached (they are parsed each time), so the cache's memory stays bounded. */
export const MAX_CACHED_STACKTRACE_CHARS = 16 * 1024;

export function createGroupProcessor(
  config: GroupProcessorConfig,
  context: { readonly registry: Registry; readonly clock: Clock; readonly admin?: AdminRoutes },
): BuiltProcessor {
  const options = createGroupingOptions(config);
  // Several group processors may name a directory: the first one registered takes the uploads.
  if (options.sourceMaps !== undefined && context.admin !== undefined) registerSourceMapUpload(context.admin, options.sourceMaps);
  const metrics = groupProcessorMetrics(context.registry);
  const label = { processor: config.id };
  for (const method of METHODS) metrics.grouped.inc({ ...label, method }, 0);
  const groupedBy = Object.fromEntries(METHODS.map((method) => [method, metrics.grouped.labels({ ...label, method })])) as Record<GroupingMethod, { inc(value?: number): void }>;
  metrics.unparsed.inc(label, 0);
  const stacks = config.cacheSize > 0 ? new LruCache<string, readonly CachedStack[]>(config.cacheSize, secondSighting(2 * config.cacheSize)) : null;
  const reportCache = stacks === null ? () => {} : cacheReporter(context.registry, config.id, 'stacktraces', stacks);

  /** The stack trace's part of the grouping, from the cache when the same one was seen lately. */
  function stackOf(event: ErrorEvent): StackGrouping {
    // Frames the sender structured need no parsing, so no cache either.
    if (event.exceptions !== undefined) return groupStructured(event.service, event.type, event.exceptions, options);
    if (stacks === null || event.stacktrace.length > MAX_CACHED_STACKTRACE_CHARS) {
      return groupStack(event.service, event.type, event.stacktrace, options, event.serviceVersion);
    }
    // Keyed by the stack trace string itself, which the event (and the scrub cache) hold anyway,
    // so the cache keeps no copy of it. One trace can come from a few services or types (shared
    // library code): each keeps its own entry, the most recent first.
    const { service, type, stacktrace } = event;
    // With source maps the release picks the map, so it is part of what a cached entry is for.
    const release = options.sourceMaps === undefined ? '' : event.serviceVersion;
    const isFor = (entry: CachedStack) => entry.service === service && entry.type === type && entry.release === release;
    const entries = stacks.get(stacktrace, (cached) => cached.some(isFor));
    const hit = entries?.find(isFor);
    if (hit !== undefined) return hit.stack;
    const stack = groupStack(service, type, stacktrace, options, release);
    // A frame whose map is missing may resolve once the map is uploaded: not cached.
    if (release !== '' && stack.frames.some((frame) => frame.sourceMap === 'missing')) return stack;
    stacks.set(stacktrace, [{ service, type, release, stack }, ...(stacks.peek(stacktrace) ?? []).slice(0, ENTRIES_PER_STACKTRACE - 1)]);
    return stack;
  }
  return {
    processor: {
      process(batch: Extracted): Extracted {
        if (batch.events.length === 0) return batch;
        const events: ErrorEvent[] = [];
        let unparsed = 0;
        const grouped: Record<GroupingMethod, number> = { client: 0, rule: 0, frames: 0, message: 0 };
        for (const event of batch.events) {
          const stack = stackOf(event);
          const grouping = computeGrouping(event, options, stack);
          grouped[grouping.method]++;
          if (stack.unparsed) unparsed++;
          events.push({ ...event, grouping });
        }
        for (const method of METHODS) if (grouped[method] > 0) groupedBy[method].inc(grouped[method]);
        if (unparsed > 0) metrics.unparsed.inc(label, unparsed);
        reportCache();
        return { ...batch, events };
      },
    },
  };
}

export const groupProcessorFactory: ProcessorFactory<GroupProcessorConfig> = {
  type: 'group',
  defaults: GROUP_PROCESSOR_DEFAULTS,
  schema: groupProcessorType,
  create: createGroupProcessor,
};
