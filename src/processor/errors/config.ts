// The `errors` processor's config (processors.errors[/name]): which spans and log records become
// error events, how much of each is kept, and which span kinds are timed (faultline_span_duration_seconds,
// faultline_spans_total, the span alert rules) — decided here, before any exporter. It is not a
// stage: it configures extraction (extract/options.ts) for the pipeline that lists it.

import { list, map, object, withDefault, type ComponentType } from '../../config/schema.js';
import { boolean, oneOf, severity, size } from '../../config/value-types.js';

const SPAN_KINDS = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER', 'UNSPECIFIED'] as const;
export type SpanKindName = (typeof SPAN_KINDS)[number];

export interface ErrorsProcessorConfig {
  readonly type: 'errors';
  readonly id: string;
  /** Log records at or above this severity number become events. */
  readonly logMinSeverity: number;
  /** Log records with exception.* attributes become events at or above this. */
  readonly exceptionLogMinSeverity: number;
  /** Count exception events on spans whose status is not ERROR (marked handled). */
  readonly includeHandledExceptions: boolean;
  /** Longest stack trace kept, bytes; longer ones are cut. */
  readonly maxStacktraceBytes: number;
  /** Longest message kept, bytes. */
  readonly maxMessageBytes: number;
  /** Span kinds that feed the span timers and span rules. */
  readonly spanKinds: readonly SpanKindName[];
}

export const ERRORS_PROCESSOR_DEFAULTS: Omit<ErrorsProcessorConfig, 'id' | 'type'> = {
  logMinSeverity: 17,
  exceptionLogMinSeverity: 1,
  includeHandledExceptions: true,
  maxStacktraceBytes: 64 * 1024,
  maxMessageBytes: 8 * 1024,
  spanKinds: ['SERVER', 'CONSUMER'],
};

export const errorsProcessorType: ComponentType<ErrorsProcessorConfig> = map(
  object({
    log_min_severity: withDefault(severity, ERRORS_PROCESSOR_DEFAULTS.logMinSeverity),
    exception_log_min_severity: withDefault(severity, ERRORS_PROCESSOR_DEFAULTS.exceptionLogMinSeverity),
    include_handled_exceptions: withDefault(boolean, ERRORS_PROCESSOR_DEFAULTS.includeHandledExceptions),
    max_stacktrace_bytes: withDefault(size, ERRORS_PROCESSOR_DEFAULTS.maxStacktraceBytes),
    max_message_bytes: withDefault(size, ERRORS_PROCESSOR_DEFAULTS.maxMessageBytes),
    span_kinds: withDefault(list(oneOf(SPAN_KINDS, 'SPAN_KIND_')), ERRORS_PROCESSOR_DEFAULTS.spanKinds),
  }),
  (d) =>
    (id: string): ErrorsProcessorConfig => ({
      type: 'errors',
      id,
      logMinSeverity: d.log_min_severity,
      exceptionLogMinSeverity: d.exception_log_min_severity,
      includeHandledExceptions: d.include_handled_exceptions,
      maxStacktraceBytes: d.max_stacktrace_bytes,
      maxMessageBytes: d.max_message_bytes,
      spanKinds: [...new Set(d.span_kinds)],
    }),
);

