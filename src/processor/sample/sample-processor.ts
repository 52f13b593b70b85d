// The `sample` processor keeps storage bounded when one error floods: per group, the first
// `samples_per_minute` events of each minute (see config.ts) pass as they are; later ones are handed on
// with keepSample: false, so the group store counts them but keeps no details. Nothing is dropped:
// counts, metrics and alerts stay exact. The group is the `group` processor's fingerprint, or
// service + exception type before grouping. A group's minute starts at its first event (by the
// injected clock).
//
// Bounded: at most `max_groups` minutes are tracked. Finished minutes are forgotten
// first; past the bound the oldest minute is forgotten early (that group may then keep more than N),
// counted in faultline_sample_groups_evicted_total. Also faultline_samples_skipped_total and the
// faultline_sample_groups_tracked gauge, all by {processor}.

import type { BuiltProcessor, ProcessorContext } from '../../component.js';
import type { SampleProcessorConfig } from './config.js';
import type { ErrorEvent, Extracted } from '../../extract/error-event.js';
import { createSampleMetrics } from './sample-metrics.js';
import type { ProcessorFactory } from '../../component.js';
import { SAMPLE_DEFAULTS, sampleProcessorType } from './config.js';

const MINUTE_MS = 60_000;

interface Window {
  readonly startMs: number;
  kept: number;
}

export function createSampleProcessor(config: SampleProcessorConfig, context: ProcessorContext): BuiltProcessor {
  const metrics = createSampleMetrics(context.registry);
  const labels = { processor: config.id };
  const skipped = metrics.skipped.labels(labels);
  const evicted = metrics.groupsEvicted.labels(labels);
  const tracked = metrics.groupsTracked.labels(labels);
  skipped.inc(0);
  evicted.inc(0);
  tracked.set(0);
  // Insertion order is window start order: a group whose minute restarts is re-inserted, so the
  // finished and the oldest windows are always at the front.
  const windows = new Map<string, Window>();

  function forgetFinished(nowMs: number): void {
    for (const [key, window] of windows) {
      if (nowMs - window.startMs < MINUTE_MS) break;
      windows.delete(key);
    }
  }

  function windowOf(key: string, nowMs: number): Window {
    let window = windows.get(key);
    if (window !== undefined && nowMs - window.startMs < MINUTE_MS) return window;
    if (window !== undefined) windows.delete(key);
    else if (windows.size >= config.maxGroups) {
      forgetFinished(nowMs);
      if (windows.size >= config.maxGroups) {
        windows.delete(windows.keys().next().value!);
        evicted.inc();
      }
    }
    window = { startMs: nowMs, kept: 0 };
    windows.set(key, window);
    return window;
  }

  return {
    processor: {
      process(batch: Extracted): Extracted {
        if (batch.events.length === 0) return batch;
        const nowMs = context.clock.now();
        forgetFinished(nowMs);
        let events: ErrorEvent[] | null = null;
        let skippedNow = 0;
        for (let i = 0; i < batch.events.length; i++) {
          const event = batch.events[i];
          let next = event;
          if (event.keepSample !== false) {
            const window = windowOf(groupKey(event), nowMs);
            if (window.kept < config.samplesPerMinute) window.kept++;
            else {
              next = { ...event, keepSample: false };
              skippedNow++;
              events ??= batch.events.slice(0, i);
            }
          }
          events?.push(next);
        }
        if (skippedNow > 0) skipped.inc(skippedNow);
        tracked.set(windows.size);
        return events === null ? batch : { ...batch, events };
      },
    },
  };
}

function groupKey(event: ErrorEvent): string {
  return event.grouping?.fingerprint ?? `${event.service}\u0000${event.type}`;
}

export const sampleProcessorFactory: ProcessorFactory<SampleProcessorConfig> = {
  type: 'sample',
  defaults: SAMPLE_DEFAULTS,
  schema: sampleProcessorType,
  create: createSampleProcessor,
};
