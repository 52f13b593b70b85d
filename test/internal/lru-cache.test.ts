import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LruCache, secondSighting } from '../../src/internal/lru-cache.js';

describe('LruCache', () => {
  it('drops the least recently used entry when full, counting the eviction', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    assert.equal(cache.get('a'), 1); // a is now the most recently used
    cache.set('c', 3);
    assert.equal(cache.get('b'), undefined);
    assert.equal(cache.get('a'), 1);
    assert.equal(cache.get('c'), 3);
    assert.equal(cache.size, 2);
    assert.deepEqual(cache.takeCounts(), { hits: 3, misses: 1, evictions: 1 });
  });

  it('replaces the value of a key it has without evicting', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 3);
    assert.equal(cache.get('a'), 3);
    assert.equal(cache.get('b'), 2);
    assert.equal(cache.takeCounts().evictions, 0);
  });

  it('resets its counts each time they are taken', () => {
    const cache = new LruCache<string, number>(1);
    cache.get('x');
    assert.deepEqual(cache.takeCounts(), { hits: 0, misses: 1, evictions: 0 });
    assert.deepEqual(cache.takeCounts(), { hits: 0, misses: 0, evictions: 0 });
  });

  it('stores nothing with a capacity of 0', () => {
    const cache = new LruCache<string, number>(0);
    cache.set('a', 1);
    assert.equal(cache.get('a'), undefined);
    assert.equal(cache.size, 0);
  });
});

describe('second-sighting admission', () => {
  it('stores a key only the second time it is offered', () => {
    const cache = new LruCache<string, number>(4, secondSighting(8));
    cache.set('trace-a', 1);
    assert.equal(cache.get('trace-a'), undefined);
    cache.set('trace-a', 1);
    assert.equal(cache.get('trace-a'), 1);
  });

  it('keeps a repeating entry through a flood of one-off keys', () => {
    const cache = new LruCache<string, number>(4, secondSighting(8));
    cache.set('repeats', 1);
    cache.set('repeats', 1);
    for (let i = 0; i < 1000; i++) cache.set(`one-off-${i}`, i);
    assert.equal(cache.get('repeats'), 1);
    assert.equal(cache.size, 1);
    assert.equal(cache.takeCounts().evictions, 0);
  });
});
