import { test as it } from 'node:test';
import assert from 'node:assert/strict';
import { FaultlineError } from '../../src/errors.js';
import { decodeTracesJson } from '../../src/otlp/json/decode-traces-json.js';
import { decodeLogsJson } from '../../src/otlp/json/decode-logs-json.js';
import { quoteBigIntegers } from '../../src/otlp/json/json-common.js';
import { decodeTracesProtobuf } from '../../src/otlp/protobuf/decode-traces.js';
import { encodeTracesRequest } from '../helpers/proto.js';
import { SPAN_ID, TRACE_ID, logRecord, logsRequest, span, tracesRequest } from './fixtures.js';

function json(spans: { [key: string]: unknown }[]): string {
  return JSON.stringify(tracesRequest(spans));
}

function onlySpan(body: string) {
  const decoded = decodeTracesJson(body);
  assert.deepEqual(decoded.rejected, []);
  return decoded.resourceSpans[0].scopeSpans[0].spans[0];
}

function decodeFailure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof FaultlineError, `expected a FaultlineError, got ${String(error)}`);
    assert.equal(error.code, 'FL_DECODE');
    return error.message;
  }
  assert.fail('expected a decode error');
}

it('refuses invalid JSON with a decode error that says so', () => {
  assert.match(decodeFailure(() => decodeTracesJson('{"resourceSpans": [')), /^invalid JSON: /);
  assert.match(decodeFailure(() => decodeLogsJson('')), /^invalid JSON: /);
  assert.match(decodeFailure(() => decodeTracesJson('[]')), /expected a JSON object at the top level, got array/);
  assert.match(decodeFailure(() => decodeTracesJson('null')), /got null/);
});

it('names the JSON path of a wrongly typed field', () => {
  const body = json([span(), span({ startTimeUnixNano: {} })]);
  assert.equal(
    decodeFailure(() => decodeTracesJson(body)),
    'resourceSpans[0].scopeSpans[0].spans[1].startTimeUnixNano: expected an integer or a decimal string, got object',
  );
  assert.equal(
    decodeFailure(() => decodeTracesJson(json([span({ name: 42 })]))),
    'resourceSpans[0].scopeSpans[0].spans[0].name: expected a string, got number',
  );
  assert.equal(
    decodeFailure(() => decodeTracesJson(json([span({ attributes: [{ key: 'a', value: { intValue: 'abc' } }] })]))),
    'resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.intValue: expected an integer or a decimal string, got "abc"',
  );
  assert.equal(
    decodeFailure(() => decodeTracesJson('{"resourceSpans":{}}')),
    'resourceSpans: expected an array, got object',
  );
  assert.equal(
    decodeFailure(() => decodeTracesJson('{"resourceSpans":[{"scopeSpans":[{"spans":[7]}]}]}')),
    'resourceSpans[0].scopeSpans[0].spans[0]: expected an object, got number',
  );
  assert.match(decodeFailure(() => decodeTracesJson(json([span({ traceId: 12 })]))), /spans\[0\]\.traceId: expected a hex string, got number/);
  assert.match(decodeFailure(() => decodeTracesJson(json([span({ kind: 'SERVER' })]))), /spans\[0\]\.kind: unknown enum name "SERVER"/);
});

it('accepts upper-case hex ids and stores them in lower case', () => {
  const decoded = onlySpan(json([span({ traceId: TRACE_ID.toUpperCase(), spanId: SPAN_ID.toUpperCase() })]));
  assert.equal(decoded.traceId, TRACE_ID);
  assert.equal(decoded.spanId, SPAN_ID);
});

it('rejects only the span whose id is base64, naming the field, instead of decoding a garbage id', () => {
  const base64TraceId = Buffer.from(TRACE_ID, 'hex').toString('base64');
  const base64SpanId = Buffer.from(SPAN_ID, 'hex').toString('base64');
  const decoded = decodeTracesJson(json([span({ traceId: base64TraceId }), span(), span({ spanId: base64SpanId })]));
  assert.equal(decoded.spanCount, 1);
  assert.equal(decoded.resourceSpans[0].scopeSpans[0].spans[0].traceId, TRACE_ID);
  assert.deepEqual(
    decoded.rejected.map((r) => [r.path, r.reason.split(' ')[0]]),
    [
      ['resourceSpans[0].scopeSpans[0].spans[0]', 'trace_id'],
      ['resourceSpans[0].scopeSpans[0].spans[2]', 'span_id'],
    ],
  );
  assert.match(decoded.rejected[0].reason, /not a hex string/);
});

it('keeps a span whose trace id or span id is missing, empty or all zeros, with that id as empty', () => {
  const decoded = decodeTracesJson(
    json([
      span({ traceId: undefined }),
      span({ spanId: '' }),
      span({ traceId: '0'.repeat(32), spanId: '0'.repeat(16) }),
      span({ parentSpanId: '' }),
    ]),
  );
  assert.deepEqual(decoded.rejected, []);
  assert.equal(decoded.spanCount, 4);
  assert.deepEqual(
    decoded.resourceSpans[0].scopeSpans[0].spans.map((s) => [s.traceId, s.spanId]),
    [['', SPAN_ID], [TRACE_ID, ''], ['', ''], [TRACE_ID, SPAN_ID]],
  );
});

it('rejects only the span whose parent span id is malformed, as it does for the other ids', () => {
  const decoded = decodeTracesJson(json([span({ parentSpanId: 'aabbccdd' }), span({ parentSpanId: 'AQIDBAUGBwg=' }), span({ parentSpanId: 'eee19b7ec3c1b175' })]));
  assert.equal(decoded.spanCount, 1);
  assert.deepEqual(decoded.rejected, [
    { path: 'resourceSpans[0].scopeSpans[0].spans[0]', reason: 'parent_span_id has 4 bytes, expected 8' },
    { path: 'resourceSpans[0].scopeSpans[0].spans[1]', reason: 'parent_span_id is not a hex string (OTLP/JSON ids are hex, not base64)' },
  ]);
});

it('rejects a 9-byte span id rather than truncating it', () => {
  const decoded = decodeTracesJson(json([span({ spanId: 'aabbccddeeff001122' })]));
  assert.equal(decoded.spanCount, 0);
  assert.deepEqual(decoded.rejected[0].reason, 'span_id has 9 bytes, expected 8');
});

it('reads a nanosecond timestamp given as a decimal string or a JSON number exactly', () => {
  const asString = onlySpan(json([span({ startTimeUnixNano: '1700000000123456789' })]));
  const asNumber = onlySpan(json([span()]).replace('"startTimeUnixNano":"1700000000123456789"', '"startTimeUnixNano":1700000000123456789'));
  assert.equal(asString.startTimeUnixNano, 1700000000123456789n);
  assert.equal(asNumber.startTimeUnixNano, 1700000000123456789n);
});

it('reads intValue "25" and 25 as the same value, and int64 beyond 2^53 exactly', () => {
  const attributes = [
    { key: 'text', value: { intValue: '25' } },
    { key: 'number', value: { intValue: 25 } },
    { key: 'big', value: { intValue: '9007199254740993' } },
    { key: 'min', value: { intValue: '-9223372036854775808' } },
  ];
  const body = json([span({ attributes })]).replace('"intValue":"9007199254740993"', '"intValue":9007199254740993');
  const decoded = onlySpan(body);
  assert.equal(decoded.attributes.get('text'), 25);
  assert.equal(decoded.attributes.get('number'), 25);
  assert.equal(decoded.attributes.get('big'), 9007199254740993n);
  assert.equal(decoded.attributes.get('min'), -9223372036854775808n);
});

it('decodes protobufjs-style {low, high} Long objects as the 64-bit value they stand for', () => {
  const ns = 1700000000123456789n;
  const long = { low: Number(ns & 0xffffffffn) | 0, high: Number(ns >> 32n) | 0, unsigned: false };
  const decoded = onlySpan(json([span({ startTimeUnixNano: long, attributes: [{ key: 'n', value: { intValue: { low: -1, high: -1 } } }] })]));
  assert.equal(decoded.startTimeUnixNano, ns);
  assert.equal(decoded.attributes.get('n'), -1);
});

it('accepts enums by name, by number, and treats a missing one as 0', () => {
  const byName = onlySpan(json([span({ kind: 'SPAN_KIND_SERVER', status: { code: 'STATUS_CODE_ERROR' } })]));
  const byNumber = onlySpan(json([span({ kind: 2, status: { code: 2 } })]));
  const missing = onlySpan(json([span({ kind: undefined, status: undefined })]));
  assert.deepEqual([byName.kind, byName.statusCode], [2, 2]);
  assert.deepEqual([byNumber.kind, byNumber.statusCode], [2, 2]);
  assert.deepEqual([missing.kind, missing.statusCode], [0, 0]);
  const logs = decodeLogsJson(JSON.stringify(logsRequest([logRecord({ severityNumber: 'SEVERITY_NUMBER_ERROR' }), logRecord({ severityNumber: 'SEVERITY_NUMBER_FATAL4' }), logRecord({ severityNumber: undefined })])));
  assert.deepEqual(logs.resourceLogs[0].scopeLogs[0].logRecords.map((r) => r.severityNumber), [17, 24, 0]);
});

it('accepts snake_case keys as well as lowerCamelCase', () => {
  const body = JSON.stringify({
    resource_spans: [
      {
        scope_spans: [
          {
            spans: [
              {
                trace_id: TRACE_ID,
                span_id: SPAN_ID,
                name: 'snake',
                start_time_unix_nano: '1',
                end_time_unix_nano: '2',
                attributes: [{ key: 'a', value: { string_value: 'b', int_value: undefined } }],
              },
            ],
          },
        ],
      },
    ],
  });
  const decoded = onlySpan(body);
  assert.deepEqual([decoded.traceId, decoded.spanId, decoded.endTimeUnixNano, decoded.attributes.get('a')], [TRACE_ID, SPAN_ID, 2n, 'b']);
});

it('ignores unknown keys and reads {"foo":1} as a valid empty request', () => {
  const decoded = onlySpan(json([span({ somethingNew: { deep: [1, 2] }, droppedAttributesCount: 3 })]));
  assert.equal(decoded.name, 'GET /items/:id');
  assert.deepEqual(decodeTracesJson('{"foo":1}'), { resourceSpans: [], spanCount: 0, rejected: [] });
  assert.deepEqual(decodeLogsJson('{}'), { resourceLogs: [], logRecordCount: 0, rejected: [] });
});

it('decodes the same request to the same result from JSON and from protobuf', () => {
  const request = tracesRequest([span(), span({ traceId: '0'.repeat(32) }), span({ spanId: 'aabbccddeeff001122' })]);
  assert.deepEqual(decodeTracesJson(JSON.stringify(request)), decodeTracesProtobuf(encodeTracesRequest(request)));
});

it('quotes only integer literals of 16 or more digits outside strings', () => {
  assert.equal(
    quoteBigIntegers('{"a":1700000000123456789,"b":"1700000000123456789","c":12,"d":1.2345678901234567,"e":-9223372036854775808,"f":"x\\"1234567890123456"}'),
    '{"a":"1700000000123456789","b":"1700000000123456789","c":12,"d":1.2345678901234567,"e":"-9223372036854775808","f":"x\\"1234567890123456"}',
  );
});
