// The pipeline queue is bounded in memory as well as in items (service.queue_bytes): requests of
// large error spans are refused with a retryable error once their estimated bytes reach the bound,
// long before the item bound, and what was accepted is all handed on.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FaultlineError } from '../../src/errors.js';
import type { ErrorEvent } from '../../src/extract/error-event.js';
import { createExtractOptions } from '../../src/extract/options.js';
import { createIngest } from '../../src/pipeline/ingest.js';
import { createQueueStage } from '../../src/pipeline/queue-stage.js';
import { ERRORS_PROCESSOR_DEFAULTS } from '../../src/processor/errors/config.js';
import { tracesProtobuf } from '../helpers/sdk-payloads.js';

const ERRORS_PER_REQUEST = 100;
const CAPACITY_BYTES = 256 * 1024;

function queueWithIngest() {
  const consumed: ErrorEvent[] = [];
  const queue = createQueueStage({ capacity: 100_000, capacityBytes: CAPACITY_BYTES, onFailure: () => assert.fail('no stage fails here') });
  const ingest = createIngest({ routes: { traces: { options: createExtractOptions(ERRORS_PROCESSOR_DEFAULTS), consumer: { consume: (batch) => void consumed.push(...batch.events) } } }, queue });
  return { queue, ingest, consumed };
}

const drained = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('the pipeline queue bounded in bytes', () => {
  it('refuses requests once the estimated bytes reach queue_bytes, passing it by at most one request', async () => {
    const { queue, ingest, consumed } = queueWithIngest();
    const body = await tracesProtobuf('checkout', ERRORS_PER_REQUEST);
    let accepted = 0;
    let bytesBeforeLast = 0;
    let refusal: unknown;
    // Synchronously, as requests arrive faster than a turn of the loop: nothing drains meanwhile.
    for (let request = 0; request < 20 && refusal === undefined; request++) {
      try {
        const before = queue.bytes;
        ingest.accept('traces', 'protobuf', body);
        bytesBeforeLast = before;
        accepted++;
      } catch (error) {
        refusal = error;
      }
    }
    assert.ok(refusal instanceof FaultlineError, 'a request was refused');
    assert.equal(refusal.code, 'FL_OVERLOADED');
    assert.match(refusal.message, /pipeline queue is full \(0\.3 MiB of events waiting\); retry later/);
    assert.ok(accepted >= 1);
    assert.ok(queue.bytes >= CAPACITY_BYTES, `refused at ${queue.bytes} bytes, under the bound`);
    assert.ok(bytesBeforeLast < CAPACITY_BYTES, 'the last request was admitted while there was room');
    assert.ok(queue.depth < 100_000 / 10, `the item bound was far away (${queue.depth} items)`);

    await drained();
    assert.equal(consumed.length, accepted * ERRORS_PER_REQUEST, 'every accepted event was handed on');
    assert.equal(queue.bytes, 0);
    assert.doesNotThrow(() => ingest.accept('traces', 'protobuf', body), 'room again once the queue drained');
  });

  it('counts at least the text the queued events carry', async () => {
    const { queue, ingest, consumed } = queueWithIngest();
    ingest.accept('traces', 'protobuf', await tracesProtobuf('checkout', 10));
    const estimated = queue.bytes;
    await drained();
    const text = consumed.reduce((sum, event) => sum + event.message.length + event.stacktrace.length, 0);
    assert.equal(consumed.length, 10);
    assert.ok(text > 0 && estimated > text, `estimate ${estimated} bytes, text ${text} bytes`);
  });

  it('counts request bodies waiting for their turn to decode, and refuses more while they fill the bound', async () => {
    const { queue, ingest } = queueWithIngest();
    const first = ingest.turn(200 * 1024);
    const second = ingest.turn(100 * 1024);
    assert.equal(queue.bytes, 300 * 1024, 'both bodies are held while they wait');
    await assert.rejects(ingest.turn(1), (error: unknown) => error instanceof FaultlineError && error.code === 'FL_OVERLOADED');
    await Promise.all([first, second]);
    assert.equal(queue.bytes, 0, 'a body is no longer held once its turn has come');
    await ingest.turn(1);
  });
});
