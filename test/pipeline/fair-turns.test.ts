// The event loop is shared fairly: the queue consumes a big batch in slices across several turns
// of the loop, and receivers' decodes take one turn each, so I/O scheduled meanwhile (a health
// probe's callback, here a setImmediate) runs before the work behind it finishes. Behaviour only:
// the queue is given turns of one slice (a budget of 0 ms), so nothing depends on how fast this
// machine is. A slice holds events or timings, never both: events cost far more.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Extracted, ServerSpan, SpanTiming } from '../../src/extract/error-event.js';
import { createQueueStage } from '../../src/pipeline/queue-stage.js';
import { createTurnGate } from '../../src/pipeline/turn-gate.js';
import { errorEvent } from '../group/event-fixtures.js';

function timing(i: number): SpanTiming {
  return { service: 's', spanName: `GET /${i}`, spanKind: 'SPAN_KIND_SERVER', statusCode: 'STATUS_CODE_UNSET', durationSeconds: 0.1, traceId: '' };
}

function bigBatch(events: number, timings: number, serverSpans = 0): Extracted {
  const serverSpan = (i: number) => ({ service: 's', traceId: `t${i}`, kind: 'server', name: 'GET /' }) as unknown as ServerSpan;
  return {
    events: Array.from({ length: events }, (_, i) => errorEvent({ message: `m${i}`, traceId: '' })),
    timings: Array.from({ length: timings }, (_, i) => timing(i)),
    ...(serverSpans > 0 ? { serverSpans: Array.from({ length: serverSpans }, (_, i) => serverSpan(i)) } : {}),
    skippedExceptions: 3,
  };
}

const noFailure = (stage: string, error: unknown) => assert.fail(`${stage} failed: ${String(error)}`);
/** A clock that never moves: every slice looks free, so slice sizes are the configured ones. */
const frozen = () => 0;

describe('the queue', () => {
  it('consumes a big batch across several turns: a setImmediate scheduled during its first slice runs before its last', async () => {
    const queue = createQueueStage({ capacity: 100_000, onFailure: noFailure, eventsPerSlice: 100, timingsPerSlice: 100, turnBudgetMs: 0, now: frozen });
    const seen: string[] = [];
    queue.enqueue(bigBatch(700, 300), 1000, {
      consume(slice) {
        if (seen.length === 0) setImmediate(() => seen.push('immediate'));
        seen.push(`slice of ${slice.events.length + slice.timings.length}`);
      },
    });
    await queue.drain();
    assert.equal(seen.filter((entry) => entry.startsWith('slice')).length, 10);
    assert.ok(seen.indexOf('immediate') < seen.length - 1, `the immediate ran before the batch finished: ${seen.join(', ')}`);
    assert.equal(seen.indexOf('immediate'), 1, 'one slice per turn here');
  });

  it('hands every event, timing and server span of a batch on once and in order, the skipped count on the first slice and the server spans after every event', async () => {
    const queue = createQueueStage({ capacity: 100_000, onFailure: noFailure, eventsPerSlice: 16, timingsPerSlice: 64, turnBudgetMs: 0, now: frozen });
    const batch = bigBatch(250, 130, 100);
    const slices: Extracted[] = [];
    queue.enqueue(batch, 380, { consume: (slice) => void slices.push(slice) });
    await queue.drain();
    assert.deepEqual(slices.flatMap((slice) => slice.events), batch.events);
    assert.deepEqual(slices.flatMap((slice) => slice.timings), batch.timings);
    assert.ok(slices.every((slice) => slice.events.length <= 16 && slice.timings.length <= 64));
    assert.ok(slices.every((slice) => slice.events.length === 0 || slice.timings.length === 0), 'events and timings in slices of their own');
    assert.deepEqual(slices.flatMap((slice) => slice.serverSpans ?? []), batch.serverSpans);
    const withServerSpans = Math.ceil(100 / 64);
    assert.equal(slices.length, Math.ceil(250 / 16) + Math.ceil(130 / 64) + withServerSpans);
    assert.deepEqual(slices.map((slice) => slice.skippedExceptions), [3, ...Array(slices.length - 1).fill(0)]);
    assert.deepEqual(
      slices.map((slice) => slice.serverSpans !== undefined),
      [...Array(slices.length - withServerSpans).fill(false), ...Array(withServerSpans).fill(true)],
    );
  });

  it('gives a batch its room back only after its last slice, and hands a small batch on whole', async () => {
    const queue = createQueueStage({ capacity: 100_000, onFailure: noFailure, eventsPerSlice: 100, timingsPerSlice: 100, turnBudgetMs: 0, now: frozen });
    const depths: number[] = [];
    const small = bigBatch(5, 5);
    let handedSmall: Extracted | undefined;
    queue.enqueue(bigBatch(300, 0), 300, { consume: () => void depths.push(queue.depth) });
    queue.enqueue(small, 10, { consume: (slice) => void (handedSmall = slice) });
    await queue.drain();
    assert.deepEqual(depths, [310, 310, 310]);
    assert.equal(handedSmall, small);
    assert.equal(queue.depth, 0);
  });

  it('loses only the slice a consumer throws on: the rest of the batch and the batches behind it are handed on', async () => {
    const failures: string[] = [];
    const queue = createQueueStage({ capacity: 100_000, onFailure: (stage) => failures.push(stage), eventsPerSlice: 100, timingsPerSlice: 100, turnBudgetMs: 0, now: frozen });
    const counts: number[] = [];
    let calls = 0;
    queue.enqueue(bigBatch(300, 0), 300, {
      consume(slice) {
        if (calls++ === 1) throw new Error('a bug');
        counts.push(slice.events.length);
      },
    });
    queue.enqueue(bigBatch(1, 0), 1, { consume: (slice) => void counts.push(slice.events.length) });
    await queue.drain();
    assert.deepEqual(counts, [100, 100, 1]);
    assert.deepEqual(failures, ['queue']);
  });
});

describe('the queue’s slices of events', () => {
  it('shrink while events are slow, to what fits the turn budget, and grow back by doubling when they are cheap again', async () => {
    let clockMs = 0;
    const queue = createQueueStage({ capacity: 100_000, onFailure: noFailure, eventsPerSlice: 16, turnBudgetMs: 0, now: () => clockMs });
    /** A consumer whose events cost `msPerEvent` each on the queue's clock; it notes the slices' sizes. */
    const costing = (msPerEvent: number, sizes: number[]) => ({
      consume(slice: Extracted) {
        sizes.push(slice.events.length);
        clockMs += slice.events.length * msPerEvent;
      },
    });
    const slow: number[] = [];
    const cheap: number[] = [];
    queue.enqueue(bigBatch(40, 0), 40, costing(4, slow));
    queue.enqueue(bigBatch(60, 0), 60, costing(0.1, cheap));
    await queue.drain();
    // 16 events took 64 ms: the turn budget (10 ms) holds 2 of them.
    assert.deepEqual(slow, [16, ...Array(12).fill(2)]);
    assert.deepEqual(cheap, [2, 4, 8, 16, 16, 14]);
  });
});

describe('the turn gate', () => {
  it('lets one waiting request through per turn of the loop, in order, with I/O callbacks between them', async () => {
    const gate = createTurnGate();
    const order: string[] = [];
    const requests = [1, 2, 3].map((i) =>
      gate.take().then(() => {
        order.push(`request ${i}`);
        if (i === 1) setImmediate(() => order.push('immediate'));
      }),
    );
    assert.equal(gate.waiting, 3);
    await Promise.all(requests);
    assert.deepEqual(order, ['request 1', 'request 2', 'immediate', 'request 3']);
    assert.equal(gate.waiting, 0);
  });
});
