// ErrorEvent is the currency of the pipeline: what extract/ makes from spans, logs and reports
// (and receivers such as sentry make from their own formats), and what metrics, grouping and
// alerts consume. SpanTiming is the timer input for span metrics.

import type { Grouping } from '../group/grouping.js';
import type { Attributes } from '../otlp/types.js';

export type ErrorLevel = 'debug' | 'info' | 'warning' | 'error' | 'fatal' | 'critical';

/** Where an event came from; it is the `source` label of faultline_errors_total. */
export type ErrorSource = 'span' | 'span_status' | 'log' | 'report' | 'sentry';

/** A frame as a sender structured it (a Sentry SDK's stacktrace.frames), not parsed from text. */
export interface StructuredFrame {
  readonly function: string;
  /** Module or file path, as the sender named it. */
  readonly module: string;
  /** File path when the sender gave one apart from the module; '' otherwise. */
  readonly file: string;
  /** 0 when unknown. */
  readonly line: number;
  readonly column: number;
  /** The sender's own in-app decision; undefined when it did not say (the built-in rules decide). */
  readonly inApp: boolean | undefined;
}

/** One exception of a structured chain. */
export interface StructuredException {
  readonly type: string;
  readonly message: string;
  /** Outermost call first. */
  readonly frames: readonly StructuredFrame[];
}

export interface ErrorEvent {
  /**
   * 32 hex characters, set by receivers that must answer with the event's id at once (the report
   * API); otherwise the group store derives one from the event's content.
   */
  readonly id?: string;
  readonly source: ErrorSource;
  readonly service: string;
  readonly serviceVersion: string;
  readonly environment: string;
  /** Lower-case hex, or '' when the event is not correlated with a trace. */
  readonly traceId: string;
  readonly spanId: string;
  /** Unix time in milliseconds. */
  readonly timestampMs: number;
  readonly level: ErrorLevel;
  readonly type: string;
  readonly message: string;
  readonly stacktrace: string;
  /**
   * The exception chain with its frames as the sender structured them, top-level exception first,
   * then its causes (innermost last). When present the group processor uses these frames and never
   * parses `stacktrace` (which is then only a rendering of them, for people).
   */
  readonly exceptions?: readonly StructuredException[];
  /** exception.escaped, when the sender said; it never decides whether an event counts. */
  readonly escaped: boolean | undefined;
  /** False when the span that recorded the exception did not end in ERROR status. */
  readonly handled: boolean;
  readonly spanName: string;
  readonly httpRoute: string;
  readonly httpMethod: string;
  /** 0 when absent. */
  readonly httpStatusCode: number;
  readonly urlPath: string;
  /**
   * The attributes of the span or log record the event came from (not the exception event's),
   * shared with the decoded batch: for filters and client-given fingerprints. Never a label.
   */
  readonly attributes: Attributes;
  /** Set by the `group` processor; absent before it (and when it is not in the pipeline). */
  readonly grouping?: Grouping;
  /** False when the `sample` processor decided not to store this event's details (it still counts). */
  readonly keepSample?: boolean;
}

/** One span's duration, for the spans_total counter and the span_duration_seconds histogram. */
export interface SpanTiming {
  readonly service: string;
  /** http.route when present, else the span name. */
  readonly spanName: string;
  /** SPAN_KIND_SERVER etc. */
  readonly spanKind: string;
  /** STATUS_CODE_UNSET / STATUS_CODE_OK / STATUS_CODE_ERROR. */
  readonly statusCode: string;
  readonly durationSeconds: number;
  readonly traceId: string;
}

/**
 * A SERVER or CONSUMER span: the request (the "transaction") in which its trace's errors happened.
 * The identity processor gives the errors of its trace this context, whichever span recorded them.
 * Most traces have no error, so the context is read from the attributes only for those that do.
 */
export interface ServerSpan {
  readonly service: string;
  readonly traceId: string;
  readonly kind: 'server' | 'consumer';
  /** When a service has several in one trace, the earliest is its entry point. */
  readonly startTimeUnixNano: bigint;
  readonly name: string;
  readonly httpRoute: string;
  /** Read lazily from the request's bytes: read it while consuming the batch, never keep it. */
  readonly attributes: Attributes;
}

/**
 * What a ServerSpan tells an error event about its request. Not the URL path: it is added after
 * the scrub processor ran, and a path can carry a secret or an e-mail; the route cannot.
 */
export interface RequestContext {
  readonly kind: ServerSpan['kind'];
  readonly startTimeUnixNano: bigint;
  readonly name: string;
  readonly httpRoute: string;
  readonly httpMethod: string;
  /** 0 when absent. */
  readonly httpStatusCode: number;
}

/** What one request yields after extraction: the pipeline's input. */
export interface Extracted {
  readonly events: readonly ErrorEvent[];
  readonly timings: readonly SpanTiming[];
  /** SERVER and CONSUMER spans of the request, for context; absent for logs and reports. */
  readonly serverSpans?: readonly ServerSpan[];
  /** Exception records with neither a type nor a message: nothing to group on, so not events. */
  readonly skippedExceptions: number;
}
