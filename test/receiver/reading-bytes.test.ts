// Bodies being read are bounded in bytes before they are read: a body's Content-Length is reserved
// against service.queue_bytes as its headers arrive (a chunked body's bytes as they arrive), so many
// connections each in the middle of a large body cannot hold more than the bound. With no room the
// sender gets 503 with Retry-After, as when the queue is full, and the body is not read.

import assert from 'node:assert/strict';
import http from 'node:http';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createExtractOptions } from '../../src/extract/options.js';
import { createLogger } from '../../src/internal/logger.js';
import { createRegistry } from '../../src/metrics/registry.js';
import { createSelfMetrics } from '../../src/metrics/self-metrics.js';
import { createIngest } from '../../src/pipeline/ingest.js';
import { createQueueStage, type QueueStage } from '../../src/pipeline/queue-stage.js';
import { ERRORS_PROCESSOR_DEFAULTS } from '../../src/processor/errors/config.js';
import { createExportHandler } from '../../src/receiver/export-handler.js';
import { CORS_DEFAULTS, OTLP_HTTP_DEFAULTS } from '../../src/receiver/otlp/config.js';
import { createHttpReceiver, type HttpReceiver } from '../../src/receiver/otlp-http/http-receiver.js';
import { decodeRpcStatus } from '../helpers/http.js';
import { tracesProtobuf } from '../helpers/sdk-payloads.js';

const CAPACITY_BYTES = 200 * 1024;
const logger = createLogger('silent', new Writable({ write: (_c, _e, done) => done() }));
let receiver: HttpReceiver;
let queue: QueueStage;
const readingSeen: number[] = [];

before(async () => {
  const selfMetrics = createSelfMetrics(createRegistry());
  queue = createQueueStage({
    capacity: 1_000_000,
    capacityBytes: CAPACITY_BYTES,
    onFailure: () => assert.fail('no stage fails here'),
    onDepthChange: (_depth, _bytes, readingBytes) => void readingSeen.push(readingBytes),
  });
  const ingest = createIngest({ routes: { traces: { options: createExtractOptions(ERRORS_PROCESSOR_DEFAULTS), consumer: { consume: () => {} } } }, queue });
  receiver = createHttpReceiver({
    config: { ...OTLP_HTTP_DEFAULTS, endpoint: '127.0.0.1:0', cors: CORS_DEFAULTS },
    handler: createExportHandler({ receiver: 'otlp', transport: 'http', ingest, selfMetrics, logger }),
    logger,
    shutdownTimeoutMs: 1000,
    listener: 'otlp.http',
    listenerMetrics: selfMetrics.listeners,
  });
  await receiver.start();
});
after(() => receiver.shutdown());

interface Sent {
  readonly request: http.ClientRequest;
  readonly reply: Promise<{ status: number; retryAfter: string | undefined; body: Buffer }>;
}

/** Starts a POST of `body`, sending only its first `sendBytes`; `contentLength` false: chunked. */
function startPost(body: Buffer, sendBytes: number, contentLength = true): Sent {
  const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/x-protobuf', ...(contentLength ? { 'content-length': body.length } : {}) };
  const request = http.request({ host: '127.0.0.1', port: receiver.address().port, path: '/v1/traces', method: 'POST', headers, agent: false });
  const reply = new Promise<{ status: number; retryAfter: string | undefined; body: Buffer }>((resolve, reject) => {
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'], body: Buffer.concat(chunks) }));
    });
    // A refused body may be cut off while it is still being sent: only the reply matters.
    request.on('error', (error) => (request.writableEnded ? undefined : reject(error)));
  });
  request.write(body.subarray(0, sendBytes));
  return { request, reply };
}

/** Waits (a bounded number of turns of the loop) until the receiver reads `bytes` in all. */
async function untilReading(bytes: number): Promise<void> {
  for (let turn = 0; turn < 10_000 && queue.readingBytes < bytes; turn++) await new Promise((resolve) => setTimeout(resolve, 1));
  assert.ok(queue.readingBytes >= bytes, `reading ${queue.readingBytes} bytes, expected ${bytes}`);
}

describe('bodies being read', () => {
  it('reserve their Content-Length before they are read: a body that would pass queue_bytes meanwhile gets 503 with Retry-After', async () => {
    const large = await tracesProtobuf('checkout', 10, 3000);
    // Admitted while there is room, so the first body may pass the bound; then nothing more is.
    assert.ok(large.length > CAPACITY_BYTES, `${large.length} bytes`);
    const first = startPost(large, 1000);
    await untilReading(large.length);
    assert.equal(queue.readingBytes, large.length, 'all of its Content-Length, with 1,000 bytes of it read');
    const second = startPost(large, 0);
    const refused = await second.reply;
    assert.equal(refused.status, 503);
    assert.equal(refused.retryAfter, '1');
    assert.match(decodeRpcStatus(refused.body).message, /queue is full/);
    assert.equal(queue.readingBytes, large.length, 'the refused body reserved nothing');
    second.request.destroy();
    first.request.end(large.subarray(1000));
    assert.equal((await first.reply).status, 200);
    assert.equal(queue.readingBytes, 0, 'given back once the body is read and its batch queued');
  });
});

describe('a chunked body', () => {
  it('reserves its bytes as they arrive, is refused with 503 once they would pass queue_bytes, and gives them back when cut off', async () => {
    const large = await tracesProtobuf('checkout', 10, 3000);
    const first = startPost(large, 150 * 1024, false);
    await untilReading(150 * 1024);
    const second = startPost(large, large.length, false);
    second.request.end();
    const refused = await second.reply;
    assert.equal(refused.status, 503);
    assert.match(decodeRpcStatus(refused.body).message, /queue is full/);
    assert.ok(Math.max(...readingSeen) < CAPACITY_BYTES + 64 * 1024, `reading at most the bound and one chunk: ${Math.max(...readingSeen)}`);
    first.reply.catch(() => {});
    first.request.destroy();
    for (let turn = 0; turn < 10_000 && queue.readingBytes > 0; turn++) await new Promise((resolve) => setTimeout(resolve, 1));
    assert.equal(queue.readingBytes, 0, 'a body cut off gives its bytes back');
  });
});
