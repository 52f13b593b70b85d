import { test as it } from 'node:test';
import assert from 'node:assert/strict';
import type { ErrorEvent } from '../../src/extract/error-event.js';
import { extractFromTraces, requestContextOf } from '../../src/extract/from-spans.js';
import {
  END,
  attributes,
  END_MS,
  EVENT_TIME_MS,
  SPAN_ID,
  START,
  TRACE_ID,
  cappedStackTrace,
  decodeTraces,
  errorStatus,
  exceptionEvent,
  extractOptions,
  span,
  stackTrace,
  type Json,
} from './fixtures.js';

const defaults = extractOptions();

function extract(spans: readonly Json[], options = defaults, resource?: { [key: string]: string }) {
  const extracted = extractFromTraces(decodeTraces(spans, resource), options);
  // Events are compared field by field below; `attributes` is the source record's map, checked on its own.
  return { ...extracted, events: extracted.events.map(({ attributes: _attributes, ...event }) => event) };
}

/** The event every span-derived case starts from: a checkout exception on GET /users/:id. */
function expectedEvent(overrides: Partial<ErrorEvent>): Omit<ErrorEvent, 'attributes'> {
  return {
    source: 'span',
    service: 'checkout',
    serviceVersion: '',
    environment: '',
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    timestampMs: EVENT_TIME_MS,
    level: 'error',
    type: '',
    message: '',
    stacktrace: '',
    escaped: undefined,
    handled: false,
    spanName: 'GET /users/:id',
    httpRoute: '',
    httpMethod: '',
    httpStatusCode: 0,
    urlPath: '',
    ...overrides,
  };
}

// Item 15: several exceptions per span.

it('makes one event per exception event, so a span with two exceptions of different types gives two', () => {
  const { events, skippedExceptions } = extract([
    span({
      ...errorStatus('request failed'),
      events: [
        exceptionEvent({ 'exception.type': 'TypeError', 'exception.message': 'x is undefined' }),
        exceptionEvent({ 'exception.type': 'RangeError', 'exception.message': 'index out of range' }),
      ],
    }),
  ]);
  assert.deepEqual(events, [
    expectedEvent({ type: 'TypeError', message: 'x is undefined' }),
    expectedEvent({ type: 'RangeError', message: 'index out of range' }),
  ]);
  assert.equal(skippedExceptions, 0);
});

it('gives both exceptions of one span the same trace id and span id', () => {
  const { events } = extract([
    span({
      events: [exceptionEvent({ 'exception.type': 'TypeError' }), exceptionEvent({ 'exception.type': 'RangeError' })],
    }),
  ]);
  assert.deepEqual(
    events.map((event) => [event.type, event.traceId, event.spanId]),
    [
      ['TypeError', TRACE_ID, SPAN_ID],
      ['RangeError', TRACE_ID, SPAN_ID],
    ],
  );
});

it('ignores span events that are not named exception', () => {
  const { events } = extract([
    span({ events: [{ name: 'retry', timeUnixNano: END, attributes: [{ key: 'exception.type', value: { stringValue: 'Nope' } }] }] }),
  ]);
  assert.deepEqual(events, []);
});

// Item 16: exception events versus ERROR status.

it('marks an exception on a span with status OK as handled', () => {
  const { events } = extract([
    span({ status: { code: 'STATUS_CODE_OK' }, events: [exceptionEvent({ 'exception.type': 'TimeoutError', 'exception.message': 'retrying' })] }),
  ]);
  assert.deepEqual(events, [expectedEvent({ type: 'TimeoutError', message: 'retrying', handled: true })]);
});

it('marks an exception on a span with status UNSET as handled', () => {
  const { events } = extract([span({ events: [exceptionEvent({ 'exception.type': 'TimeoutError', 'exception.message': 'retrying' })] })]);
  assert.deepEqual(events, [expectedEvent({ type: 'TimeoutError', message: 'retrying', handled: true })]);
});

it('marks an exception on a span with status ERROR as not handled', () => {
  const { events } = extract([span({ ...errorStatus(), events: [exceptionEvent({ 'exception.type': 'TimeoutError' })] })]);
  assert.equal(events.length, 1);
  assert.equal(events[0].handled, false);
});

it('keeps handled exceptions, marked, even when include_handled_exceptions is off: the trace decides later', () => {
  const options = extractOptions({ includeHandledExceptions: false });
  const { events, skippedExceptions } = extract(
    [
      span({ spanId: '0000000000000001', status: { code: 'STATUS_CODE_OK' }, events: [exceptionEvent({ 'exception.type': 'OkError' })] }),
      span({ spanId: '0000000000000002', events: [exceptionEvent({ 'exception.type': 'UnsetError' })] }),
      span({ spanId: '0000000000000003', ...errorStatus(), events: [exceptionEvent({ 'exception.type': 'FailedError' })] }),
    ],
    options,
  );
  assert.deepEqual(
    events.map((event) => [event.spanId, event.type, event.handled]),
    [
      ['0000000000000001', 'OkError', true],
      ['0000000000000002', 'UnsetError', true],
      ['0000000000000003', 'FailedError', false],
    ],
  );
  assert.equal(skippedExceptions, 0);
});

it('gives SERVER and CONSUMER spans as request context, with route, method and status', () => {
  const { serverSpans } = extract([
    span({ spanId: '0000000000000001', attributes: attributes({ 'http.route': '/cart/:id', 'http.request.method': 'POST', 'http.response.status_code': 502 }) }),
    span({ spanId: '0000000000000002', kind: 'SPAN_KIND_CONSUMER', name: 'orders process' }),
    span({ spanId: '0000000000000003', kind: 'SPAN_KIND_INTERNAL' }),
  ]);
  assert.deepEqual(
    serverSpans?.map(requestContextOf).map((s) => [s.kind, s.name, s.httpRoute, s.httpMethod, s.httpStatusCode]),
    [
      ['server', 'GET /users/:id', '/cart/:id', 'POST', 502],
      ['consumer', 'orders process', '', '', 0],
    ],
  );
});

it('makes one span_status event from the status message and error.type when an ERROR span has no exception event', () => {
  const { events } = extract([span({ ...errorStatus('upstream timed out'), attributes: [{ key: 'error.type', value: { stringValue: 'timeout' } }] })]);
  assert.deepEqual(events, [
    expectedEvent({ source: 'span_status', type: 'timeout', message: 'upstream timed out', timestampMs: END_MS }),
  ]);
});

it('types a span_status event SpanError and titles it with the span name when the span says nothing more', () => {
  const { events } = extract([span(errorStatus())]);
  assert.deepEqual(events, [
    expectedEvent({ source: 'span_status', type: 'SpanError', message: 'GET /users/:id', timestampMs: END_MS }),
  ]);
});

it('counts an ERROR span with an exception event once, as the exception and not also as a status', () => {
  const { events } = extract([
    span({
      ...errorStatus('request failed'),
      attributes: [{ key: 'error.type', value: { stringValue: 'TypeError' } }],
      events: [exceptionEvent({ 'exception.type': 'TypeError', 'exception.message': 'x is undefined' })],
    }),
  ]);
  assert.deepEqual(events, [expectedEvent({ type: 'TypeError', message: 'x is undefined' })]);
});

it('makes no event for spans with status OK or UNSET and no exception event', () => {
  const { events, skippedExceptions } = extract([
    span({ spanId: '0000000000000001', status: { code: 'STATUS_CODE_OK' } }),
    span({ spanId: '0000000000000002' }),
  ]);
  assert.deepEqual(events, []);
  assert.equal(skippedExceptions, 0);
});

// Item 17: exception.escaped is deprecated; read when present, never decisive.

it('reads exception.escaped as undefined when missing, true from true or "true", and false from "False"', () => {
  const { events } = extract([
    span({
      ...errorStatus(),
      events: [
        exceptionEvent({ 'exception.type': 'Missing' }),
        exceptionEvent({ 'exception.type': 'BoolTrue', 'exception.escaped': true }),
        exceptionEvent({ 'exception.type': 'StringTrue', 'exception.escaped': 'true' }),
        exceptionEvent({ 'exception.type': 'StringFalse', 'exception.escaped': 'False' }),
        exceptionEvent({ 'exception.type': 'BoolFalse', 'exception.escaped': false }),
        exceptionEvent({ 'exception.type': 'Unreadable', 'exception.escaped': 'yes' }),
      ],
    }),
  ]);
  assert.deepEqual(
    events.map((event) => [event.type, event.escaped]),
    [
      ['Missing', undefined],
      ['BoolTrue', true],
      ['StringTrue', true],
      ['StringFalse', false],
      ['BoolFalse', false],
      ['Unreadable', undefined],
    ],
  );
});

it('counts an exception whatever exception.escaped says, and never lets it decide handled', () => {
  const { events } = extract([
    span({ spanId: '0000000000000001', ...errorStatus(), events: [exceptionEvent({ 'exception.type': 'A', 'exception.escaped': false })] }),
    span({ spanId: '0000000000000002', status: { code: 'STATUS_CODE_OK' }, events: [exceptionEvent({ 'exception.type': 'B', 'exception.escaped': true })] }),
  ]);
  assert.deepEqual(
    events.map((event) => [event.type, event.escaped, event.handled]),
    [
      ['A', false, false],
      ['B', true, true],
    ],
  );
});

// Item 19: partial exception fields.

it('types an exception that has only a message as Error', () => {
  const { events } = extract([span({ ...errorStatus(), events: [exceptionEvent({ 'exception.message': 'something broke' })] })]);
  assert.deepEqual(events, [expectedEvent({ type: 'Error', message: 'something broke' })]);
});

it('keeps an exception that has only a type, with an empty message', () => {
  const { events } = extract([span({ ...errorStatus(), events: [exceptionEvent({ 'exception.type': 'NullPointerException' })] })]);
  assert.deepEqual(events, [expectedEvent({ type: 'NullPointerException', message: '' })]);
});

it('skips an exception with neither a type nor a message and counts it in skippedExceptions', () => {
  const { events, skippedExceptions } = extract([
    span({ events: [exceptionEvent({ 'exception.stacktrace': 'at nowhere' }), exceptionEvent({ 'exception.type': 'Kept' })] }),
  ]);
  assert.deepEqual(
    events.map((event) => event.type),
    ['Kept'],
  );
  assert.equal(skippedExceptions, 1);
});

it('still reports an ERROR span from its status when its only exception event is unusable', () => {
  const { events, skippedExceptions } = extract([span({ ...errorStatus('boom'), events: [exceptionEvent({ 'exception.escaped': true })] })]);
  assert.deepEqual(events, [expectedEvent({ source: 'span_status', type: 'SpanError', message: 'boom', timestampMs: END_MS })]);
  assert.equal(skippedExceptions, 1);
});

// Item 20: oversized stack traces.

it('caps a 1 MB stack trace at max_stacktrace_bytes, cut at a line end with a marker, without crashing', () => {
  const huge = stackTrace(1024 * 1024);
  const { events } = extract([span({ ...errorStatus(), events: [exceptionEvent({ 'exception.type': 'StackOverflowError', 'exception.stacktrace': huge })] })]);
  const maxBytes = defaults.maxStacktraceBytes;
  assert.equal(maxBytes, 64 * 1024);
  assert.equal(events[0].stacktrace, cappedStackTrace(huge, maxBytes));
  const [kept, marker] = events[0].stacktrace.split('\n… ');
  assert.ok(kept.length <= maxBytes, `kept ${kept.length} characters`);
  assert.ok(huge.startsWith(`${kept}\n`));
  assert.match(marker, /^\[\d+ more characters cut\]$/);
});

it('caps stack traces at a configured max_stacktrace_bytes', () => {
  const trace = stackTrace(10_000);
  const { events } = extract(
    [span({ ...errorStatus(), events: [exceptionEvent({ 'exception.type': 'E', 'exception.stacktrace': trace })] })],
    extractOptions({ maxStacktraceBytes: 1000 }),
  );
  assert.equal(events[0].stacktrace, cappedStackTrace(trace, 1000));
});

it('keeps a stack trace under the cap exactly as sent', () => {
  const trace = 'Error: boom\n    at a (a.js:1:1)\n    at b (b.js:2:2)';
  const { events } = extract([span({ ...errorStatus(), events: [exceptionEvent({ 'exception.type': 'Error', 'exception.stacktrace': trace })] })]);
  assert.equal(events[0].stacktrace, trace);
});

it('caps a long exception message at max_message_bytes', () => {
  const { events } = extract(
    [span({ ...errorStatus(), events: [exceptionEvent({ 'exception.message': 'x'.repeat(500) })] })],
    extractOptions({ maxMessageBytes: 100 }),
  );
  assert.equal(events[0].message, `${'x'.repeat(100)}\n… [400 more characters cut]`);
});

// Item 21: resources without service.name.

it('names a resource without service.name unknown_service instead of dropping its spans', () => {
  const { events, timings } = extract([span({ ...errorStatus(), events: [exceptionEvent({ 'exception.type': 'E' })] })], defaults, {
    'service.version': '1.0.0',
  });
  assert.deepEqual(
    events.map((event) => [event.service, event.serviceVersion]),
    [['unknown_service', '1.0.0']],
  );
  assert.deepEqual(
    timings.map((timing) => timing.service),
    ['unknown_service'],
  );
});

// Event fields.

it('fills every field of an event from the resource, the span and the exception', () => {
  const { events } = extract(
    [
      span({
        ...errorStatus('internal error'),
        attributes: [
          { key: 'http.route', value: { stringValue: '/users/:id' } },
          { key: 'http.request.method', value: { stringValue: 'GET' } },
          { key: 'http.response.status_code', value: { intValue: '500' } },
          { key: 'url.path', value: { stringValue: '/users/123' } },
        ],
        events: [
          exceptionEvent({
            'exception.type': 'TypeError',
            'exception.message': "Cannot read properties of undefined (reading 'id')",
            'exception.stacktrace': 'TypeError: Cannot read properties\n    at handler (users.js:12:3)',
            'exception.escaped': 'true',
          }),
        ],
      }),
    ],
    defaults,
    { 'service.name': 'users-api', 'service.version': '2.4.1', 'deployment.environment.name': 'production' },
  );
  assert.deepEqual(events, [
    {
      source: 'span',
      service: 'users-api',
      serviceVersion: '2.4.1',
      environment: 'production',
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      timestampMs: EVENT_TIME_MS,
      level: 'error',
      type: 'TypeError',
      message: "Cannot read properties of undefined (reading 'id')",
      stacktrace: 'TypeError: Cannot read properties\n    at handler (users.js:12:3)',
      escaped: true,
      handled: false,
      spanName: 'GET /users/:id',
      httpRoute: '/users/:id',
      httpMethod: 'GET',
      httpStatusCode: 500,
      urlPath: '/users/123',
    },
  ]);
});

it('reads the environment from deployment.environment when deployment.environment.name is absent', () => {
  const { events } = extract([span(errorStatus())], defaults, { 'service.name': 'checkout', 'deployment.environment': 'staging' });
  assert.equal(events[0].environment, 'staging');
});

it('prefers deployment.environment.name over deployment.environment', () => {
  const { events } = extract([span(errorStatus())], defaults, {
    'service.name': 'checkout',
    'deployment.environment': 'old-name',
    'deployment.environment.name': 'production',
  });
  assert.equal(events[0].environment, 'production');
});

it('takes the timestamp from the span end time when the exception event has no time', () => {
  const { events } = extract([span({ ...errorStatus(), events: [exceptionEvent({ 'exception.type': 'E' }, null)] })]);
  assert.equal(events[0].timestampMs, END_MS);
});

it('reads the method from http.method when http.request.method is absent', () => {
  const { events } = extract([span({ ...errorStatus(), attributes: [{ key: 'http.method', value: { stringValue: 'POST' } }] })]);
  assert.equal(events[0].httpMethod, 'POST');
});

it('prefers http.request.method over http.method', () => {
  const { events } = extract([
    span({
      ...errorStatus(),
      attributes: [
        { key: 'http.method', value: { stringValue: 'POST' } },
        { key: 'http.request.method', value: { stringValue: 'PUT' } },
      ],
    }),
  ]);
  assert.equal(events[0].httpMethod, 'PUT');
});

it('reads http.response.status_code sent as an int or as a numeric string', () => {
  const { events } = extract([
    span({ spanId: '0000000000000001', ...errorStatus(), attributes: [{ key: 'http.response.status_code', value: { intValue: '503' } }] }),
    span({ spanId: '0000000000000002', ...errorStatus(), attributes: [{ key: 'http.response.status_code', value: { stringValue: '502' } }] }),
    span({ spanId: '0000000000000003', ...errorStatus(), attributes: [{ key: 'http.response.status_code', value: { stringValue: 'bad' } }] }),
  ]);
  assert.deepEqual(
    events.map((event) => event.httpStatusCode),
    [503, 502, 0],
  );
});

// Timings.

const ALL_KINDS = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
];

function oneSpanOfEachKind(): Json[] {
  return ALL_KINDS.map((kind, i) => span({ spanId: `000000000000000${i + 1}`, name: kind, kind }));
}

it('times only SERVER and CONSUMER spans by default', () => {
  const { timings } = extract(oneSpanOfEachKind());
  assert.deepEqual(
    timings.map((timing) => timing.spanKind),
    ['SPAN_KIND_SERVER', 'SPAN_KIND_CONSUMER'],
  );
});

it('times the span kinds configured in span_kinds', () => {
  const { timings } = extract(oneSpanOfEachKind(), extractOptions({}, ['CLIENT', 'INTERNAL']));
  assert.deepEqual(
    timings.map((timing) => timing.spanKind),
    ['SPAN_KIND_INTERNAL', 'SPAN_KIND_CLIENT'],
  );
});

it('names timings by http.route, so GET /users/123 and /users/456 share one span name', () => {
  const route = [{ key: 'http.route', value: { stringValue: '/users/:id' } }];
  const { timings } = extract([
    span({ spanId: '0000000000000001', name: 'GET /users/123', attributes: route }),
    span({ spanId: '0000000000000002', name: '/users/456', attributes: route }),
  ]);
  assert.deepEqual(
    timings.map((timing) => timing.spanName),
    ['/users/:id', '/users/:id'],
  );
});

it('names a timing by the span name when the span has no http.route', () => {
  const { timings } = extract([span({ name: 'process order', kind: 'SPAN_KIND_CONSUMER' })]);
  assert.equal(timings[0].spanName, 'process order');
});

it('fills every field of a timing, with the duration of a 250 ms span exactly 0.25 seconds', () => {
  const { timings } = extract([span({ ...errorStatus('boom') })], defaults, { 'service.name': 'users-api' });
  assert.deepEqual(timings, [
    { service: 'users-api', spanName: 'GET /users/:id', spanKind: 'SPAN_KIND_SERVER', statusCode: 'STATUS_CODE_ERROR', durationSeconds: 0.25, traceId: TRACE_ID },
  ]);
});

it('gives a timing zero seconds when the span ends before it starts', () => {
  const { timings } = extract([span({ startTimeUnixNano: END, endTimeUnixNano: START })]);
  assert.equal(timings[0].durationSeconds, 0);
});

it('names the status codes STATUS_CODE_UNSET, STATUS_CODE_OK and STATUS_CODE_ERROR', () => {
  const { timings } = extract([
    span({ spanId: '0000000000000001' }),
    span({ spanId: '0000000000000002', status: { code: 'STATUS_CODE_OK' } }),
    span({ spanId: '0000000000000003', status: { code: 2 } }),
  ]);
  assert.deepEqual(
    timings.map((timing) => timing.statusCode),
    ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'],
  );
});

it('makes errors from spans of every kind, not only the timed ones', () => {
  const { events, timings } = extract([span({ kind: 'SPAN_KIND_CLIENT', ...errorStatus('connection refused') })]);
  assert.deepEqual(timings, []);
  assert.deepEqual(
    events.map((event) => event.message),
    ['connection refused'],
  );
});

it('keeps the attributes of the span an event came from, for filters and fingerprints', () => {
  const decoded = decodeTraces([span({ attributes: [{ key: 'url.path', value: { stringValue: '/health' } }], status: { code: 2 } })]);
  const [event] = extractFromTraces(decoded, defaults).events;
  assert.equal(event.attributes.get('url.path'), '/health');
  assert.equal(event.attributes, decoded.resourceSpans[0].scopeSpans[0].spans[0].attributes);
});
