// A stage that throws costs one batch, for that stage only: the queue hands on the batches behind
// it, gives its items back and still drains (so shutdown does not hang), the other pipelines and
// exporters still get the batch, and faultline_pipeline_failures_total{stage} counts each failure.
// Built as service.ts builds a pipeline: the real queue, chainStages, fanOut and the failure
// counter, with the real group and identity stages around a processor that throws on one message.

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import type { Extracted } from '../../src/extract/error-event.js';
import { IMPLICIT_GROUP_PROCESSOR } from '../../src/group/config.js';
import { createGroupProcessor } from '../../src/group/group-processor.js';
import { ManualClock } from '../../src/internal/clock.js';
import { createLogger } from '../../src/internal/logger.js';
import { createRegistry } from '../../src/metrics/registry.js';
import { createSelfMetrics } from '../../src/metrics/self-metrics.js';
import { countStageFailures, fanOut, type Consumer } from '../../src/pipeline/consumer.js';
import { chainStages, type NamedStage, type Processor } from '../../src/pipeline/processor.js';
import { createQueueStage } from '../../src/pipeline/queue-stage.js';
import { IMPLICIT_IDENTITY } from '../../src/processor/identity/config.js';
import { createIdentityProcessor } from '../../src/processor/identity/identity-processor.js';
import { errorEvent } from '../group/event-fixtures.js';

const POISON = 'a message this processor cannot handle';
const LANE = { includeHandledExceptions: true };

/** A processor with a bug: it throws on one message, and passes everything else on unchanged. */
const throwsOnPoison: Processor = {
  process(batch) {
    if (batch.events.some((event) => event.message === POISON)) throw new TypeError('cannot handle this event');
    return batch;
  },
};

function batchOf(...messages: string[]): Extracted {
  return { events: messages.map((message) => errorEvent({ message, traceId: '' })), timings: [], skippedExceptions: 0 };
}

/** An exporter that keeps the messages it got, batch by batch. */
function exporter(): Consumer & { readonly batches: string[][] } {
  const batches: string[][] = [];
  return { batches, consume: (batch) => void batches.push(batch.events.map((event) => event.message)) };
}

function setUp() {
  const registry = createRegistry({ defaultMetrics: false });
  const selfMetrics = createSelfMetrics(registry);
  const logs: string[] = [];
  const logger = createLogger('error', new Writable({ write: (chunk, _e, done) => done(void logs.push(String(chunk))) }));
  const onFailure = countStageFailures(selfMetrics.pipelineFailures, logger);
  const clock = new ManualClock();
  const group: NamedStage = { name: 'processor.group', ...createGroupProcessor(IMPLICIT_GROUP_PROCESSOR, { registry, clock }) };
  const queue = createQueueStage({ capacity: 1000, onFailure, onDepthChange: (depth) => selfMetrics.queueItems.set(depth) });
  const failures = async (stage: string) =>
    (await selfMetrics.pipelineFailures.get()).values.find((value) => value.labels.stage === stage)?.value ?? 0;
  return { registry, logger, logs, onFailure, clock, group, queue, failures, selfMetrics };
}

describe('a pipeline stage that throws', () => {
  it('loses only the batch it threw on: the batches queued behind it reach the exporters', async () => {
    const { onFailure, group, queue, failures } = setUp();
    const out = exporter();
    const pipeline = chainStages([group, { name: 'processor.strict', processor: throwsOnPoison }], out, LANE, onFailure);
    for (const message of ['first', POISON, 'third']) queue.enqueue(batchOf(message), 1, pipeline);
    await queue.drain();
    assert.deepEqual(out.batches, [['first'], ['third']]);
    assert.equal(await failures('processor.strict'), 1);
  });

  it('gives the queue its items back and lets drain() resolve, so shutdown does not hang', async () => {
    const { onFailure, queue, selfMetrics } = setUp();
    const pipeline = chainStages([{ name: 'processor.strict', processor: throwsOnPoison }], exporter(), LANE, onFailure);
    queue.enqueue(batchOf(POISON, 'other'), 2, pipeline);
    queue.enqueue(batchOf(POISON), 1, pipeline);
    await queue.drain();
    assert.equal(queue.depth, 0);
    assert.equal((await selfMetrics.queueItems.get()).values[0]?.value, 0);
  });

  it('does not keep the batch from another pipeline that has no such stage', async () => {
    const { onFailure, group, queue, failures } = setUp();
    const strictOut = exporter();
    const plainOut = exporter();
    const strict = chainStages([group, { name: 'processor.strict', processor: throwsOnPoison }], strictOut, LANE, onFailure);
    const plain = chainStages([group], plainOut, LANE, onFailure);
    const batch = batchOf(POISON);
    queue.enqueue(batch, 1, strict);
    queue.enqueue(batch, 1, plain);
    await queue.drain();
    assert.deepEqual(strictOut.batches, []);
    assert.deepEqual(plainOut.batches, [[POISON]]);
    assert.equal(await failures('processor.strict'), 1);
  });

  it('counts an exporter that throws, and the pipeline\'s other exporters still get the batch', async () => {
    const { onFailure, group, queue, failures } = setUp();
    const before = exporter();
    const after = exporter();
    const broken: Consumer = {
      consume() {
        throw new Error('disk full');
      },
    };
    const exporters = fanOut(
      [
        { name: 'exporter.before', consumer: before },
        { name: 'exporter.broken', consumer: broken },
        { name: 'exporter.after', consumer: after },
      ],
      onFailure,
    );
    const pipeline = chainStages([group], exporters, LANE, onFailure);
    queue.enqueue(batchOf('one'), 1, pipeline);
    queue.enqueue(batchOf('two'), 1, pipeline);
    await queue.drain();
    assert.deepEqual(before.batches, [['one'], ['two']]);
    assert.deepEqual(after.batches, [['one'], ['two']]);
    assert.equal(await failures('exporter.broken'), 2);
  });

  it('counts a stage after identity that throws on settled events, and other pipelines still get theirs', async () => {
    const { registry, logger, onFailure, clock, group, failures } = setUp();
    const identity = createIdentityProcessor({ ...IMPLICIT_IDENTITY, settleTimeMs: 5_000 }, { registry, clock, logger });
    const held: NamedStage = { name: 'processor.identity', ...identity };
    const strictOut = exporter();
    const plainOut = exporter();
    const strict = chainStages([group, held, { name: 'processor.strict', processor: throwsOnPoison }], strictOut, LANE, onFailure);
    const plain = chainStages([group, held], plainOut, LANE, onFailure);
    const traced = (message: string, traceId: string): Extracted => ({
      events: [errorEvent({ message, traceId })],
      timings: [],
      skippedExceptions: 0,
    });
    strict.consume(traced(POISON, '11111111111111111111111111111111'));
    plain.consume(traced('elsewhere', '22222222222222222222222222222222'));
    clock.advance(5_000);
    identity.holding.settleDue();
    assert.deepEqual(strictOut.batches, []);
    assert.deepEqual(plainOut.batches, [['elsewhere']]);
    assert.equal(await failures('processor.strict'), 1);
  });

  it('counts a consumer that throws past every stage under stage="queue", and still hands on the rest', async () => {
    const { queue, failures, logs } = setUp();
    const out = exporter();
    queue.enqueue(batchOf('first'), 1, {
      consume() {
        throw new Error('not a guarded pipeline');
      },
    });
    queue.enqueue(batchOf('second'), 1, out);
    await queue.drain();
    assert.deepEqual(out.batches, [['second']]);
    assert.equal(await failures('queue'), 1);
    assert.match(logs.join(''), /a pipeline stage failed/);
  });
});
