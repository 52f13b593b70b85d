// The self-metric accounting every receiver does, as the Collector's receiverhelper does it: one
// call when a request ends, whatever the transport. It counts requests by outcome, accepted,
// refused and skipped items, decode errors and the request's duration (faultline_receiver_*),
// and logs only unexpected failures (FL_INTERNAL), never bad input.

import type { Logger } from 'pino';
import { asFaultlineError } from '../errors.js';
import type { SelfMetrics } from '../metrics/self-metrics.js';
import type { Signal } from '../otlp/types.js';
import { refusalReason } from './status.js';

export type Transport = 'grpc' | 'http';

export interface ReceiverObserver {
  /** The request reached the pipeline: `accepted` items queued, `rejected` refused as invalid. */
  accepted(signal: Signal, result: { accepted: number; rejected: number; skippedExceptions: number }, startedAt: bigint): void;
  /** The request was refused whole, as invalid (each problem reported back), with `items` in it. */
  invalid(signal: Signal, items: number, startedAt: bigint): void;
  /**
   * The request failed with `error`; `items` is how many items it held when that is known (a
   * report is one), else 0, and they are counted as refused under the error's reason.
   */
  failed(signal: Signal, error: unknown, startedAt: bigint, items?: number): void;
}

export function createReceiverObserver(options: {
  receiver: string;
  transport: Transport;
  selfMetrics: SelfMetrics;
  logger: Logger;
  /** What a request is called in the log line of an unexpected failure (`export`, `report`). */
  operation: string;
}): ReceiverObserver {
  const { receiver, transport, selfMetrics, logger, operation } = options;
  const labelsOf = (signal: Signal) => ({ receiver, transport, signal });
  const observeDuration = (signal: Signal, startedAt: bigint) =>
    selfMetrics.requestDuration.observe(labelsOf(signal), Number(process.hrtime.bigint() - startedAt) / 1e9);

  return {
    accepted(signal, result, startedAt) {
      const labels = labelsOf(signal);
      selfMetrics.acceptedItems.inc(labels, result.accepted);
      if (result.rejected > 0) selfMetrics.refusedItems.inc({ ...labels, reason: 'invalid' }, result.rejected);
      if (result.accepted === 0 && result.rejected === 0) selfMetrics.emptyRequests.inc(labels);
      if (result.skippedExceptions > 0) selfMetrics.skippedExceptions.inc(labels, result.skippedExceptions);
      selfMetrics.requests.inc({ ...labels, outcome: result.rejected > 0 ? 'partial' : 'success' });
      observeDuration(signal, startedAt);
    },
    invalid(signal, items, startedAt) {
      const labels = labelsOf(signal);
      selfMetrics.requests.inc({ ...labels, outcome: 'refused' });
      selfMetrics.refusedItems.inc({ ...labels, reason: 'invalid' }, items);
      observeDuration(signal, startedAt);
    },
    failed(signal, error, startedAt, items = 0) {
      const failure = asFaultlineError(error);
      const labels = labelsOf(signal);
      if (failure.code === 'FL_DECODE') selfMetrics.decodeErrors.inc(labels);
      if (failure.code === 'FL_INTERNAL') logger.error({ err: error, receiver, transport, signal }, `${operation} request failed`);
      selfMetrics.requests.inc({ ...labels, outcome: failure.retryable ? 'error' : 'refused' });
      if (items > 0) selfMetrics.refusedItems.inc({ ...labels, reason: refusalReason(failure.code) }, items);
      observeDuration(signal, startedAt);
    },
  };
}
