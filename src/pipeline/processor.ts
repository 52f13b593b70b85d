// Processors are the stages between extraction and the exporters (filter, scrub, grouping,
// sampling…), run in the order a pipeline lists them. Each returns the batch to hand on: the same
// object when it changed nothing, else a new one. Never mutate the batch received.

import type { Extracted } from '../extract/error-event.js';
import type { Consumer } from './consumer.js';

export interface Processor {
  process(batch: Extracted): Extracted;
}

/** What a pipeline tells a holding stage about the events it hands on. */
export interface LaneOptions {
  /** The pipeline's errors processor: keep exception events the request handled. */
  readonly includeHandledExceptions: boolean;
}

/**
 * A stage that may hold events and hand them on later, from a timer (the identity processor waits
 * for the rest of a trace). It wraps the rest of the pipeline: lane(next) is the consumer that
 * pipeline's batches go to, and whatever it holds goes on to `next`, never to another pipeline's.
 */
export interface HoldingStage {
  lane(next: Consumer, options: LaneOptions): Consumer;
}

/** A pipeline's stages in order: plain processors, and holding stages that wrap what follows them. */
export type Stage = { readonly processor: Processor } | { readonly holding: HoldingStage };

/** Builds the consumer that runs `stages` in order, then hands the result to `next`. */
export function chainStages(stages: readonly Stage[], next: Consumer, options: LaneOptions): Consumer {
  let consumer = next;
  let processors: Processor[] = [];
  for (let i = stages.length - 1; i >= 0; i--) {
    const stage = stages[i]!;
    if ('processor' in stage) {
      processors.unshift(stage.processor);
    } else {
      consumer = stage.holding.lane(chainProcessors(processors, consumer), options);
      processors = [];
    }
  }
  return chainProcessors(processors, consumer);
}

/** Runs `processors` in order, then hands the result to `next`. */
export function chainProcessors(processors: readonly Processor[], next: Consumer): Consumer {
  if (processors.length === 0) return next;
  return {
    consume(batch) {
      let current = batch;
      for (const processor of processors) current = processor.process(current);
      next.consume(current);
    },
  };
}
