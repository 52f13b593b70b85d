// Requests written once as plain objects in OTLP/JSON form (camelCase, hex ids, int64 as strings),
// which is also what test/helpers/proto.ts encodes to protobuf: one object, both wire formats.

export const TRACE_ID = '5b8efff798038103d269b633813fc60c';
export const SPAN_ID = 'eee19b7ec3c1b174';
export const START = '1700000000123456789';
export const END = '1700000000987654321';

export function span(overrides: { [key: string]: unknown } = {}): { [key: string]: unknown } {
  return {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    name: 'GET /items/:id',
    kind: 2,
    startTimeUnixNano: START,
    endTimeUnixNano: END,
    attributes: [
      { key: 'http.route', value: { stringValue: '/items/:id' } },
      { key: 'http.status_code', value: { intValue: '500' } },
      { key: 'big', value: { intValue: '9007199254740993' } },
      { key: 'negative', value: { intValue: '-42' } },
      { key: 'ratio', value: { doubleValue: 0.25 } },
      { key: 'retried', value: { boolValue: true } },
      { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '1' }] } } },
      { key: 'user', value: { kvlistValue: { values: [{ key: 'id', value: { stringValue: 'u1' } }] } } },
      { key: 'raw', value: { bytesValue: 'AQID' } },
    ],
    events: [
      {
        timeUnixNano: '1700000000500000000',
        name: 'exception',
        attributes: [
          { key: 'exception.type', value: { stringValue: 'TypeError' } },
          { key: 'exception.message', value: { stringValue: 'x is undefined' } },
        ],
      },
    ],
    status: { code: 2, message: 'boom' },
    ...overrides,
  };
}

export function tracesRequest(spans: { [key: string]: unknown }[], service = 'checkout'): { [key: string]: unknown } {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [{ scope: { name: 'test-scope', version: '1.0' }, spans }],
      },
    ],
  };
}

export function logRecord(overrides: { [key: string]: unknown } = {}): { [key: string]: unknown } {
  return {
    timeUnixNano: START,
    observedTimeUnixNano: END,
    severityNumber: 17,
    severityText: 'ERROR',
    body: { stringValue: 'payment failed' },
    attributes: [{ key: 'exception.type', value: { stringValue: 'PaymentError' } }],
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    eventName: 'payment.failed',
    ...overrides,
  };
}

export function logsRequest(logRecords: { [key: string]: unknown }[]): { [key: string]: unknown } {
  return {
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
        scopeLogs: [{ scope: { name: 'test-scope' }, logRecords }],
      },
    ],
  };
}
