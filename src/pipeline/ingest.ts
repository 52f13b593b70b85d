// One export request, from body bytes to queued events: decode (protobuf or OTLP/JSON into the
// one representation) → extract error events and span timings (decode-request.ts) → queue for the
// consumers. Receivers of both transports call this; it is where a receiver's signals meet the
// pipelines that list it. Requests decode once their turn has come (turn(): one per turn of the
// loop); a body of at least OFFLOAD_BYTES decodes on the decode pool (decode-pool.ts) when there
// is one, so no single request holds the event loop for long, and the rest on the loop.

import { FaultlineError } from '../errors.js';
import type { Extracted } from '../extract/error-event.js';
import type { ExtractOptions } from '../extract/options.js';
import type { Rejection, Signal } from '../otlp/types.js';
import type { Consumer } from './consumer.js';
import type { DecodePool } from './decode-pool.js';
import { decodeRequest, describeRejections, type PayloadFormat } from './decode-request.js';
import { admitInto, type BodyReservation, type QueueStage } from './queue-stage.js';

export { describeRejections, MAX_OTLP_JSON_DEPTH, type PayloadFormat } from './decode-request.js';

export interface IngestResult {
  readonly accepted: number;
  readonly rejected: number;
  /** Empty when nothing was rejected; otherwise names the first few rejected items and why. */
  readonly errorMessage: string;
  /** Exception records with neither a type nor a message, which made no error event. */
  readonly skippedExceptions: number;
}

/** The pipeline a signal feeds, as built by service.ts. */
export interface SignalRoute {
  readonly options: ExtractOptions;
  readonly consumer: Consumer;
}

export interface Ingest {
  /** Whether this receiver is listed in the signal's pipeline. */
  serves(signal: Signal): boolean;
  /**
   * Resolves when this request may decode: requests take turns at the event loop (turn-gate.ts).
   * Rejects, without waiting, with what accept() would throw when the queue admits nothing now. While it
   * waits, its body's `bodyBytes` count against the queue's byte bound (service.queue_bytes):
   * bodies read from many connections at once wait here, and are memory like the queued batches.
   * `reading`: the reservation the body was read under (queue.reserveBody()), given back as its
   * bytes are held here instead.
   */
  turn(bodyBytes: number, reading?: BodyReservation): Promise<void>;
  /** Throws what turn() rejects with when the queue admits nothing now (before a body is read). */
  admit(): void;
  /** A reservation to read a body under (QueueStage.reserveBody), handed to turn() once read. */
  reserveBody(): BodyReservation;
  /**
   * Decodes, extracts and queues one request. Throws FaultlineError: FL_DECODE when the body is
   * unusable (nothing kept), FL_OVERLOADED or FL_SHUTTING_DOWN when the sender should retry.
   */
  accept(signal: Signal, format: PayloadFormat, body: Uint8Array): IngestResult;
  /**
   * accept(), with a body of at least OFFLOAD_BYTES decoded on the decode pool when there is one
   * (same result, same errors); its bytes count against service.queue_bytes until its batch is
   * queued. Takes the body: the caller must not read it afterwards.
   */
  acceptAsync(signal: Signal, format: PayloadFormat, body: Uint8Array): Promise<IngestResult>;
}

/**
 * Bodies smaller than this decode on the loop: tens of milliseconds at most, less than a worker's
 * round trip costs. The SDKs' default batches of 512 spans (350–700 KiB of OTLP) stay under it:
 * sent to the workers, they cost about 30% more CPU per span end to end (bench/README.md).
 */
export const OFFLOAD_BYTES = 1024 * 1024;

export function createIngest(options: {
  routes: { readonly [S in Signal]?: SignalRoute };
  queue: QueueStage;
  /** Where large bodies decode; none: every body decodes on the loop. */
  decodePool?: DecodePool;
  /** Default OFFLOAD_BYTES; tests send small bodies to the pool. */
  offloadBytes?: number;
}): Ingest {
  const { routes, queue, decodePool } = options;
  const offloadBytes = options.offloadBytes ?? OFFLOAD_BYTES;

  function routeOf(signal: Signal): SignalRoute {
    const route = routes[signal];
    if (route === undefined) throw new FaultlineError('FL_NOT_FOUND', `this receiver is not in a ${signal} pipeline`);
    return route;
  }

  const ingest: Ingest = {
    serves: (signal) => routes[signal] !== undefined,
    admit: () => admitInto(queue),
    reserveBody: () => queue.reserveBody(),
    async turn(bodyBytes, reading) {
      reading?.close();
      admitInto(queue);
      const release = queue.holdBytes(bodyBytes);
      try {
        await queue.turns.take();
      } finally {
        release();
      }
    },
    accept(signal, format, body) {
      const route = routeOf(signal);
      admitInto(queue);
      const decoded = decodeRequest(signal, format, body, route.options);
      if (decoded.batch === undefined) return result(decoded.accepted, decoded.rejected, decoded.noun, 0);
      return queueBatch(decoded.batch, decoded.accepted, decoded.rejected, decoded.noun, route, body.length);
    },
    async acceptAsync(signal, format, body) {
      if (decodePool === undefined || body.length < offloadBytes) return ingest.accept(signal, format, body);
      const route = routeOf(signal);
      admitInto(queue);
      const release = queue.holdBytes(body.length);
      let decoded;
      try {
        decoded = await decodePool.decode(signal, format, body, route.options);
      } finally {
        release();
      }
      const { batch } = decoded;
      if (batch === undefined) return { accepted: decoded.accepted, rejected: decoded.rejected, errorMessage: decoded.errorMessage, skippedExceptions: 0 };
      // Admitted before it decoded; only a drain begun meanwhile refuses it now (nothing acknowledged is dropped).
      if (queue.closed) admitInto(queue);
      // Its server spans no longer read the request's bytes (extracted-message.ts): no request bytes to count.
      if (batch.events.length > 0 || batch.timings.length > 0) queue.enqueue(batch, decoded.accepted, route.consumer, 0);
      return { accepted: decoded.accepted, rejected: decoded.rejected, errorMessage: decoded.errorMessage, skippedExceptions: batch.skippedExceptions };
    },
  };
  return ingest;

  function queueBatch(
    batch: Extracted,
    accepted: number,
    rejected: readonly Rejection[],
    noun: string,
    route: SignalRoute,
    requestBytes: number,
  ): IngestResult {
    if (batch.events.length > 0 || batch.timings.length > 0) queue.enqueue(batch, accepted, route.consumer, requestBytes);
    return result(accepted, rejected, noun, batch.skippedExceptions);
  }
}

function result(
  accepted: number,
  rejected: readonly Rejection[],
  noun: string,
  skippedExceptions: number,
): IngestResult {
  return { accepted, rejected: rejected.length, errorMessage: describeRejections(rejected, noun), skippedExceptions };
}

