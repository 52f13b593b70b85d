// A bounded least-recently-used cache on a Map (which keeps insertion order): a hit moves the
// entry to the back, a miss that fills the cache drops the front. Callers store values they never
// mutate (frozen or treated as such), because every reader of a hit shares the same object.
// Counts hits, misses and evictions since the last takeCounts(), so a caller can add them to its
// metrics once per batch instead of once per lookup. A capacity of 0 stores nothing: every get
// misses and set does nothing. An optional admission policy decides whether a new key is stored
// at all (secondSighting: only keys offered twice), so a flood of one-off keys cannot push out
// the entries that repeat.

export interface CacheCounts {
  hits: number;
  misses: number;
  evictions: number;
}

export class LruCache<K, V> {
  private readonly entries = new Map<K, V>();
  private counts: CacheCounts = { hits: 0, misses: 0, evictions: 0 };

  constructor(
    readonly capacity: number,
    private readonly admit?: (key: K) => boolean,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /**
   * The value for `key` (now the most recently used), or undefined, counted as a hit or a miss.
   * A value that fails `matches` is a miss too (for caches keyed by part of what identifies a value).
   */
  get(key: K, matches?: (value: V) => boolean): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined || (matches !== undefined && !matches(value))) {
      this.counts.misses++;
      return undefined;
    }
    this.counts.hits++;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  /** The value for `key` without counting a lookup or changing the order. */
  peek(key: K): V | undefined {
    return this.entries.get(key);
  }

  /** Forgets one entry. */
  delete(key: K): void {
    this.entries.delete(key);
  }

  /** Stores `value` as the most recently used, dropping the least recently used when full. */
  set(key: K, value: V): void {
    if (this.capacity <= 0) return;
    if (this.entries.delete(key)) {
      this.entries.set(key, value);
      return;
    }
    if (this.admit !== undefined && !this.admit(key)) return;
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value as K;
      this.entries.delete(oldest);
      this.counts.evictions++;
    }
    this.entries.set(key, value);
  }

  /** Hits, misses and evictions since the last call, and resets them. */
  takeCounts(): CacheCounts {
    const counts = this.counts;
    this.counts = { hits: 0, misses: 0, evictions: 0 };
    return counts;
  }
}

/**
 * An admission policy for string keys: a key is admitted the second time it is offered. It
 * remembers only 32-bit hashes of keys offered once, at most `capacity` of them (oldest forgotten
 * first); a hash collision merely admits a key early.
 */
export function secondSighting(capacity: number): (key: string) => boolean {
  const seenOnce = new Set<number>();
  return (key) => {
    const hash = fnv1a(key);
    if (seenOnce.delete(hash)) return true;
    seenOnce.add(hash);
    if (seenOnce.size > capacity) seenOnce.delete(seenOnce.values().next().value as number);
    return false;
  };
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
