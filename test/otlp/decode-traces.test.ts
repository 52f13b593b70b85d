import { test as it } from 'node:test';
import assert from 'node:assert/strict';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { FaultlineError } from '../../src/errors.js';
import { decodeTracesProtobuf } from '../../src/otlp/protobuf/decode-traces.js';
import { decodeTracesJson } from '../../src/otlp/json/decode-traces-json.js';
import { encodeLogsRequest, encodeTracesRequest } from '../helpers/proto.js';
import { END, SPAN_ID, START, TRACE_ID, logRecord, logsRequest, span, tracesRequest } from './fixtures.js';

function decodeError(run: () => unknown): FaultlineError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof FaultlineError, `expected a FaultlineError, got ${String(error)}`);
    assert.equal(error.code, 'FL_DECODE');
    return error;
  }
  assert.fail('expected a decode error');
}

async function sdkSpans() {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'deployment.replicas': 3 }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('checkout-tracer', '2.0.0');
  const failing = tracer.startSpan('POST /pay', {
    kind: SpanKind.SERVER,
    attributes: { 'http.route': '/pay', 'http.status_code': 500, ratio: 0.5, retried: true, tags: ['a', 'b'] },
  });
  failing.recordException(new TypeError('card is undefined'));
  failing.setStatus({ code: SpanStatusCode.ERROR, message: 'payment failed' });
  failing.end();
  tracer.startSpan('SELECT', { kind: SpanKind.CLIENT }).end();
  tracer.startSpan('internal work').end();
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  return spans;
}

it('decodes the official protobuf and JSON serializations of real SDK spans to the same result', async () => {
  const spans = await sdkSpans();
  const fromProtobuf = decodeTracesProtobuf(ProtobufTraceSerializer.serializeRequest(spans)!);
  const fromJson = decodeTracesJson(Buffer.from(JsonTraceSerializer.serializeRequest(spans)!).toString('utf8'));
  assert.deepEqual(fromJson, fromProtobuf);
  assert.equal(fromProtobuf.spanCount, 3);
  assert.deepEqual(fromProtobuf.rejected, []);
  const [resourceSpans] = fromProtobuf.resourceSpans;
  assert.equal(resourceSpans.resource.get('service.name'), 'checkout');
  assert.equal(resourceSpans.resource.get('deployment.replicas'), 3);
  assert.equal(resourceSpans.scopeSpans[0].scopeName, 'checkout-tracer');
  const pay = resourceSpans.scopeSpans[0].spans.find((s) => s.name === 'POST /pay')!;
  const original = spans.find((s) => s.name === 'POST /pay')!;
  assert.equal(pay.traceId, original.spanContext().traceId);
  assert.equal(pay.spanId, original.spanContext().spanId);
  assert.equal(pay.kind, 2);
  assert.equal(pay.statusCode, 2);
  assert.equal(pay.statusMessage, 'payment failed');
  assert.equal(pay.attributes.get('http.status_code'), 500);
  assert.deepEqual(pay.attributes.get('tags'), ['a', 'b']);
  assert.equal(pay.events[0].name, 'exception');
  assert.equal(pay.events[0].attributes.get('exception.message'), 'card is undefined');
  const [seconds, nanos] = original.endTime;
  assert.equal(pay.endTimeUnixNano, BigInt(seconds) * 1_000_000_000n + BigInt(nanos));
});

it('decodes a request encoded by protobufjs from our proto files the same as its OTLP/JSON form', () => {
  const request = tracesRequest([span(), span({ spanId: 'aaaaaaaaaaaaaaaa', kind: 3, status: undefined, events: [] })]);
  const fromProtobuf = decodeTracesProtobuf(encodeTracesRequest(request));
  assert.deepEqual(decodeTracesJson(JSON.stringify(request)), fromProtobuf);
  const decoded = fromProtobuf.resourceSpans[0].scopeSpans[0];
  assert.equal(decoded.scopeName, 'test-scope');
  const first = decoded.spans[0];
  assert.equal(first.traceId, TRACE_ID);
  assert.equal(first.spanId, SPAN_ID);
  assert.equal(first.startTimeUnixNano, BigInt(START));
  assert.equal(first.endTimeUnixNano, BigInt(END));
  assert.equal(first.attributes.get('http.status_code'), 500);
  assert.equal(first.attributes.get('negative'), -42);
  assert.equal(first.attributes.get('ratio'), 0.25);
  assert.equal(first.attributes.get('retried'), true);
  assert.deepEqual(first.attributes.get('tags'), ['a', 1]);
  assert.deepEqual(first.attributes.get('user'), { id: 'u1' });
  assert.deepEqual(first.attributes.get('raw'), new Uint8Array([1, 2, 3]));
  assert.equal(first.events[0].timeUnixNano, 1700000000500000000n);
  assert.equal(decoded.spans[1].statusCode, 0);
  assert.deepEqual(decoded.spans[1].events, []);
});

it('keeps int64 attribute values beyond 2^53 exact as bigint', () => {
  const decoded = decodeTracesProtobuf(encodeTracesRequest(tracesRequest([span()])));
  assert.equal(decoded.resourceSpans[0].scopeSpans[0].spans[0].attributes.get('big'), 9007199254740993n);
});

it('reads empty input as an empty request', () => {
  assert.deepEqual(decodeTracesProtobuf(new Uint8Array(0)), { resourceSpans: [], spanCount: 0, rejected: [] });
});

it('keeps a span whose trace id or span id is missing or all zeros, with that id as empty', () => {
  const bytes = encodeTracesRequest(
    tracesRequest([
      span({ traceId: '' }),
      span({ spanId: '' }),
      span({ traceId: '00000000000000000000000000000000' }),
      span({ spanId: '0000000000000000' }),
      span({ parentSpanId: '' }),
    ]),
  );
  const decoded = decodeTracesProtobuf(bytes);
  assert.deepEqual(decoded.rejected, []);
  assert.equal(decoded.spanCount, 5);
  const spans = decoded.resourceSpans[0].scopeSpans[0].spans;
  assert.deepEqual(
    spans.map((s) => [s.traceId, s.spanId]),
    [['', SPAN_ID], [TRACE_ID, ''], ['', SPAN_ID], [TRACE_ID, ''], [TRACE_ID, SPAN_ID]],
  );
  assert.deepEqual(spans.map((s) => s.events.length), [1, 1, 1, 1, 1]);
});

it('rejects spans with a 4-byte trace id, a 9-byte span id, a 4-byte parent span id or no end time, naming each', () => {
  const bytes = encodeTracesRequest(
    tracesRequest([
      span({ traceId: 'aabbccdd' }),
      span({ spanId: 'aabbccddeeff001122' }),
      span({ parentSpanId: 'aabbccdd' }),
      span({ endTimeUnixNano: '0' }),
      span({ parentSpanId: 'aabbccddeeff0011' }),
    ]),
  );
  const decoded = decodeTracesProtobuf(bytes);
  assert.equal(decoded.spanCount, 1);
  assert.deepEqual(decoded.rejected, [
    { path: 'resourceSpans[0].scopeSpans[0].spans[0]', reason: 'trace_id has 4 bytes, expected 16' },
    { path: 'resourceSpans[0].scopeSpans[0].spans[1]', reason: 'span_id has 9 bytes, expected 8' },
    { path: 'resourceSpans[0].scopeSpans[0].spans[2]', reason: 'parent_span_id has 4 bytes, expected 8' },
    { path: 'resourceSpans[0].scopeSpans[0].spans[3]', reason: 'end_time_unix_nano is missing' },
  ]);
});

it('refuses an ExportLogsServiceRequest posted as traces instead of reading id-less spans', () => {
  const logs = encodeLogsRequest(logsRequest([logRecord()]));
  const error = decodeError(() => decodeTracesProtobuf(logs));
  assert.match(error.message, /^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]: field 1 \(trace_id\) has wire type 1, expected 2/);
});

it('names the field path, the field and the offset when a wire type is wrong', () => {
  // A span whose field 7 (start_time_unix_nano) is written as a string.
  const bad = Uint8Array.from([0x3a, 0x02, 0x61, 0x62]);
  const bytes = Uint8Array.from([0x0a, bad.length + 4, 0x12, bad.length + 2, 0x12, bad.length, ...bad]);
  const error = decodeError(() => decodeTracesProtobuf(bytes));
  assert.equal(
    error.message,
    'resourceSpans[0].scopeSpans[0].spans[0]: field 7 (start_time_unix_nano) has wire type 2, expected 1 (fixed64) at offset 6',
  );
});

it('refuses a span name or an attribute value that is not valid UTF-8, naming the span, whether attributes are read lazily or not', () => {
  const bad = [0xc3, 0x28];
  const anyValue = [0x0a, bad.length, ...bad];
  const keyValue = [0x0a, 0x01, 0x6b, 0x12, anyValue.length, ...anyValue];
  for (const spanBytes of [[0x2a, bad.length, ...bad], [0x4a, keyValue.length, ...keyValue]]) {
    const bytes = Uint8Array.from([0x0a, spanBytes.length + 4, 0x12, spanBytes.length + 2, 0x12, spanBytes.length, ...spanBytes]);
    for (const lazyAttributes of [false, true]) {
      const error = decodeError(() => decodeTracesProtobuf(bytes, { lazyAttributes }));
      assert.match(error.message, /^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\].*string at offset \d+ is not valid UTF-8$/);
    }
  }
});

it('fails with a decode error, never another error or a hang, when a request is cut at any byte', () => {
  const bytes = encodeTracesRequest(tracesRequest([span(), span({ spanId: 'cccccccccccccccc' })]));
  for (let cut = 1; cut < bytes.length; cut++) {
    const truncated = bytes.subarray(0, cut);
    try {
      decodeTracesProtobuf(truncated);
      // A cut exactly between two top-level fields leaves a valid, shorter request.
    } catch (error) {
      assert.ok(error instanceof FaultlineError && error.code === 'FL_DECODE', `cut at ${cut}: ${String(error)}`);
      assert.match(error.message, /offset \d+/);
    }
  }
  // With a single top-level field, every cut is an error.
  const one = encodeTracesRequest(tracesRequest([span()]));
  for (let cut = 1; cut < one.length; cut++) decodeError(() => decodeTracesProtobuf(one.subarray(0, cut)));
});

it('refuses attribute values nested deeper than the limit without overflowing the stack', () => {
  let value: object = { stringValue: 'leaf' };
  for (let i = 0; i < 40; i++) value = { arrayValue: { values: [value] } };
  const request = tracesRequest([span({ attributes: [{ key: 'deep', value }] })]);
  const error = decodeError(() => decodeTracesProtobuf(encodeTracesRequest(request)));
  assert.match(error.message, /spans\[0\]\.attributes\[0\].*nested deeper than 32/);
  const jsonError = decodeError(() => decodeTracesJson(JSON.stringify(request)));
  assert.match(jsonError.message, /nested deeper than 32/);

});

it('keeps the last value of a repeated attribute key', () => {
  const request = tracesRequest([
    span({ attributes: [{ key: 'k', value: { stringValue: 'first' } }, { key: 'k', value: { stringValue: 'last' } }] }),
  ]);
  assert.equal(decodeTracesProtobuf(encodeTracesRequest(request)).resourceSpans[0].scopeSpans[0].spans[0].attributes.get('k'), 'last');
});

it('skips unknown fields of every wire type, groups included', () => {
  const valid = encodeTracesRequest(tracesRequest([span()]));
  // Field 99 varint, field 98 fixed64, field 97 fixed32, field 96 a group holding a varint.
  const unknown = [0x98, 0x06, 0x01, 0x91, 0x06, 1, 2, 3, 4, 5, 6, 7, 8, 0x8d, 0x06, 1, 2, 3, 4, 0x83, 0x06, 0x08, 0x01, 0x84, 0x06];
  const decoded = decodeTracesProtobuf(Uint8Array.from([...unknown, ...valid]));
  assert.equal(decoded.spanCount, 1);
  decodeError(() => decodeTracesProtobuf(Uint8Array.from([0x83, 0x06, 0x08, 0x01])));
  decodeError(() => decodeTracesProtobuf(Uint8Array.from([0x84, 0x06])));
});

