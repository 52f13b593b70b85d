import { test as it } from 'node:test';
import assert from 'node:assert/strict';
import { ERRORS_PROCESSOR_DEFAULTS } from '../../src/processor/errors/config.js';
import { extractFromTraces } from '../../src/extract/from-spans.js';
import { createExtractOptions } from '../../src/extract/options.js';
import { decodeLogsProtobuf } from '../../src/otlp/protobuf/decode-logs.js';
import { decodeTracesProtobuf } from '../../src/otlp/protobuf/decode-traces.js';
import { detachAttributes, hasKeyWithPrefix } from '../../src/otlp/protobuf/wire-attributes.js';
import type { Attributes, DecodedTraces } from '../../src/otlp/types.js';
import { encodeTracesRequest } from '../helpers/proto.js';
import { logsProtobuf, tracesProtobuf } from '../helpers/sdk-payloads.js';

const TRACE_ID = '5b8efff798038103d269b633813fc60c';
const LAZY = { lazyAttributes: true };

const str = (value: string) => ({ stringValue: value });

function request(attributes: object[], eventAttributes: object[] = []): Uint8Array {
  return encodeTracesRequest({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: str('checkout') }] },
        scopeSpans: [
          {
            scope: { name: 'test' },
            spans: [
              {
                traceId: TRACE_ID,
                spanId: 'eee19b7ec3c1b174',
                name: 'GET /pay',
                kind: 2,
                startTimeUnixNano: '1700000000000000000',
                endTimeUnixNano: '1700000000250000000',
                attributes,
                events: [{ name: 'exception', timeUnixNano: '1700000000100000000', attributes: eventAttributes }],
                status: { code: 2 },
              },
            ],
          },
        ],
      },
    ],
  });
}

const VARIED = [
  { key: 'http.route', value: str('/pay') },
  { key: 'count', value: { intValue: '-42' } },
  { key: 'big', value: { intValue: '9007199254740993' } },
  { key: 'ratio', value: { doubleValue: 0.25 } },
  { key: 'ok', value: { boolValue: true } },
  { key: 'tags', value: { arrayValue: { values: [str('a'), { intValue: '1' }] } } },
  { key: 'user', value: { kvlistValue: { values: [{ key: 'id', value: str('u1') }] } } },
  { key: 'raw', value: { bytesValue: new Uint8Array([1, 2, 3]) } },
  { key: 'empty' },
  { key: 'größe', value: str('ß') },
  { key: 'k', value: str('first') },
  { key: 'k', value: str('last') },
];

/** Every attribute set as a plain Map, so lazy and eager results compare as data. */
function plain(decoded: DecodedTraces) {
  return decoded.resourceSpans.map((resourceSpans) =>
    resourceSpans.scopeSpans.map((scopeSpans) =>
      scopeSpans.spans.map((span) => ({
        ...span,
        attributes: new Map(span.attributes),
        events: span.events.map((event) => ({ ...event, attributes: new Map(event.attributes) })),
      })),
    ),
  );
}

const spanAttributes = (decoded: DecodedTraces): Attributes => decoded.resourceSpans[0].scopeSpans[0].spans[0].attributes;

it('reads every attribute lazily to the same values as the eager decoder', async () => {
  for (const bytes of [request(VARIED, VARIED), await tracesProtobuf('shop', 3, 2)]) {
    assert.deepEqual(plain(decodeTracesProtobuf(bytes, LAZY)), plain(decodeTracesProtobuf(bytes)));
  }
  const logs = await logsProtobuf('shop', 3);
  const lazy = decodeLogsProtobuf(logs, LAZY).resourceLogs[0].scopeLogs[0].logRecords;
  const eager = decodeLogsProtobuf(logs).resourceLogs[0].scopeLogs[0].logRecords;
  assert.deepEqual(lazy.map((record) => ({ ...record, attributes: new Map(record.attributes) })), eager);
});

it('answers get and has one key at a time, the last repeated key winning', () => {
  const attributes = spanAttributes(decodeTracesProtobuf(request(VARIED), LAZY));
  assert.equal(attributes.get('http.route'), '/pay');
  assert.equal(attributes.get('count'), -42);
  assert.equal(attributes.get('big'), 9007199254740993n);
  assert.equal(attributes.get('k'), 'last');
  assert.equal(attributes.get('empty'), null);
  assert.equal(attributes.get('größe'), 'ß');
  assert.equal(attributes.get('missing'), undefined);
  assert.equal(attributes.has('ok'), true);
  assert.equal(attributes.has('http'), false);
  assert.equal(attributes.size, VARIED.length - 1);
});

it('hands out the same array, kvlist and bytes instance on every get, as a Map does', () => {
  const attributes = spanAttributes(decodeTracesProtobuf(request(VARIED), LAZY));
  assert.equal(attributes.get('tags'), attributes.get('tags'));
  assert.equal(attributes.get('user'), attributes.get('user'));
  assert.deepEqual(attributes.get('raw'), new Uint8Array([1, 2, 3]));
});

it('finds a key prefix in place, as extraction asks of log records', () => {
  const attributes = spanAttributes(decodeTracesProtobuf(request(VARIED), LAZY));
  assert.equal(hasKeyWithPrefix(attributes, 'http.'), true);
  assert.equal(hasKeyWithPrefix(attributes, 'exception.'), false);
  assert.equal(hasKeyWithPrefix(new Map([['exception.type', 'E']]), 'exception.'), true);
});

it('keeps error events readable after the request buffer is reused, with the span attributes as the same object', () => {
  const bytes = request(VARIED, [{ key: 'exception.type', value: str('PaymentError') }]);
  const decoded = decodeTracesProtobuf(bytes, LAZY);
  const options = createExtractOptions(ERRORS_PROCESSOR_DEFAULTS);
  const [event] = extractFromTraces(decoded, options).events;
  bytes.fill(0);
  assert.equal(event.type, 'PaymentError');
  assert.equal(event.attributes, spanAttributes(decoded));
  assert.equal(event.attributes.get('http.route'), '/pay');
  assert.equal(detachAttributes(event.attributes), event.attributes);
});

it('refuses malformed attributes with the same error and path as the eager decoder', () => {
  let deep: object = str('leaf');
  for (let i = 0; i < 40; i++) deep = { arrayValue: { values: [deep] } };
  const cases = [
    request([{ key: 'a', value: str('ok') }, { key: 'deep', value: deep }]),
    // A KeyValue whose value is a varint: field 2 with wire type 0.
    (() => {
      const good = request([{ key: 'x', value: str('y') }]);
      const bad = Buffer.from(good);
      const at = bad.indexOf(Buffer.from([0x12, 0x03, 0x0a, 0x01, 0x79]));
      bad[at] = 0x10;
      return bad;
    })(),
  ];
  for (const bytes of cases) {
    const eager = captured(() => decodeTracesProtobuf(bytes));
    const lazy = captured(() => decodeTracesProtobuf(bytes, LAZY));
    assert.ok(eager !== undefined);
    assert.equal(lazy, eager);
  }
});

function captured(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
