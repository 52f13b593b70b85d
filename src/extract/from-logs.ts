// Log records → error events. A record becomes an event when any of these holds:
// - its severity number is at least log_min_severity (the errors processor's key; see its config.ts);
// - it carries an exception.* attribute and its severity is at least exception_log_min_severity
//   (its default is low: OTel is moving exceptions from span events to logs, often at WARN);
// - its event name is `exception` (such records often carry no severity at all).
// Level comes from the severity number (1–8 debug, 9–12 info, 13–16 warning, 17–20 error,
// 21–24 fatal); severity text CRITICAL reads as critical. A record with no exception.type, no
// error.type and no stack takes its type from its message's first line (`ValueError: …`, see
// infer-type.ts), else Error.

import { detachAttributes, hasKeyWithPrefix } from '../otlp/protobuf/wire-attributes.js';
import type { DecodedLogs, LogRecord } from '../otlp/types.js';
import { capText, firstStringAttribute, integerAttribute, booleanAttribute, stringAttribute, valueAsText } from './attributes.js';
import type { ErrorEvent, ErrorLevel, Extracted } from './error-event.js';
import { typeFromMessage } from './infer-type.js';
import type { ExtractOptions } from './options.js';
import { serviceIdentity, type ServiceIdentity } from './resource.js';

const NANOS_PER_MS = 1_000_000n;
const NO_TIMINGS: Extracted['timings'] = [];

export function extractFromLogs(logs: DecodedLogs, options: ExtractOptions): Extracted {
  const events: ErrorEvent[] = [];
  let skippedExceptions = 0;
  for (const resourceLogs of logs.resourceLogs) {
    const identity = serviceIdentity(resourceLogs.resource);
    for (const scopeLogs of resourceLogs.scopeLogs) {
      for (const record of scopeLogs.logRecords) {
        if (!isErrorRecord(record, options)) continue;
        const event = fromLogRecord(record, identity, options);
        if (event === undefined) skippedExceptions++;
        else events.push(event);
      }
    }
  }
  return { events, timings: NO_TIMINGS, skippedExceptions };
}

function isErrorRecord(record: LogRecord, options: ExtractOptions): boolean {
  if (record.severityNumber >= options.logMinSeverity) return true;
  if (record.eventName === 'exception') return true;
  // An exception record without a severity (0, unset) is still an exception.
  const severityQualifies = record.severityNumber === 0 || record.severityNumber >= options.exceptionLogMinSeverity;
  return severityQualifies && hasExceptionAttribute(record);
}

function hasExceptionAttribute(record: LogRecord): boolean {
  return hasKeyWithPrefix(record.attributes, 'exception.');
}

export function levelOf(severityNumber: number, severityText: string): ErrorLevel {
  if (severityText.toUpperCase() === 'CRITICAL') return 'critical';
  if (severityNumber >= 21) return 'fatal';
  if (severityNumber >= 17) return 'error';
  if (severityNumber >= 13) return 'warning';
  if (severityNumber >= 9) return 'info';
  if (severityNumber >= 1) return 'debug';
  // No severity number: trust a conventional severity text, else treat it as an error.
  switch (severityText.toUpperCase()) {
    case 'FATAL':
      return 'fatal';
    case 'WARN':
    case 'WARNING':
      return 'warning';
    case 'INFO':
      return 'info';
    case 'DEBUG':
    case 'TRACE':
      return 'debug';
    default:
      return 'error';
  }
}

function fromLogRecord(record: LogRecord, identity: ServiceIdentity, options: ExtractOptions): ErrorEvent | undefined {
  const attributes = record.attributes;
  const exceptionType = stringAttribute(attributes, 'exception.type');
  const exceptionMessage = stringAttribute(attributes, 'exception.message');
  let message = exceptionMessage || valueAsText(record.body);
  let type = exceptionType || stringAttribute(attributes, 'error.type');
  if (type === '' && message === '') return undefined;
  const stacktrace = stringAttribute(attributes, 'exception.stacktrace');
  if (type === '' && stacktrace === '') ({ type, message } = typeFromMessage(message));
  const time = record.timeUnixNano > 0n ? record.timeUnixNano : record.observedTimeUnixNano;
  return {
    source: 'log',
    service: identity.service,
    serviceVersion: identity.serviceVersion,
    environment: identity.environment,
    traceId: record.traceId,
    spanId: record.spanId,
    timestampMs: Number(time / NANOS_PER_MS),
    level: levelOf(record.severityNumber, record.severityText),
    type: type || 'Error',
    message: capText(message, options.maxMessageBytes),
    stacktrace: capText(stacktrace, options.maxStacktraceBytes),
    escaped: booleanAttribute(attributes, 'exception.escaped'),
    handled: false,
    spanName: '',
    httpRoute: stringAttribute(attributes, 'http.route'),
    httpMethod: firstStringAttribute(attributes, ['http.request.method', 'http.method']),
    httpStatusCode: integerAttribute(attributes, ['http.response.status_code', 'http.status_code']),
    urlPath: firstStringAttribute(attributes, ['url.path', 'http.target']),
    // Events outlive the request: attributes read lazily from its bytes must let go of them.
    attributes: detachAttributes(attributes),
  };
}
