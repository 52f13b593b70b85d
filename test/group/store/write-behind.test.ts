// The write-behind between the pipeline and the store: it writes write_batch at a time, each full
// batch on a turn of the event loop of its own. Writes here take a simulated time per item on an
// injected clock, so the sizes are exact.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createWriteBehind } from '../../../src/group/store/write-behind.js';

function writesOf(options: { msPerItem: (write: number) => number; items: number }) {
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
  });
  writes.add(Array.from({ length: options.items }, (_item, index) => index));
  return { writes, sizes };
}

describe('the write-behind', () => {
  it('writes write_batch at a time', async () => {
    const { writes, sizes } = writesOf({ msPerItem: () => 2, items: 200 });
    await writes.flush(Number.POSITIVE_INFINITY);
    assert.deepEqual(sizes, [64, 64, 64, 8]);
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
});
