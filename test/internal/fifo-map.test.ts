import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FifoMap } from '../../src/internal/fifo-map.js';

const box = (n: number) => ({ n });

describe('FifoMap', () => {
  it('gives entries back oldest first, skipping the ones deleted out of order', () => {
    const map = new FifoMap<string, { n: number }>();
    for (const n of [1, 2, 3, 4]) map.set(`k${n}`, box(n));
    map.delete('k1');
    map.delete('k3');
    assert.deepEqual(map.shift(), ['k2', { n: 2 }]);
    assert.deepEqual(map.oldest(), ['k4', { n: 4 }]);
    assert.deepEqual([...map].map(([key]) => key), ['k4']);
  });

  it('moves a key set again to the back', () => {
    const map = new FifoMap<string, { n: number }>();
    map.set('a', box(1));
    map.set('b', box(2));
    map.set('a', box(3));
    assert.deepEqual([...map], [['b', { n: 2 }], ['a', { n: 3 }]]);
    assert.equal(map.size, 2);
  });

  it('keeps its order bounded when entries are deleted as fast as they come', () => {
    const map = new FifoMap<string, { n: number }>();
    for (let n = 0; n < 100_000; n++) {
      map.set(`k${n}`, box(n));
      map.oldest();
      map.delete(`k${n}`);
    }
    assert.equal(map.size, 0);
    assert.ok(map.slots <= 2048, `${map.slots} slots kept for an empty map`);
  });

  it('keeps its order bounded when the oldest entries are shifted out', () => {
    const map = new FifoMap<string, { n: number }>();
    for (let n = 0; n < 100_000; n++) {
      map.set(`k${n}`, box(n));
      if (map.size > 10) map.shift();
    }
    assert.equal(map.size, 10);
    assert.ok(map.slots <= 2 * 10 + 1024, `${map.slots} slots kept for 10 entries`);
  });
});
