// A decode worker (decode-pool.ts starts them): takes one request body at a time, runs
// decodeRequest() on it exactly as the event loop would, and posts back only what the pipeline
// needs: the counts, the partial-success message and the extracted batch (extracted-message.ts).
// A failure is posted as its code and message, so the loop rethrows the same FaultlineError.
// On Linux the worker lowers its own thread's priority (nice 10): when cores are short, the event
// loop — health probes, replies, the queue's consumers — runs first and decodes take the rest.

import { parentPort } from 'node:worker_threads';
import { FaultlineError } from '../errors.js';
import { lowerThreadPriority } from '../internal/thread-priority.js';
import type { ExtractOptions } from '../extract/options.js';
import type { Signal } from '../otlp/types.js';
import { decodeRequest, describeRejections, type PayloadFormat } from './decode-request.js';
import { toMessage, type ExtractedMessage } from './extracted-message.js';

export interface DecodeJob {
  readonly id: number;
  readonly signal: Signal;
  readonly format: PayloadFormat;
  readonly body: Uint8Array;
  readonly options: ExtractOptions;
}

export type DecodeReply =
  | {
      readonly id: number;
      readonly ok: true;
      readonly accepted: number;
      readonly rejected: number;
      readonly errorMessage: string;
      readonly batch: ExtractedMessage | undefined;
    }
  | {
      readonly id: number;
      readonly ok: false;
      /** Set when a FaultlineError was thrown; otherwise the loop rebuilds a plain Error. */
      readonly code: FaultlineError['code'] | undefined;
      readonly message: string;
      readonly retryAfterSeconds: number | undefined;
    };

if (parentPort !== null) lowerThreadPriority();

parentPort?.on('message', (job: DecodeJob) => {
  let reply: DecodeReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const decoded = decodeRequest(job.signal, job.format, job.body, job.options);
    const encoded = decoded.batch === undefined ? undefined : toMessage(decoded.batch);
    transfer = encoded?.transfer ?? [];
    reply = {
      id: job.id,
      ok: true,
      accepted: decoded.accepted,
      rejected: decoded.rejected.length,
      errorMessage: describeRejections(decoded.rejected, decoded.noun),
      batch: encoded?.message,
    };
  } catch (error) {
    const faultline = error instanceof FaultlineError ? error : undefined;
    reply = {
      id: job.id,
      ok: false,
      code: faultline?.code,
      message: error instanceof Error ? error.message : String(error),
      retryAfterSeconds: faultline?.retryAfterSeconds,
    };
  }
  parentPort!.postMessage(reply, transfer);
});
