// Large bodies decode on worker threads (decode-pool.ts) and the pipeline cannot tell: the same
// request decoded on the event loop (ingest.accept) and off it (ingest.acceptAsync with a pool)
// queues the same events, span timings and request contexts, answers the same counts and
// partial-success message, and refuses a bad body with the same error. Real workers; the bodies
// are sent to the pool whatever their size (offloadBytes 0).

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { FaultlineError } from '../../src/errors.js';
import type { ErrorEvent, Extracted } from '../../src/extract/error-event.js';
import { requestContextOf } from '../../src/extract/from-spans.js';
import { createExtractOptions } from '../../src/extract/options.js';
import type { Signal } from '../../src/otlp/types.js';
import { createDecodePool } from '../../src/pipeline/decode-pool.js';
import { createIngest, type PayloadFormat } from '../../src/pipeline/ingest.js';
import { createQueueStage } from '../../src/pipeline/queue-stage.js';
import { ERRORS_PROCESSOR_DEFAULTS } from '../../src/processor/errors/config.js';
import { span, tracesRequest } from '../otlp/fixtures.js';
import { encodeTracesRequest } from '../helpers/proto.js';
import { logsProtobuf, tracesJson, tracesProtobuf } from '../helpers/sdk-payloads.js';

const pool = createDecodePool({ workers: 2 });
after(() => pool.shutdown());

function pipeline(decodePool?: typeof pool) {
  const batches: Extracted[] = [];
  const queue = createQueueStage({ capacity: 1_000_000, onFailure: (stage, error) => assert.fail(`${stage}: ${String(error)}`) });
  const options = createExtractOptions(ERRORS_PROCESSOR_DEFAULTS);
  const route = { options, consumer: { consume: (batch: Extracted) => void batches.push(batch) } };
  const ingest = createIngest({ routes: { traces: route, logs: route, metrics: route }, queue, offloadBytes: 0, ...(decodePool === undefined ? {} : { decodePool }) });
  return { ingest, queue, batches };
}

/** What the consumers see, with attributes as plain Maps and server spans as the request context they give. */
function seen(batches: readonly Extracted[]) {
  const plain = (event: ErrorEvent) => ({ ...event, attributes: new Map(event.attributes) });
  return {
    events: batches.flatMap((batch) => batch.events.map(plain)),
    timings: batches.flatMap((batch) => batch.timings),
    serverSpans: batches.flatMap((batch) =>
      (batch.serverSpans ?? []).map((serverSpan) => ({ ...serverSpan, attributes: undefined, context: requestContextOf(serverSpan) })),
    ),
    skippedExceptions: batches.reduce((sum, batch) => sum + batch.skippedExceptions, 0),
  };
}

async function bothWays(signal: Signal, format: PayloadFormat, body: Uint8Array) {
  const onLoop = pipeline();
  const offLoop = pipeline(pool);
  const resultOnLoop = onLoop.ingest.accept(signal, format, Buffer.from(body));
  const resultOffLoop = await offLoop.ingest.acceptAsync(signal, format, Buffer.from(body));
  await Promise.all([onLoop.queue.drain(), offLoop.queue.drain()]);
  return { onLoop: { result: resultOnLoop, ...seen(onLoop.batches) }, offLoop: { result: resultOffLoop, ...seen(offLoop.batches) } };
}

async function refusal(run: () => unknown): Promise<FaultlineError> {
  try {
    await run();
  } catch (error) {
    assert.ok(error instanceof FaultlineError, `a FaultlineError, not ${String(error)}`);
    return error;
  }
  return assert.fail('expected a refusal');
}

describe('decoding off the event loop', () => {
  it('queues the same events, timings and request contexts for a large protobuf body as the loop does', async () => {
    const body = await tracesProtobuf('checkout', 300, 3000);
    assert.ok(body.length > 256 * 1024, `a large body: ${body.length} bytes`);
    const { onLoop, offLoop } = await bothWays('traces', 'protobuf', body);
    assert.equal(onLoop.events.length, 300);
    assert.equal(onLoop.serverSpans.length, 3300);
    assert.deepEqual(offLoop, onLoop);
  });

  it('queues the same for an OTLP/JSON body, and for logs', async () => {
    const json = await bothWays('traces', 'json', await tracesJson('cart', 50, 200));
    assert.equal(json.onLoop.events.length, 50);
    assert.deepEqual(json.offLoop, json.onLoop);
    const logs = await bothWays('logs', 'protobuf', await logsProtobuf('payments', 40));
    assert.equal(logs.onLoop.events.length, 40);
    assert.deepEqual(logs.offLoop, logs.onLoop);
  });

  it('answers the same partial success: the same counts and the same message naming the rejected spans', async () => {
    const body = encodeTracesRequest(tracesRequest([span({ traceId: 'aabbccdd' }), span(), span({ endTimeUnixNano: '0' })]));
    const { onLoop, offLoop } = await bothWays('traces', 'protobuf', body);
    assert.equal(onLoop.result.rejected, 2);
    assert.match(onLoop.result.errorMessage, /^2 spans rejected: resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]: trace_id has 4 bytes/);
    assert.deepEqual(offLoop, onLoop);
  });

  it('refuses a corrupt protobuf body, invalid UTF-8 JSON and over-deep JSON with the same FL_DECODE error as the loop', async () => {
    const bodies: [PayloadFormat, Uint8Array][] = [
      ['protobuf', Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01])],
      ['json', Uint8Array.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])],
      ['json', Buffer.from(`${'['.repeat(300)}${']'.repeat(300)}`)],
    ];
    for (const [format, body] of bodies) {
      const onLoop = await refusal(() => pipeline().ingest.accept('traces', format, Buffer.from(body)));
      const offLoop = await refusal(() => pipeline(pool).ingest.acceptAsync('traces', format, Buffer.from(body)));
      assert.equal(onLoop.code, 'FL_DECODE');
      assert.deepEqual([offLoop.code, offLoop.message, offLoop.retryable], [onLoop.code, onLoop.message, onLoop.retryable]);
    }
  });

  it('counts the body against the queue bytes while it decodes, and the batch once queued', async () => {
    const { ingest, queue } = pipeline(pool);
    const body = await tracesProtobuf('checkout', 20, 20);
    const accepted = ingest.acceptAsync('traces', 'protobuf', Buffer.from(body));
    assert.equal(queue.bytes, body.length, 'the body, while a worker decodes it');
    assert.equal((await accepted).accepted, 40);
    assert.ok(queue.depth === 40 && queue.bytes > 0 && queue.bytes !== body.length, `the batch: ${queue.bytes} bytes`);
    await queue.drain();
    assert.equal(queue.bytes, 0);
  });

  it('lets decodes under way finish at shutdown, and refuses one given afterwards as retryable', async () => {
    const own = createDecodePool({ workers: 1 });
    const body = await tracesProtobuf('checkout', 10);
    const options = createExtractOptions(ERRORS_PROCESSOR_DEFAULTS);
    const decodes = [own.decode('traces', 'protobuf', Buffer.from(body), options), own.decode('traces', 'protobuf', Buffer.from(body), options)];
    assert.deepEqual([own.running, own.waiting], [1, 1]);
    await own.shutdown();
    assert.deepEqual((await Promise.all(decodes)).map((decoded) => decoded.batch?.events.length), [10, 10]);
    const late = await refusal(() => own.decode('traces', 'protobuf', Buffer.from(body), options));
    assert.deepEqual([late.code, late.retryable], ['FL_SHUTTING_DOWN', true]);
  });
});
