// The small key-value shape the offline parts are written against: IndexedDB in the
// browser (idb.ts), a Map in the unit tests. Keys are strings; list() is in key order.

export interface KeyValueStore<T> {
  get(key: string): Promise<T | undefined>;
  put(key: string, value: T): Promise<void>;
  delete(key: string): Promise<void>;
  /** All records whose key starts with prefix (all when omitted), in key order. */
  list(prefix?: string): Promise<Array<[string, T]>>;
}

export function memoryStore<T>(): KeyValueStore<T> {
  const map = new Map<string, T>();
  // Values are cloned like IndexedDB's structured clone, so callers cannot mutate the store.
  return {
    async get(key) {
      const value = map.get(key);
      return value === undefined ? undefined : structuredClone(value);
    },
    async put(key, value) {
      map.set(key, structuredClone(value));
    },
    async delete(key) {
      map.delete(key);
    },
    async list(prefix = '') {
      return [...map.entries()]
        .filter(([key]) => key.startsWith(prefix))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, value]) => [key, structuredClone(value)]);
    },
  };
}

/** The records of `store` under `prefix`, as a store of their own (one object store, two concerns). */
export function prefixedStore<T>(store: KeyValueStore<T>, prefix: string): KeyValueStore<T> {
  return {
    get: (key) => store.get(prefix + key),
    put: (key, value) => store.put(prefix + key, value),
    delete: (key) => store.delete(prefix + key),
    async list(more = '') {
      return (await store.list(prefix + more)).map(([key, value]) => [key.slice(prefix.length), value]);
    },
  };
}
