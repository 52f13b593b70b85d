// What extraction needs to know: the pipeline's errors processor (its defaults when it lists none)
// decides which records become events and which spans are timed, for every exporter alike.

import type { ErrorsProcessorConfig } from '../processor/errors/config.js';
import { SpanKind } from '../otlp/types.js';

export interface ExtractOptions {
  readonly logMinSeverity: number;
  readonly exceptionLogMinSeverity: number;
  readonly includeHandledExceptions: boolean;
  readonly maxStacktraceBytes: number;
  readonly maxMessageBytes: number;
  /** Indexed by SpanKind value: whether spans of that kind feed the span timers. */
  readonly timedSpanKinds: readonly boolean[];
}

export function createExtractOptions(
  processor: Omit<ErrorsProcessorConfig, 'id' | 'type'>,
): ExtractOptions {
  const timedSpanKinds = [false, false, false, false, false, false];
  for (const kind of processor.spanKinds) timedSpanKinds[SpanKind[kind]] = true;
  return {
    logMinSeverity: processor.logMinSeverity,
    exceptionLogMinSeverity: processor.exceptionLogMinSeverity,
    includeHandledExceptions: processor.includeHandledExceptions,
    maxStacktraceBytes: processor.maxStacktraceBytes,
    maxMessageBytes: processor.maxMessageBytes,
    timedSpanKinds,
  };
}

export const SPAN_KIND_NAMES = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
] as const;

export const STATUS_CODE_NAMES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'] as const;
