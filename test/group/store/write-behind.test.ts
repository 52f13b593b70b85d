// The write-behind between the pipeline and the store: with a unit budget (SQLite, whose writes run
// on the event loop) it starts with a small write, cuts batches so that one write takes about that
// long, and grows them back when writes get cheaper; without one it always writes write_batch.
// Writes here take a simulated time per item on an injected clock, so the sizes are exact.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createWriteBehind, FIRST_UNIT_SIZE } from '../../../src/group/store/write-behind.js';

function writesOf(options: { msPerItem: (write: number) => number; unitBudgetMs?: number; items: number }) {
  let clockMs = 0;
  const sizes: number[] = [];
  const writes = createWriteBehind<number>({
    write: async (items) => {
      clockMs += items.length * options.msPerItem(sizes.length);
      sizes.push(items.length);
    },
    maxPending: 10_000,
    batchSize: 64,
    intervalMs: 1_000,
    now: () => clockMs,
    onDrop: () => assert.fail('nothing is dropped'),
    onFailure: (error) => assert.fail(String(error)),
    unitBudgetMs: options.unitBudgetMs,
  });
  writes.add(Array.from({ length: options.items }, (_item, index) => index));
  return { writes, sizes };
}

describe('the write-behind', () => {
  it('writes write_batch at a time without a unit budget', async () => {
    const { writes, sizes } = writesOf({ msPerItem: () => 2, items: 200 });
    await writes.flush(Number.POSITIVE_INFINITY);
    assert.deepEqual(sizes, [64, 64, 64, 8]);
  });

  it('cuts batches to the unit budget when items are expensive, and writes every item once', async () => {
    const { writes, sizes } = writesOf({ msPerItem: () => 2, unitBudgetMs: 10, items: 200 });
    await writes.flush(Number.POSITIVE_INFINITY);
    assert.deepEqual(sizes.slice(0, 4), [FIRST_UNIT_SIZE, 5, 5, 5], `the first ${FIRST_UNIT_SIZE} items took ${FIRST_UNIT_SIZE * 2} ms; 5 take the 10 ms budget`);
    assert.equal(sizes.reduce((sum, size) => sum + size, 0), 200);
  });

  it('starts small with a unit budget, the first write running cold, and doubles up to write_batch while writes fit', async () => {
    const { writes, sizes } = writesOf({ msPerItem: () => 0.01, unitBudgetMs: 10, items: 300 });
    await writes.flush(Number.POSITIVE_INFINITY);
    assert.deepEqual(sizes.slice(0, 5), [FIRST_UNIT_SIZE, FIRST_UNIT_SIZE * 2, FIRST_UNIT_SIZE * 4, 64, 64]);
    assert.equal(sizes.reduce((sum, size) => sum + size, 0), 300);
  });

  it('writes a full batch on a turn of the event loop of its own, not inside the add() that filled it', async () => {
    let turned = false;
    const turnedAtWrite: boolean[] = [];
    const writes = createWriteBehind<number>({
      write: async () => void turnedAtWrite.push(turned),
      maxPending: 1_000,
      batchSize: 64,
      intervalMs: 60_000,
      onDrop: () => assert.fail('nothing is dropped'),
      onFailure: (error) => assert.fail(String(error)),
    });
    setImmediate(() => (turned = true));
    writes.add(Array.from({ length: 64 }, (_item, index) => index));
    await Promise.resolve(); // what runs in the same turn as add() has run
    assert.deepEqual(turnedAtWrite, [], 'nothing written in the turn of add()');
    await writes.flush(Number.POSITIVE_INFINITY);
    assert.deepEqual(turnedAtWrite, [true], 'one write, after the loop turned');
    writes.stop();
  });

  it('grows batches back, at most doubling, when writes get cheaper, up to write_batch', async () => {
    // Expensive for the first two writes, then a tenth of the cost.
    const { writes, sizes } = writesOf({ msPerItem: (write) => (write < 2 ? 2 : 0.2), unitBudgetMs: 10, items: 400 });
    await writes.flush(Number.POSITIVE_INFINITY);
    assert.deepEqual(sizes.slice(0, 8), [FIRST_UNIT_SIZE, 5, 5, 10, 20, 40, 50, 50], 'doubling, then the 50 items that take 10 ms');
    assert.equal(sizes.reduce((sum, size) => sum + size, 0), 400);
  });
});
