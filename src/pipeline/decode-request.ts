// One export request's body → what the pipeline needs of it: decode (protobuf or OTLP/JSON into
// the one representation), then extract error events and span timings. Pure and synchronous, so
// the same function runs on the event loop (ingest.ts, small bodies) and on a decode worker
// (decode-worker.ts, large bodies): both give the same events and throw the same errors.

import { decodeError } from '../errors.js';
import type { Extracted } from '../extract/error-event.js';
import { extractFromLogs } from '../extract/from-logs.js';
import { extractFromTraces } from '../extract/from-spans.js';
import type { ExtractOptions } from '../extract/options.js';
import { jsonNestsDeeperThan } from '../internal/json-depth.js';
import { decodeLogsJson } from '../otlp/json/decode-logs-json.js';
import { decodeMetricsJson } from '../otlp/json/decode-metrics-json.js';
import { decodeTracesJson } from '../otlp/json/decode-traces-json.js';
import { decodeLogsProtobuf } from '../otlp/protobuf/decode-logs.js';
import { decodeMetricsProtobuf } from '../otlp/protobuf/decode-metrics.js';
import { decodeTracesProtobuf } from '../otlp/protobuf/decode-traces.js';
import type { Rejection, Signal } from '../otlp/types.js';

export type PayloadFormat = 'protobuf' | 'json';

export interface DecodedRequest {
  /** What to queue; undefined for metrics (counted and dropped). */
  readonly batch: Extracted | undefined;
  /** Items decoded and kept (spans, log records, data points). */
  readonly accepted: number;
  readonly rejected: readonly Rejection[];
  /** What an item is called in the partial-success message: `spans`, `log records`, `data points`. */
  readonly noun: string;
}

/** Extraction reads a few attributes per item; events detach theirs before they leave (extract/). */
const LAZY = { lazyAttributes: true } as const;
const utf8 = new TextDecoder('utf-8', { fatal: true });
/**
 * OTLP/JSON nests about 12 levels to an attribute's value, and 4 more per level of AnyValue (32 at
 * most, otlp/protobuf/decode-common.ts): deeper than this is no OTLP request, and is refused before
 * JSON.parse spends memory on it.
 */
export const MAX_OTLP_JSON_DEPTH = 256;

/** Throws FaultlineError FL_DECODE when the body is unusable (nothing kept). */
export function decodeRequest(signal: Signal, format: PayloadFormat, body: Uint8Array, options: ExtractOptions): DecodedRequest {
  switch (signal) {
    case 'traces': {
      const decoded = format === 'json' ? decodeTracesJson(asText(body)) : decodeTracesProtobuf(body, LAZY);
      return { batch: extractFromTraces(decoded, options), accepted: decoded.spanCount, rejected: decoded.rejected, noun: 'spans' };
    }
    case 'logs': {
      const decoded = format === 'json' ? decodeLogsJson(asText(body)) : decodeLogsProtobuf(body, LAZY);
      return { batch: extractFromLogs(decoded, options), accepted: decoded.logRecordCount, rejected: decoded.rejected, noun: 'log records' };
    }
    case 'metrics': {
      // Metrics are counted and dropped: SDKs that send every signal to one endpoint stay quiet.
      const decoded = format === 'json' ? decodeMetricsJson(asText(body)) : decodeMetricsProtobuf(body);
      return { batch: undefined, accepted: decoded.dataPointCount, rejected: decoded.rejected, noun: 'data points' };
    }
  }
}

function asText(body: Uint8Array): string {
  if (jsonNestsDeeperThan(body, MAX_OTLP_JSON_DEPTH)) throw decodeError(`JSON nested deeper than ${MAX_OTLP_JSON_DEPTH} levels`);
  try {
    return utf8.decode(body);
  } catch {
    throw decodeError('JSON body is not valid UTF-8');
  }
}

const REJECTIONS_NAMED = 5;

/** The partial-success message: '' when nothing was rejected, else the first few rejected items and why. */
export function describeRejections(rejected: readonly Rejection[], noun: string): string {
  if (rejected.length === 0) return '';
  const named = rejected
    .slice(0, REJECTIONS_NAMED)
    .map((item) => `${item.path}: ${item.reason}`)
    .join('; ');
  const more = rejected.length > REJECTIONS_NAMED ? `; and ${rejected.length - REJECTIONS_NAMED} more` : '';
  return `${rejected.length} ${noun} rejected: ${named}${more}`;
}
