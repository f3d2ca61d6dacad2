// IndexedDB behind the KeyValueStore shape. One database, one object store per concern;
// the service worker opens the same database (for the language of the subscription).
import type { KeyValueStore } from './storage.ts';

const DB_NAME = 'crewbell';
const STORE_NAMES = ['queue', 'entries', 'keys', 'cursors', 'cache', 'settings'] as const;
export type StoreName = (typeof STORE_NAMES)[number];

let opening: Promise<IDBDatabase> | undefined;

function openDb(): Promise<IDBDatabase> {
  opening ??= new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      for (const name of STORE_NAMES) {
        if (!request.result.objectStoreNames.contains(name)) request.result.createObjectStore(name);
      }
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => {
      opening = undefined;
      reject(request.error);
    };
  });
  return opening;
}

function run<R>(name: StoreName, mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest<R>): Promise<R> {
  return openDb().then(
    (db) =>
      new Promise<R>((resolve, reject) => {
        const tx = db.transaction(name, mode);
        const request = act(tx.objectStore(name));
        tx.oncomplete = () => resolve(request.result);
        tx.onerror = () => reject(tx.error ?? request.error);
        tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
      }),
  );
}

export function idbStore<T>(name: StoreName): KeyValueStore<T> {
  return {
    get: (key) => run(name, 'readonly', (s) => s.get(key) as IDBRequest<T | undefined>),
    put: (key, value) => run(name, 'readwrite', (s) => s.put(value, key)).then(() => undefined),
    delete: (key) => run(name, 'readwrite', (s) => s.delete(key)).then(() => undefined),
    async list(prefix = '') {
      const range = prefix ? IDBKeyRange.bound(prefix, `${prefix}\uffff`) : undefined;
      // Keys and values from one transaction, so a write in between cannot misalign them.
      const db = await openDb();
      return new Promise<Array<[string, T]>>((resolve, reject) => {
        const tx = db.transaction(name, 'readonly');
        const keys = tx.objectStore(name).getAllKeys(range);
        const values = tx.objectStore(name).getAll(range);
        tx.oncomplete = () => resolve(keys.result.map((key, i) => [String(key), values.result[i] as T]));
        tx.onerror = () => reject(tx.error);
      });
    },
  };
}

/**
 * Up to `count` values under `prefix` after the key `after`, in key order: a long list (a
 * 10,000-entry export) read in short transactions that never block the page long. Values
 * only: a second getAllKeys would walk the same range again, and the caller knows each
 * value's key.
 */
export async function listPage<T>(
  name: StoreName,
  prefix: string,
  after: string | undefined,
  count: number,
): Promise<T[]> {
  const range =
    after === undefined
      ? IDBKeyRange.bound(prefix, `${prefix}\uffff`)
      : IDBKeyRange.bound(after, `${prefix}\uffff`, true);
  const db = await openDb();
  return new Promise<T[]>((resolve, reject) => {
    const request = db.transaction(name, 'readonly').objectStore(name).getAll(range, count);
    request.onsuccess = () => resolve(request.result as T[]);
    request.onerror = () => reject(request.error);
  });
}

/** How many keys start with `prefix`. */
export async function countPrefix(name: StoreName, prefix: string): Promise<number> {
  return run(name, 'readonly', (s) => s.count(IDBKeyRange.bound(prefix, `${prefix}\uffff`)));
}
