// The seam after extraction: every stage downstream (metrics, later grouping and alerts) is a
// Consumer. The queue owns the batch while it waits; once consume() returns, the consumer must
// not keep references into it that it expects to change (batches are readonly and never reused).
//
// A stage that throws on a batch loses that batch, and only for its own pipeline (a processor) or
// only for itself (an exporter): every other batch, pipeline and exporter carries on. Each failure
// is logged and counted in faultline_pipeline_failures_total{stage}.

import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { Extracted } from '../extract/error-event.js';

export interface Consumer {
  /** Must not throw for bad data; a thrown error is logged and counted, and the batch is dropped from that consumer only. */
  consume(batch: Extracted): void;
}

/**
 * Told when a stage threw on a batch. `stage` names it as health does: `processor.<id>`,
 * `exporter.<id>`, or `queue` for a throw no stage caught.
 */
export type OnStageFailure = (stage: string, error: unknown) => void;

export interface NamedConsumer {
  readonly name: string;
  readonly consumer: Consumer;
}

/** Hands each batch to every consumer in order; one consumer failing does not starve the others. */
export function fanOut(consumers: readonly NamedConsumer[], onFailure: OnStageFailure): Consumer {
  return {
    consume(batch) {
      for (const { name, consumer } of consumers) {
        try {
          consumer.consume(batch);
        } catch (error) {
          onFailure(name, error);
        }
      }
    },
  };
}

/** The one failure handler a Faultline instance gives its pipelines: count, and log one line. */
export function countStageFailures(failures: Counter<'stage'>, logger: Logger): OnStageFailure {
  return (stage, error) => {
    failures.inc({ stage });
    logger.error({ err: error, stage }, 'a pipeline stage failed; the batch is dropped for that stage');
  };
}
