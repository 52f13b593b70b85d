// ExportLogsServiceRequest (OTLP/JSON) → DecodedLogs, the same result the protobuf decoder gives.
// A record with no trace id or an all-zero one is kept as uncorrelated (traceId ''); a malformed
// id (wrong length, not hex) rejects that record only.

import { withPath, at } from '../wire-reader.js';
import type { AttributeValue, DecodedLogs, LogRecord, Rejection, ResourceLogs, ScopeLogs } from '../types.js';
import { logRecordProblem, notHex } from '../validate-ids.js';
import {
  anyValue,
  element,
  field,
  hexAllZero,
  type JsonObject,
  jsonArray,
  jsonAttributes,
  jsonEnum,
  jsonId,
  jsonResource,
  jsonScopeName,
  jsonString,
  jsonUint64,
  parseRequest,
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

/** Decodes an OTLP/JSON ExportLogsServiceRequest; `{}` (or only unknown keys) is an empty request. */
export function decodeLogsJson(body: string): DecodedLogs {
  const request = parseRequest(body);
  const items = jsonArray(request, 'resourceLogs', 'resource_logs');
  const rejected: Rejection[] = [];
  const resourceLogs: ResourceLogs[] = [];
  let logRecordCount = 0;
  for (let r = 0; r < items.length; r++) {
    try {
      const item = element(items, r);
      const resource = jsonResource(item);
      const scopeItems = jsonArray(item, 'scopeLogs', 'scope_logs');
      const scopeLogs: ScopeLogs[] = [];
      for (let s = 0; s < scopeItems.length; s++) {
        try {
          const scopeItem = element(scopeItems, s);
          const scopeName = jsonScopeName(scopeItem);
          const recordItems = jsonArray(scopeItem, 'logRecords', 'log_records');
          const logRecords: LogRecord[] = [];
          for (let p = 0; p < recordItems.length; p++) {
            let record: LogRecord | string;
            try {
              record = readLogRecord(element(recordItems, p));
            } catch (error) {
              throw withPath(error, at('logRecords', p));
            }
            if (typeof record === 'string') {
              rejected.push({ path: `resourceLogs[${r}].scopeLogs[${s}].logRecords[${p}]`, reason: record });
            } else {
              logRecords.push(record);
              logRecordCount++;
            }
          }
          scopeLogs.push({ scopeName, logRecords });
        } catch (error) {
          throw withPath(error, at('scopeLogs', s));
        }
      }
      resourceLogs.push({ resource, scopeLogs });
    } catch (error) {
      throw withPath(error, at('resourceLogs', r));
    }
  }
  return { resourceLogs, logRecordCount, rejected };
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
