// Deep freezing for the validated config. Object.freeze does not stop Map#set, so maps are copied
// into a ReadonlyMap view that has no mutating methods at all.

class FrozenMap<K, V> implements ReadonlyMap<K, V> {
  readonly #entries: Map<K, V>;

  constructor(entries: Iterable<readonly [K, V]>) {
    this.#entries = new Map(entries);
    Object.freeze(this);
  }

  get size(): number {
    return this.#entries.size;
  }
  get(key: K): V | undefined {
    return this.#entries.get(key);
  }
  has(key: K): boolean {
    return this.#entries.has(key);
  }
  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    this.#entries.forEach((value, key) => callback.call(thisArg, value, key, this));
  }
  entries(): MapIterator<[K, V]> {
    return this.#entries.entries();
  }
  keys(): MapIterator<K> {
    return this.#entries.keys();
  }
  values(): MapIterator<V> {
    return this.#entries.values();
  }
  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.#entries.entries();
  }
}

/** Freezes `value` and everything it reaches; Maps become read-only views. */
export function deepFreeze<T>(value: T): T {
  if (value instanceof Map) {
    return new FrozenMap([...value].map(([key, item]) => [key, deepFreeze(item)] as const)) as T;
  }
  if (typeof value !== 'object' || value === null) return value;
  const copy = (Array.isArray(value) ? [...value] : { ...value }) as Record<string, unknown>;
  for (const key of Object.keys(copy)) copy[key] = deepFreeze(copy[key]);
  return Object.freeze(copy) as T;
}
