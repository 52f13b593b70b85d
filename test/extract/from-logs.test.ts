import { test as it } from 'node:test';
import assert from 'node:assert/strict';
import type { ErrorEvent } from '../../src/extract/error-event.js';
import { extractFromLogs, levelOf } from '../../src/extract/from-logs.js';
import {
  END_MS,
  EVENT_TIME_MS,
  SPAN_ID,
  TRACE_ID,
  attributes,
  cappedStackTrace,
  decodeLogs,
  extractOptions,
  logRecord,
  stackTrace,
  type Json,
} from './fixtures.js';

const defaults = extractOptions();

function extract(records: readonly Json[], options = defaults, resource?: { [key: string]: string }) {
  const extracted = extractFromLogs(decodeLogs(records, resource), options);
  // Events are compared field by field below; `attributes` is the source record's map, checked on its own.
  return { ...extracted, events: extracted.events.map(({ attributes: _attributes, ...event }) => event) };
}

function expectedEvent(overrides: Partial<ErrorEvent>): Omit<ErrorEvent, 'attributes'> {
  return {
    source: 'log',
    service: 'checkout',
    serviceVersion: '',
    environment: '',
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    timestampMs: EVENT_TIME_MS,
    level: 'error',
    type: 'Error',
    message: 'payment failed',
    stacktrace: '',
    escaped: undefined,
    handled: false,
    spanName: '',
    httpRoute: '',
    httpMethod: '',
    httpStatusCode: 0,
    urlPath: '',
    ...overrides,
  };
}

const PAYMENT_EXCEPTION = attributes({
  'exception.type': 'PaymentDeclined',
  'exception.message': 'card declined',
  'exception.stacktrace': 'PaymentDeclined: card declined\n    at charge (pay.js:9:1)',
});

// Item 18: exceptions in logs.

it('makes an event at level warning from a WARN log record that carries exception.*', () => {
  const { events, timings, skippedExceptions } = extract([
    logRecord({ severityNumber: 13, severityText: 'WARN', attributes: PAYMENT_EXCEPTION }),
  ]);
  assert.deepEqual(events, [
    expectedEvent({
      level: 'warning',
      type: 'PaymentDeclined',
      message: 'card declined',
      stacktrace: 'PaymentDeclined: card declined\n    at charge (pay.js:9:1)',
    }),
  ]);
  assert.deepEqual(timings, []);
  assert.equal(skippedExceptions, 0);
});

it('ignores exception logs below a configured exception_log_min_severity', () => {
  const { events } = extract(
    [logRecord({ severityNumber: 13, severityText: 'WARN', attributes: PAYMENT_EXCEPTION })],
    extractOptions({ exceptionLogMinSeverity: 17 }),
  );
  assert.deepEqual(events, []);
});

it('makes an event at level error from a record named exception that has no severity', () => {
  const { events } = extract([
    logRecord({ severityNumber: undefined, severityText: undefined, eventName: 'exception', attributes: PAYMENT_EXCEPTION }),
  ]);
  assert.deepEqual(events, [
    expectedEvent({
      type: 'PaymentDeclined',
      message: 'card declined',
      stacktrace: 'PaymentDeclined: card declined\n    at charge (pay.js:9:1)',
    }),
  ]);
});

it('makes an event from exception.* attributes on a record with no severity at all', () => {
  const { events } = extract([logRecord({ severityNumber: undefined, severityText: undefined, attributes: PAYMENT_EXCEPTION })]);
  assert.equal(events.length, 1);
  assert.equal(events[0].type, 'PaymentDeclined');
  assert.equal(events[0].level, 'error');
});

it('makes an event titled from the string body of an ERROR log without exception.*', () => {
  const { events } = extract([logRecord()]);
  assert.deepEqual(events, [expectedEvent({ type: 'Error', message: 'payment failed' })]);
});

it('renders a kvlist body as JSON in the message of an ERROR log without exception.*', () => {
  const body = {
    kvlistValue: {
      values: [
        { key: 'msg', value: { stringValue: 'payment failed' } },
        { key: 'order', value: { stringValue: 'o-42' } },
        { key: 'attempt', value: { intValue: '3' } },
      ],
    },
  };
  const { events } = extract([logRecord({ body })]);
  assert.deepEqual(events, [expectedEvent({ message: '{"msg":"payment failed","order":"o-42","attempt":3}' })]);
});

it('types an ERROR log from error.type when it has no exception.type', () => {
  const { events } = extract([logRecord({ attributes: attributes({ 'error.type': 'timeout' }) })]);
  assert.deepEqual(events, [expectedEvent({ type: 'timeout' })]);
});

it("types an ERROR log without exception.* from its body's first line `Type: rest`, the rest being the message", () => {
  const body = (text: string) => logRecord({ body: { stringValue: text } });
  const { events } = extract([
    body("ValueError: invalid literal for int() with base 10: 'x'"),
    body('java.lang.IllegalStateException: pool closed'),
    body('Acme\\Shop\\OrderNotFound: Order 7 not found'),
  ]);
  assert.deepEqual(events, [
    expectedEvent({ type: 'ValueError', message: "invalid literal for int() with base 10: 'x'" }),
    expectedEvent({ type: 'java.lang.IllegalStateException', message: 'pool closed' }),
    expectedEvent({ type: 'Acme\\Shop\\OrderNotFound', message: 'Order 7 not found' }),
  ]);
});

it('keeps Error and the whole body for a sentence, a level word or a time before a colon', () => {
  const sentences = ['payment failed for order 12', 'Note: payment failed', 'Warning: disk 91% full', '12:30: payment failed', 'com.acme.shop.OrderService: order 12 failed'];
  const { events } = extract(sentences.map((text) => logRecord({ body: { stringValue: text } })));
  assert.deepEqual(events, sentences.map((message) => expectedEvent({ type: 'Error', message })));
});

it('reads no type from the message of a log that has a stack trace or an error.type', () => {
  const { events } = extract([
    logRecord({ body: { stringValue: 'ValueError: bad' }, attributes: attributes({ 'error.type': 'timeout' }) }),
    logRecord({ body: { stringValue: 'ValueError: bad' }, attributes: attributes({ 'exception.stacktrace': 'Traceback (most recent call last):' }) }),
  ]);
  assert.deepEqual(events.map((event) => [event.type, event.message]), [
    ['timeout', 'ValueError: bad'],
    ['Error', 'ValueError: bad'],
  ]);
});

it('makes nothing from an INFO log without exception.*', () => {
  const { events, skippedExceptions } = extract([logRecord({ severityNumber: 9, severityText: 'INFO', body: { stringValue: 'order placed' } })]);
  assert.deepEqual(events, []);
  assert.equal(skippedExceptions, 0);
});

it('ignores ERROR logs without exception.* when log_min_severity is 21, and keeps FATAL ones', () => {
  const { events } = extract(
    [
      logRecord({ severityNumber: 17, body: { stringValue: 'error line' } }),
      logRecord({ severityNumber: 20, body: { stringValue: 'error4 line' } }),
      logRecord({ severityNumber: 21, severityText: 'FATAL', body: { stringValue: 'fatal line' } }),
    ],
    extractOptions({ logMinSeverity: 21 }),
  );
  assert.deepEqual(events, [expectedEvent({ level: 'fatal', message: 'fatal line' })]);
});

it('makes WARN logs without exception.* events when log_min_severity is 13', () => {
  const { events } = extract(
    [logRecord({ severityNumber: 13, severityText: 'WARN', body: { stringValue: 'slow' } })],
    extractOptions({ logMinSeverity: 13 }),
  );
  assert.deepEqual(events, [expectedEvent({ level: 'warning', message: 'slow' })]);
});

// Level mapping.

it('maps severity numbers 1–8 to debug, 9–12 info, 13–16 warning, 17–20 error and 21–24 fatal', () => {
  const numbers = Array.from({ length: 24 }, (_, i) => i + 1);
  const { events } = extract(
    numbers.map((severityNumber) =>
      logRecord({ severityNumber, severityText: '', attributes: attributes({ 'exception.type': `Severity${severityNumber}` }) }),
    ),
  );
  const expected = numbers.map((n) => [
    `Severity${n}`,
    n <= 8 ? 'debug' : n <= 12 ? 'info' : n <= 16 ? 'warning' : n <= 20 ? 'error' : 'fatal',
  ]);
  assert.deepEqual(
    events.map((event) => [event.type, event.level]),
    expected,
  );
});

it('reads severity text CRITICAL as critical, whatever the severity number', () => {
  const { events } = extract([
    logRecord({ severityNumber: 21, severityText: 'CRITICAL' }),
    logRecord({ severityNumber: 17, severityText: 'critical' }),
  ]);
  assert.deepEqual(
    events.map((event) => event.level),
    ['critical', 'critical'],
  );
});

it('falls back to conventional severity text, else error, when there is no severity number', () => {
  assert.deepEqual(
    ['FATAL', 'WARN', 'warning', 'INFO', 'DEBUG', 'TRACE', 'ERROR', '', 'whatever'].map((text) => levelOf(0, text)),
    ['fatal', 'warning', 'warning', 'info', 'debug', 'debug', 'error', 'error', 'error'],
  );
});

// Item 19: partial exception fields.

it('types an exception log that has only a message as Error', () => {
  const { events } = extract([logRecord({ body: undefined, attributes: attributes({ 'exception.message': 'something broke' }) })]);
  assert.deepEqual(events, [expectedEvent({ type: 'Error', message: 'something broke' })]);
});

it('keeps an exception log that has only a type, with an empty message', () => {
  const { events } = extract([logRecord({ body: undefined, attributes: attributes({ 'exception.type': 'NullPointerException' }) })]);
  assert.deepEqual(events, [expectedEvent({ type: 'NullPointerException', message: '' })]);
});

it('titles an exception log that has only a type from its body', () => {
  const { events } = extract([logRecord({ attributes: attributes({ 'exception.type': 'NullPointerException' }) })]);
  assert.deepEqual(events, [expectedEvent({ type: 'NullPointerException', message: 'payment failed' })]);
});

it('skips an exception log with neither a type, a message nor a body, and counts it in skippedExceptions', () => {
  const { events, skippedExceptions } = extract([
    logRecord({ body: undefined, eventName: 'exception', attributes: attributes({ 'exception.stacktrace': 'at nowhere' }) }),
    logRecord(),
  ]);
  assert.deepEqual(events, [expectedEvent({})]);
  assert.equal(skippedExceptions, 1);
});

// Item 17 on logs: exception.escaped is read, never decisive.

it('reads exception.escaped on logs as undefined, true, "true" and "False"', () => {
  const { events } = extract(
    [undefined, true, 'true', 'False'].map((escaped) =>
      logRecord({
        attributes: attributes(escaped === undefined ? { 'exception.type': 'E' } : { 'exception.type': 'E', 'exception.escaped': escaped }),
      }),
    ),
  );
  assert.deepEqual(
    events.map((event) => event.escaped),
    [undefined, true, true, false],
  );
});

// Item 20: oversized stack traces.

it('caps a 1 MB stack trace in a log at max_stacktrace_bytes with a cut marker, without crashing', () => {
  const huge = stackTrace(1024 * 1024);
  const { events } = extract([logRecord({ attributes: attributes({ 'exception.type': 'StackOverflowError', 'exception.stacktrace': huge }) })]);
  assert.equal(events[0].stacktrace, cappedStackTrace(huge, defaults.maxStacktraceBytes));
  assert.match(events[0].stacktrace, /\n… \[\d+ more characters cut\]$/);
});

it('caps a long body used as the message at max_message_bytes', () => {
  const { events } = extract([logRecord({ body: { stringValue: 'y'.repeat(300) } })], extractOptions({ maxMessageBytes: 200 }));
  assert.equal(events[0].message, `${'y'.repeat(200)}\n… [100 more characters cut]`);
});

// Item 21: resources without service.name.

it('names a resource without service.name unknown_service instead of dropping its logs', () => {
  const { events } = extract([logRecord()], defaults, {});
  assert.deepEqual(events, [expectedEvent({ service: 'unknown_service' })]);
});

// Event fields.

it('fills every field of a log event from the resource and the record', () => {
  const { events } = extract(
    [
      logRecord({
        attributes: attributes({
          'exception.type': 'PaymentDeclined',
          'exception.message': 'card declined',
          'exception.escaped': true,
          'http.route': '/orders/:id/pay',
          'http.request.method': 'POST',
          'http.response.status_code': '402',
          'url.path': '/orders/42/pay',
        }),
      }),
    ],
    defaults,
    { 'service.name': 'payments', 'service.version': '3.1.0', 'deployment.environment': 'staging' },
  );
  assert.deepEqual(events, [
    {
      source: 'log',
      service: 'payments',
      serviceVersion: '3.1.0',
      environment: 'staging',
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      timestampMs: EVENT_TIME_MS,
      level: 'error',
      type: 'PaymentDeclined',
      message: 'card declined',
      stacktrace: '',
      escaped: true,
      handled: false,
      spanName: '',
      httpRoute: '/orders/:id/pay',
      httpMethod: 'POST',
      httpStatusCode: 402,
      urlPath: '/orders/42/pay',
    },
  ]);
});

it('prefers deployment.environment.name over deployment.environment', () => {
  const { events } = extract([logRecord()], defaults, {
    'service.name': 'checkout',
    'deployment.environment': 'old-name',
    'deployment.environment.name': 'production',
  });
  assert.equal(events[0].environment, 'production');
});

it('reads the method from http.method and an int http.response.status_code', () => {
  const { events } = extract([logRecord({ attributes: attributes({ 'http.method': 'DELETE', 'http.response.status_code': 500 }) })]);
  assert.deepEqual([events[0].httpMethod, events[0].httpStatusCode], ['DELETE', 500]);
});

it('takes the timestamp from the observed time when the record has no time', () => {
  const { events } = extract([logRecord({ timeUnixNano: undefined })]);
  assert.equal(events[0].timestampMs, END_MS);
});

it('leaves trace and span ids empty on a log that is not correlated with a trace', () => {
  const { events } = extract([logRecord({ traceId: undefined, spanId: undefined })]);
  assert.deepEqual([events[0].traceId, events[0].spanId], ['', '']);
});
