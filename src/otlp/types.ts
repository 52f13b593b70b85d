// The decoded form of OTLP requests: the one representation that both the protobuf reader and
// the OTLP/JSON reader produce. It keeps only the fields the pipeline uses; everything else on
// the wire is skipped. Values are plain readonly data: no stage mutates what another still reads.

/** An OTLP AnyValue. int64 values outside ±2^53 are kept exact as bigint. */
export type AttributeValue =
  | string
  | number
  | bigint
  | boolean
  | Uint8Array
  | null
  | readonly AttributeValue[]
  | { readonly [key: string]: AttributeValue };

/** Attributes by key. A repeated key keeps its last value, as the OTLP spec allows. */
export type Attributes = ReadonlyMap<string, AttributeValue>;

export const SpanKind = {
  UNSPECIFIED: 0,
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
} as const;

export const StatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;

export interface SpanEvent {
  readonly name: string;
  readonly timeUnixNano: bigint;
  readonly attributes: Attributes;
}

export interface Span {
  /** Lower-case hex, 32 characters, or '' when the sender left it out or sent all zeros. */
  readonly traceId: string;
  /** Lower-case hex, 16 characters, or '' as for traceId. */
  readonly spanId: string;
  readonly name: string;
  /** A SpanKind value (0 when the sender omitted it). */
  readonly kind: number;
  readonly startTimeUnixNano: bigint;
  readonly endTimeUnixNano: bigint;
  readonly attributes: Attributes;
  readonly events: readonly SpanEvent[];
  /** A StatusCode value. */
  readonly statusCode: number;
  readonly statusMessage: string;
}

export interface ScopeSpans {
  readonly scopeName: string;
  readonly spans: readonly Span[];
}

export interface ResourceSpans {
  readonly resource: Attributes;
  readonly scopeSpans: readonly ScopeSpans[];
}

export interface LogRecord {
  readonly timeUnixNano: bigint;
  readonly observedTimeUnixNano: bigint;
  /** 0 when unset; 1–24 per the OTel log data model. */
  readonly severityNumber: number;
  readonly severityText: string;
  readonly body: AttributeValue;
  readonly attributes: Attributes;
  /** Lower-case hex or '' when the record is not correlated with a trace. */
  readonly traceId: string;
  readonly spanId: string;
  readonly eventName: string;
}

export interface ScopeLogs {
  readonly scopeName: string;
  readonly logRecords: readonly LogRecord[];
}

export interface ResourceLogs {
  readonly resource: Attributes;
  readonly scopeLogs: readonly ScopeLogs[];
}

/**
 * One item the decoder could not use (a 4-byte trace id, a span with no end time…). The rest
 * of the batch is kept; these are counted and reported in the response's partial_success.
 */
export interface Rejection {
  /** Where the item sat, e.g. `resourceSpans[0].scopeSpans[1].spans[3]`. */
  readonly path: string;
  readonly reason: string;
}

export interface DecodedTraces {
  readonly resourceSpans: readonly ResourceSpans[];
  /** Spans decoded and kept. */
  readonly spanCount: number;
  readonly rejected: readonly Rejection[];
}

export interface DecodedLogs {
  readonly resourceLogs: readonly ResourceLogs[];
  readonly logRecordCount: number;
  readonly rejected: readonly Rejection[];
}

/** Metrics are accepted and counted so SDKs sending every signal stay quiet; nothing else is kept. */
export interface DecodedMetrics {
  readonly dataPointCount: number;
  readonly rejected: readonly Rejection[];
}

export type Signal = 'traces' | 'logs' | 'metrics';
