// The OTLP/HTTP receiver against bad input: each case gets the right status and a message that
// says what was wrong, the process stays up, and a following good request is counted.

import assert from 'node:assert/strict';
import net from 'node:net';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { eventually, startFaultline, type RunningFaultline } from '../helpers/faultline.js';
import { decodeRpcStatus, post } from '../helpers/http.js';
import { sampleValue } from '../helpers/prom-text.js';
import { logsProtobuf, tracesProtobuf } from '../helpers/sdk-payloads.js';
import { span, tracesRequest } from '../otlp/fixtures.js';

const PROTOBUF = { 'content-type': 'application/x-protobuf' };
const JSON_TYPE = { 'content-type': 'application/json' };
const TRACE_A = '5B8EFFF798038103D269B633813FC60C';
const SPAN_A = 'EEE19B7EC3C1B174';

function jsonSpans(traceIds: string[]): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'json-svc' } }] },
        scopeSpans: [
          {
            spans: traceIds.map((traceId, i) => ({
              traceId,
              spanId: `${SPAN_A.slice(0, 15)}${i}`,
              name: 'GET /x',
              kind: 2,
              startTimeUnixNano: '1700000000000000000',
              endTimeUnixNano: '1700000000250000000',
              status: { code: 2, message: 'boom' },
            })),
          },
        ],
      },
    ],
  });
}

let running: RunningFaultline;
let tracesUrl: string;
before(async () => {
  running = await startFaultline();
  tracesUrl = `${running.httpUrl}/v1/traces`;
});
after(() => running.stop());

async function expectGoodRequestCounted(service: string): Promise<void> {
  const reply = await post(tracesUrl, await tracesProtobuf(service, 1), PROTOBUF);
  assert.equal(reply.status, 200);
  await eventually(async () => sampleValue(await running.scrape(), 'faultline_errors_total', {
    service, environment: '', level: 'error', exception_type: 'TypeError', source: 'span',
  }) === 1);
}

/** The status line a server answers a POST carrying one header `name: value` with (the raw bytes, as
 * Node's parser refuses the request before any handler runs and then closes the connection). */
async function statusLineFor(url: string, name: string, value: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  socket.end(`POST /v1/traces HTTP/1.1\r\nHost: ${hostname}\r\n${name}: ${value}\r\nContent-Length: 0\r\n\r\n`);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => {}); // a reset after the reply still leaves the reply read
  await new Promise((resolve) => socket.once('close', resolve));
  return Buffer.concat(chunks).toString('latin1').split('\r\n', 1)[0]!;
}

describe('OTLP/HTTP success replies', () => {
  it('answers a protobuf request with an empty protobuf ExportTraceServiceResponse', async () => {
    const reply = await post(tracesUrl, await tracesProtobuf('proto-ok', 2), PROTOBUF);
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get('content-type'), 'application/x-protobuf');
    assert.equal(reply.body.length, 0);
  });

  it('answers an all-valid JSON request with {} and accepts upper-case hex ids', async () => {
    const reply = await post(tracesUrl, jsonSpans([TRACE_A]), JSON_TYPE);
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get('content-type'), 'application/json');
    assert.deepEqual(reply.json(), {});
  });

  it('accepts application/json; charset=utf-8 as JSON', async () => {
    const reply = await post(tracesUrl, jsonSpans([TRACE_A]), { 'content-type': 'application/json; charset=utf-8' });
    assert.equal(reply.status, 200);
  });

  it('counts the errors of spans with a missing or all-zero trace id and rejects only the malformed one', async () => {
    const request = tracesRequest(
      [span({ traceId: undefined, spanId: undefined }), span({ traceId: '0'.repeat(32) }), span({ traceId: 'aabbccdd' })],
      'id-less-svc',
    );
    const reply = await post(tracesUrl, JSON.stringify(request), JSON_TYPE);
    assert.equal(reply.status, 200);
    const body = reply.json();
    assert.equal(body.partialSuccess.rejectedSpans, '1');
    assert.match(body.partialSuccess.errorMessage, /spans\[2\]: trace_id has 4 bytes, expected 16/);
    await eventually(async () => sampleValue(await running.scrape(), 'faultline_errors_total', {
      service: 'id-less-svc', environment: '', level: 'error', exception_type: 'TypeError', source: 'span',
    }) === 2);
  });

  it('accepts gzip and deflate bodies', async () => {
    // Two traces: the same body twice would be one error recorded twice, and count once.
    const gzip = await post(tracesUrl, zlib.gzipSync(await tracesProtobuf('gzip-svc', 1)), { ...PROTOBUF, 'content-encoding': 'gzip' });
    const deflate = await post(tracesUrl, zlib.deflateSync(await tracesProtobuf('gzip-svc', 1)), { ...PROTOBUF, 'content-encoding': 'deflate' });
    assert.equal(gzip.status, 200);
    assert.equal(deflate.status, 200);
    await eventually(async () => sampleValue(await running.scrape(), 'faultline_errors_total', {
      service: 'gzip-svc', environment: '', level: 'error', exception_type: 'TypeError', source: 'span',
    }) === 2);
  });

  it('answers {"foo":1} with 200, ingests nothing and counts the empty request', async () => {
    const reply = await post(`${running.httpUrl}/v1/logs`, '{"foo":1}', JSON_TYPE);
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.json(), {});
    assert.equal(sampleValue(await running.scrape(), 'faultline_receiver_empty_requests_total', {
      receiver: 'otlp', transport: 'http', signal: 'logs',
    }), 1);
  });

  it('keeps a span whose exception event has neither type nor message, and counts the skipped exception', async () => {
    const now = '1700000000000000000';
    const body = JSON.stringify({
      resourceSpans: [{ scopeSpans: [{ spans: [{
        traceId: TRACE_A, spanId: SPAN_A, name: 'GET /x', kind: 2, startTimeUnixNano: now, endTimeUnixNano: '1700000000100000000',
        events: [{ name: 'exception', timeUnixNano: now, attributes: [{ key: 'exception.stacktrace', value: { stringValue: 'at x' } }] }],
      }] }] }],
    });
    const reply = await post(tracesUrl, body, JSON_TYPE);
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.json(), {});
    assert.equal(sampleValue(await running.scrape(), 'faultline_receiver_skipped_exceptions_total', {
      receiver: 'otlp', transport: 'http', signal: 'traces',
    }), 1);
  });

  it('accepts metrics and counts their data points without keeping them', async () => {
    const reply = await post(`${running.httpUrl}/v1/metrics`, JSON.stringify({
      resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'x', gauge: { dataPoints: [{ asDouble: 1 }, { asDouble: 2 }] } }] }] }],
    }), JSON_TYPE);
    assert.equal(reply.status, 200);
    assert.equal(sampleValue(await running.scrape(), 'faultline_receiver_accepted_items_total', {
      receiver: 'otlp', transport: 'http', signal: 'metrics',
    }), 2);
  });
});

describe('OTLP/HTTP bad input', () => {
  it('answers truncated protobuf with 400 and a protobuf google.rpc.Status naming the offset', async () => {
    const good = await tracesProtobuf('truncated', 1);
    const reply = await post(tracesUrl, good.subarray(0, good.length - 7), PROTOBUF);
    assert.equal(reply.status, 400);
    assert.equal(reply.headers.get('content-type'), 'application/x-protobuf');
    const status = decodeRpcStatus(reply.body);
    assert.equal(status.code, 3);
    assert.match(status.message, /offset \d+/);
    await expectGoodRequestCounted('after-truncated');
  });

  it('refuses a logs request posted to /v1/traces instead of reading id-less spans', async () => {
    const reply = await post(tracesUrl, await logsProtobuf('wrong-signal', 2), PROTOBUF);
    assert.equal(reply.status, 400);
    assert.match(decodeRpcStatus(reply.body).message, /wire type/);
  });

  it('answers invalid UTF-8 in a string with 400 in protobuf as in JSON, never replacing it with U+FFFD', async () => {
    const bad = [0xc3, 0x28];
    const anyValue = [0x0a, bad.length, ...bad];
    const keyValue = [0x0a, 0x01, 0x6b, 0x12, anyValue.length, ...anyValue];
    const spanBytes = [0x4a, keyValue.length, ...keyValue];
    const protobufBody = Uint8Array.from([0x0a, spanBytes.length + 4, 0x12, spanBytes.length + 2, 0x12, spanBytes.length, ...spanBytes]);
    const protobufReply = await post(tracesUrl, protobufBody, PROTOBUF);
    assert.equal(protobufReply.status, 400);
    assert.match(decodeRpcStatus(protobufReply.body).message, /is not valid UTF-8$/);
    const jsonBody = Buffer.concat([Buffer.from('{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"'), Buffer.from(bad), Buffer.from('"}]}]}]}')]);
    const jsonReply = await post(tracesUrl, jsonBody, JSON_TYPE);
    assert.equal(jsonReply.status, 400);
    assert.match(jsonReply.json().message, /not valid UTF-8/);
    await expectGoodRequestCounted('after-bad-utf8');
  });

  it('answers invalid JSON with 400 and a JSON Status', async () => {
    const reply = await post(tracesUrl, '{"resourceSpans": [', JSON_TYPE);
    assert.equal(reply.status, 400);
    assert.equal(reply.json().code, 3);
    assert.match(reply.json().message, /JSON/);
  });

  it('answers a wrongly typed JSON field with 400 naming its path', async () => {
    const reply = await post(tracesUrl, JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: TRACE_A, spanId: SPAN_A, startTimeUnixNano: {} }] }] }] }), JSON_TYPE);
    assert.equal(reply.status, 400);
    assert.match(reply.json().message, /resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.startTimeUnixNano/);
  });

  it('answers text/plain with 415, not 500', async () => {
    const reply = await post(tracesUrl, 'hello', { 'content-type': 'text/plain' });
    assert.equal(reply.status, 415);
    assert.match(reply.json().message, /application\/x-protobuf/);
  });

  it('answers an unknown Content-Encoding with 415', async () => {
    const reply = await post(tracesUrl, Buffer.from('x'), { ...PROTOBUF, 'content-encoding': 'zstd' });
    assert.equal(reply.status, 415);
    assert.match(decodeRpcStatus(reply.body).message, /"zstd"/);
  });

  it('answers a gzip bomb with 413 without inflating it whole', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024));
    assert.ok(bomb.length < 100 * 1024);
    const reply = await post(tracesUrl, bomb, { ...PROTOBUF, 'content-encoding': 'gzip' });
    assert.equal(reply.status, 413);
    assert.match(decodeRpcStatus(reply.body).message, /inflates to more than 4194304 bytes/);
    await expectGoodRequestCounted('after-bomb');
  });

  it('answers a body over the limit with 413', async () => {
    const reply = await post(tracesUrl, Buffer.alloc(5 * 1024 * 1024), PROTOBUF).catch((error: Error) => error);
    // The server may close the connection before the client has sent everything; both mean refused.
    if (!(reply instanceof Error)) assert.equal(reply.status, 413);
  });

  it('answers a chunked body that grows past the limit with 413', async () => {
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 6 * 1024 * 1024) return controller.close();
        sent += 256 * 1024;
        controller.enqueue(new Uint8Array(256 * 1024));
      },
    });
    const reply = await post(tracesUrl, stream, PROTOBUF).catch((error: Error) => error);
    if (!(reply instanceof Error)) assert.equal(reply.status, 413);
    assert.ok(sent < 64 * 1024 * 1024, 'the stream is bounded');
    await expectGoodRequestCounted('after-chunked');
  });

  it('answers unknown paths with 404 and a hint, and GET with 405', async () => {
    for (const path of ['/', '/v1/v1/traces', '/v1/trace']) {
      const reply = await post(`${running.httpUrl}${path}`, '{}', JSON_TYPE);
      assert.equal(reply.status, 404, path);
      assert.match(reply.json().message, /\/v1\/traces, \/v1\/logs and \/v1\/metrics/);
    }
    const get = await fetch(tracesUrl);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST, OPTIONS');
  });

  it('answers headers past the HTTP parser limit with 431, like the admin port', async () => {
    for (const url of [running.httpUrl, running.adminUrl]) {
      assert.match(await statusLineFor(url, 'x-padding', 'a'.repeat(20 * 1024)), /^HTTP\/1\.1 431 /, url);
    }
    await expectGoodRequestCounted('after-431');
  });

  it('counts decode errors in the self-metrics', async () => {
    const text = await running.scrape();
    assert.ok((sampleValue(text, 'faultline_receiver_decode_errors_total', { receiver: 'otlp', transport: 'http', signal: 'traces' }) ?? 0) >= 3);
  });
});

describe('OTLP/HTTP CORS', () => {
  it('answers a preflight from an allowed origin with 204 and the origin echoed', async () => {
    const response = await fetch(tracesUrl, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.equal(response.headers.get('access-control-allow-headers'), 'content-type');
    assert.equal(response.headers.get('vary'), 'Origin');
  });

  it('gives a disallowed origin no CORS headers', async () => {
    const response = await fetch(tracesUrl, { method: 'OPTIONS', headers: { origin: 'https://evil.example.org' } });
    assert.equal(response.headers.get('access-control-allow-origin'), null);
  });

  it('puts the CORS headers on the POST reply too', async () => {
    const reply = await post(tracesUrl, jsonSpans([TRACE_A]), { ...JSON_TYPE, origin: 'https://app.example.com' });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get('access-control-allow-origin'), 'https://app.example.com');
  });
});
