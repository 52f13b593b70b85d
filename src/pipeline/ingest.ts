// One export request, from body bytes to queued events: decode (protobuf or OTLP/JSON into the
// one representation) → extract error events and span timings → queue for the consumers.
// Receivers of both transports call this; it is where a receiver's signals meet the pipelines
// that list it. Decoding and extraction run synchronously on the event loop, once the request's
// turn has come (turn(): requests decode one per turn of the loop).

import { decodeError, FaultlineError } from '../errors.js';
import type { Extracted } from '../extract/error-event.js';
import { extractFromLogs } from '../extract/from-logs.js';
import { extractFromTraces } from '../extract/from-spans.js';
import { jsonNestsDeeperThan } from '../internal/json-depth.js';
import type { ExtractOptions } from '../extract/options.js';
import { decodeLogsJson } from '../otlp/json/decode-logs-json.js';
import { decodeMetricsJson } from '../otlp/json/decode-metrics-json.js';
import { decodeTracesJson } from '../otlp/json/decode-traces-json.js';
import { decodeLogsProtobuf } from '../otlp/protobuf/decode-logs.js';
import { decodeMetricsProtobuf } from '../otlp/protobuf/decode-metrics.js';
import { decodeTracesProtobuf } from '../otlp/protobuf/decode-traces.js';
import type { Rejection, Signal } from '../otlp/types.js';
import type { Consumer } from './consumer.js';
import { admitInto, type QueueStage } from './queue-stage.js';

export type PayloadFormat = 'protobuf' | 'json';

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
   */
  turn(bodyBytes: number): Promise<void>;
  /** Throws what turn() rejects with when the queue admits nothing now (before a body is read). */
  admit(): void;
  /**
   * Decodes, extracts and queues one request. Throws FaultlineError: FL_DECODE when the body is
   * unusable (nothing kept), FL_OVERLOADED or FL_SHUTTING_DOWN when the sender should retry.
   */
  accept(signal: Signal, format: PayloadFormat, body: Uint8Array): IngestResult;
}

const REJECTIONS_NAMED = 5;
/** Extraction reads a few attributes per item; events detach theirs before they leave (extract/). */
const LAZY = { lazyAttributes: true } as const;
const utf8 = new TextDecoder('utf-8', { fatal: true });
/**
 * OTLP/JSON nests about 12 levels to an attribute's value, and 4 more per level of AnyValue (32 at
 * most, otlp/protobuf/decode-common.ts): deeper than this is no OTLP request, and is refused before
 * JSON.parse spends memory on it.
 */
export const MAX_OTLP_JSON_DEPTH = 256;

export function createIngest(options: {
  routes: { readonly [S in Signal]?: SignalRoute };
  queue: QueueStage;
}): Ingest {
  const { routes, queue } = options;

  return {
    serves: (signal) => routes[signal] !== undefined,
    admit: () => admitInto(queue),
    async turn(bodyBytes) {
      admitInto(queue);
      const release = queue.holdBytes(bodyBytes);
      try {
        await queue.turns.take();
      } finally {
        release();
      }
    },
    accept(signal, format, body) {
      const route = routes[signal];
      if (route === undefined) throw new FaultlineError('FL_NOT_FOUND', `this receiver is not in a ${signal} pipeline`);
      admitInto(queue);
      switch (signal) {
        case 'traces': {
          const decoded = format === 'json' ? decodeTracesJson(asText(body)) : decodeTracesProtobuf(body, LAZY);
          return queueBatch(extractFromTraces(decoded, route.options), decoded.spanCount, decoded.rejected, 'spans', route, body.length);
        }
        case 'logs': {
          const decoded = format === 'json' ? decodeLogsJson(asText(body)) : decodeLogsProtobuf(body, LAZY);
          return queueBatch(extractFromLogs(decoded, route.options), decoded.logRecordCount, decoded.rejected, 'log records', route, body.length);
        }
        case 'metrics': {
          // Metrics are counted and dropped: SDKs that send every signal to one endpoint stay quiet.
          const decoded = format === 'json' ? decodeMetricsJson(asText(body)) : decodeMetricsProtobuf(body);
          return result(decoded.dataPointCount, decoded.rejected, 'data points', 0);
        }
      }
    },
  };

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

function asText(body: Uint8Array): string {
  if (jsonNestsDeeperThan(body, MAX_OTLP_JSON_DEPTH)) throw decodeError(`JSON nested deeper than ${MAX_OTLP_JSON_DEPTH} levels`);
  try {
    return utf8.decode(body);
  } catch {
    throw decodeError('JSON body is not valid UTF-8');
  }
}

export function describeRejections(rejected: readonly Rejection[], noun: string): string {
  if (rejected.length === 0) return '';
  const named = rejected
    .slice(0, REJECTIONS_NAMED)
    .map((item) => `${item.path}: ${item.reason}`)
    .join('; ');
  const more = rejected.length > REJECTIONS_NAMED ? `; and ${rejected.length - REJECTIONS_NAMED} more` : '';
  return `${rejected.length} ${noun} rejected: ${named}${more}`;
}
