// Processors are the stages between extraction and the exporters (filter, scrub, grouping,
// sampling…), run in the order a pipeline lists them. Each returns the batch to hand on: the same
// object when it changed nothing, else a new one. Never mutate the batch received.

import type { Extracted } from '../extract/error-event.js';
import type { Consumer } from './consumer.js';

export interface Processor {
  process(batch: Extracted): Extracted;
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
