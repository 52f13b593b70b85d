// The seam after extraction: every stage downstream (metrics, later grouping and alerts) is a
// Consumer. The queue owns the batch while it waits; once consume() returns, the consumer must
// not keep references into it that it expects to change (batches are readonly and never reused).

import type { Extracted } from '../extract/error-event.js';

export interface Consumer {
  /** Must not throw for bad data; a thrown error is logged and counted, and the batch is dropped from that consumer only. */
  consume(batch: Extracted): void;
}

/** Hands each batch to every consumer in order; one consumer failing does not starve the others. */
export function fanOut(consumers: readonly Consumer[], onError: (error: unknown) => void): Consumer {
  return {
    consume(batch) {
      for (const consumer of consumers) {
        try {
          consumer.consume(batch);
        } catch (error) {
          onError(error);
        }
      }
    },
  };
}
