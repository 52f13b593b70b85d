// The per-item rules both decoders apply, so protobuf and OTLP/JSON reject exactly the same
// items with the same reasons. A rejected item is left out of the output and reported in the
// response's partial_success; the rest of the batch is kept. Decoders pass lengths in bytes,
// which each can tell without building the hex string first.
//
// Only a malformed id is refused. A missing (empty) id is kept, as the OpenTelemetry Collector
// keeps it, and so is an all-zero one: the Collector cannot tell the two apart (pdata's
// TraceID/SpanID IsEmpty() is "all zeros", and an empty id is not even written on the wire).
// Decoders store both as '' so no later stage mistakes them for a real trace.

export const TRACE_ID_BYTES = 16;
export const SPAN_ID_BYTES = 8;

type IdField = 'trace_id' | 'span_id' | 'parent_span_id';

/** Why an id of `bytes` bytes is malformed, or undefined when it is absent (0) or `expected` long. */
function idProblem(field: IdField, bytes: number, expected: number): string | undefined {
  if (bytes === 0 || bytes === expected) return undefined;
  return `${field} has ${bytes} bytes, expected ${expected}`;
}

/**
 * Why a span cannot be used, or undefined when it can. Its ids may be missing but not malformed
 * (trace id 16 bytes, span and parent span ids 8), and it needs an end time (errors are reported
 * when a span ends).
 */
export function spanProblem(
  traceIdBytes: number,
  spanIdBytes: number,
  parentSpanIdBytes: number,
  endTimeUnixNano: bigint,
): string | undefined {
  const problem =
    idProblem('trace_id', traceIdBytes, TRACE_ID_BYTES) ??
    idProblem('span_id', spanIdBytes, SPAN_ID_BYTES) ??
    idProblem('parent_span_id', parentSpanIdBytes, SPAN_ID_BYTES);
  if (problem !== undefined) return problem;
  if (endTimeUnixNano === 0n) return 'end_time_unix_nano is missing';
  return undefined;
}

/**
 * Why a log record cannot be used, or undefined. Logs need not belong to a trace: an empty or
 * all-zero id just means "uncorrelated" (the decoder stores ''); only a malformed one is refused.
 */
export function logRecordProblem(traceIdBytes: number, spanIdBytes: number): string | undefined {
  return idProblem('trace_id', traceIdBytes, TRACE_ID_BYTES) ?? idProblem('span_id', spanIdBytes, SPAN_ID_BYTES);
}

/** The reason for an OTLP/JSON id that is not a hex string (typically proto3-JSON base64). */
export function notHex(field: IdField): string {
  return `${field} is not a hex string (OTLP/JSON ids are hex, not base64)`;
}
