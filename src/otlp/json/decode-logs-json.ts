// ExportLogsServiceRequest (OTLP/JSON) → DecodedLogs, the same result the protobuf decoder gives.
// A record with no trace id or an all-zero one is kept as uncorrelated (traceId ''); a malformed
// id (wrong length, not hex) rejects that record only.

import { readJsonEnvelope, type JsonEnvelopeSpec } from './json-envelope.js';
import type { AttributeValue, DecodedLogs, LogRecord, ResourceLogs, ScopeLogs } from '../types.js';
import { logRecordProblem, notHex } from '../validate-ids.js';
import {
  anyValue,
  field,
  hexAllZero,
  type JsonObject,
  jsonAttributes,
  jsonEnum,
  jsonId,
  jsonString,
  jsonUint64,
} from './json-common.js';

const SEVERITY_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

/** SEVERITY_NUMBER_UNSPECIFIED = 0, SEVERITY_NUMBER_TRACE = 1, SEVERITY_NUMBER_TRACE2 = 2 … FATAL4 = 24. */
const SEVERITY_NUMBERS: { readonly [name: string]: number } = (() => {
  const names: { [name: string]: number } = { SEVERITY_NUMBER_UNSPECIFIED: 0 };
  SEVERITY_LEVELS.forEach((level, i) => {
    for (let step = 1; step <= 4; step++) names[`SEVERITY_NUMBER_${level}${step === 1 ? '' : step}`] = i * 4 + step;
  });
  return names;
})();

const LOGS: JsonEnvelopeSpec<LogRecord, ScopeLogs, ResourceLogs> = {
  resources: ['resourceLogs', 'resource_logs'],
  scopes: ['scopeLogs', 'scope_logs'],
  items: ['logRecords', 'log_records'],
  readItem: (o) => readLogRecord(o),
  scope: (scopeName, logRecords) => ({ scopeName, logRecords }),
  resource: (resource, scopeLogs) => ({ resource, scopeLogs }),
};

/** Decodes an OTLP/JSON ExportLogsServiceRequest; `{}` (or only unknown keys) is an empty request. */
export function decodeLogsJson(body: string): DecodedLogs {
  const envelope = readJsonEnvelope(body, LOGS);
  return { resourceLogs: envelope.resources, logRecordCount: envelope.accepted, rejected: envelope.rejected };
}

function readLogRecord(o: JsonObject): LogRecord | string {
  const timeUnixNano = jsonUint64(o, 'timeUnixNano', 'time_unix_nano');
  const observedTimeUnixNano = jsonUint64(o, 'observedTimeUnixNano', 'observed_time_unix_nano');
  const severityNumber = jsonEnum(o, 'severityNumber', 'severity_number', SEVERITY_NUMBERS);
  const severityText = jsonString(o, 'severityText', 'severity_text');
  const bodyValue = field(o, 'body', 'body');
  const body: AttributeValue = bodyValue === undefined ? null : anyValue(bodyValue, 'body', 0);
  const attributes = jsonAttributes(o, 'attributes', 'attributes');
  const traceId = jsonId(o, 'traceId', 'trace_id');
  const spanId = jsonId(o, 'spanId', 'span_id');
  const eventName = jsonString(o, 'eventName', 'event_name');

  if (traceId === undefined) return notHex('trace_id');
  if (spanId === undefined) return notHex('span_id');
  const problem = logRecordProblem(traceId.length / 2, spanId.length / 2);
  if (problem !== undefined) return problem;
  const correlated = traceId !== '' && !hexAllZero(traceId);
  return {
    timeUnixNano,
    observedTimeUnixNano,
    severityNumber,
    severityText,
    body,
    attributes,
    traceId: correlated ? traceId : '',
    spanId: correlated && spanId !== '' && !hexAllZero(spanId) ? spanId : '',
    eventName,
  };
}
