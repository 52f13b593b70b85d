// Processors are the stages between extraction and the exporters (filter, scrub, grouping,
// sampling…), run in the order a pipeline lists them. Each returns the batch to hand on: the same
// object when it changed nothing, else a new one. Never mutate the batch received. A stage that
// throws loses that batch for its pipeline only; the failure goes to `onFailure` under the stage's
// name, and the next batch runs through the same stages as before.

import type { Extracted } from '../extract/error-event.js';
import type { Consumer, OnStageFailure } from './consumer.js';

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

/** A stage and the name its failures are counted under (`processor.<id>`). */
export type NamedStage = Stage & { readonly name: string };

export interface NamedProcessor {
  readonly name: string;
  readonly processor: Processor;
}

/** Builds the consumer that runs `stages` in order, then hands the result to `next`. */
export function chainStages(stages: readonly NamedStage[], next: Consumer, options: LaneOptions, onFailure: OnStageFailure): Consumer {
  let consumer = next;
  let processors: NamedProcessor[] = [];
  for (let i = stages.length - 1; i >= 0; i--) {
    const stage = stages[i]!;
    if ('processor' in stage) {
      processors.unshift({ name: stage.name, processor: stage.processor });
    } else {
      // What follows the holding stage is guarded on its own, so a throw that reaches here is the stage's.
      const lane = stage.holding.lane(chainProcessors(processors, consumer, onFailure), options);
      consumer = guarded(stage.name, lane, onFailure);
      processors = [];
    }
  }
  return chainProcessors(processors, consumer, onFailure);
}

/** Runs `processors` in order, then hands the result to `next`; a processor that throws ends that batch here. */
export function chainProcessors(processors: readonly NamedProcessor[], next: Consumer, onFailure: OnStageFailure): Consumer {
  if (processors.length === 0) return next;
  return {
    consume(batch) {
      let current = batch;
      for (const { name, processor } of processors) {
        try {
          current = processor.process(current);
        } catch (error) {
          onFailure(name, error);
          return;
        }
      }
      next.consume(current);
    },
  };
}

function guarded(name: string, consumer: Consumer, onFailure: OnStageFailure): Consumer {
  return {
    consume(batch) {
      try {
        consumer.consume(batch);
      } catch (error) {
        onFailure(name, error);
      }
    },
  };
}
