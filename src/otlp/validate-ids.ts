// The per-item rules both decoders apply, so protobuf and OTLP/JSON reject exactly the same
// items with the same reasons. A rejected item is left out of the output and reported in the
// response's partial_success; the rest of the batch is kept. Decoders pass lengths in bytes and
// whether the id is all zeros, which each can tell without building the hex string first.

export const TRACE_ID_BYTES = 16;
export const SPAN_ID_BYTES = 8;

/**
 * Why a span cannot be used, or undefined when it can. A span needs a 16-byte non-zero trace
 * id, an 8-byte non-zero span id and an end time (errors are reported when a span ends).
 */
export function spanProblem(
  traceIdBytes: number,
  traceIdZero: boolean,
  spanIdBytes: number,
  spanIdZero: boolean,
  endTimeUnixNano: bigint,
): string | undefined {
  if (traceIdBytes === 0) return 'trace_id is missing';
  if (traceIdBytes !== TRACE_ID_BYTES) return `trace_id has ${traceIdBytes} bytes, expected ${TRACE_ID_BYTES}`;
  if (traceIdZero) return 'trace_id is all zeros';
  if (spanIdBytes === 0) return 'span_id is missing';
  if (spanIdBytes !== SPAN_ID_BYTES) return `span_id has ${spanIdBytes} bytes, expected ${SPAN_ID_BYTES}`;
  if (spanIdZero) return 'span_id is all zeros';
  if (endTimeUnixNano === 0n) return 'end_time_unix_nano is missing';
  return undefined;
}

/**
 * Why a log record cannot be used, or undefined. Logs need not belong to a trace: an empty or
 * all-zero id just means "uncorrelated" (the decoder stores ''); only a malformed one is refused.
 */
export function logRecordProblem(traceIdBytes: number, spanIdBytes: number): string | undefined {
  if (traceIdBytes !== 0 && traceIdBytes !== TRACE_ID_BYTES) {
    return `trace_id has ${traceIdBytes} bytes, expected ${TRACE_ID_BYTES}`;
  }
  if (spanIdBytes !== 0 && spanIdBytes !== SPAN_ID_BYTES) {
    return `span_id has ${spanIdBytes} bytes, expected ${SPAN_ID_BYTES}`;
  }
  return undefined;
}

/** The reason for an OTLP/JSON id that is not a hex string (typically proto3-JSON base64). */
export function notHex(field: 'trace_id' | 'span_id'): string {
  return `${field} is not a hex string (OTLP/JSON ids are hex, not base64)`;
}
