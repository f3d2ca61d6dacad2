// Reads a logbook's cached entries out of IndexedDB a page at a time, each page in its own
// short transaction: one read of 10,000 entries would block the page while they are copied out.
import { DB_NAME } from '../offline/idb.ts';
import type { CachedEntry } from '../sync.ts';

let opening: Promise<IDBDatabase> | undefined;

/** The app's database as it already is (the app made it; no version means no upgrade here). */
function openDb(): Promise<IDBDatabase> {
  opening ??= new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(DB_NAME);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => {
      opening = undefined;
      reject(request.error);
    };
  });
  return opening;
}

export interface EntryPage {
  entries: CachedEntry[];
  /** The key to continue after, or undefined after the last page. */
  next: string | undefined;
}

/** Up to `size` entries of the logbook with keys after `after` (from the start when undefined). */
export async function readEntryPage(logbookId: string, after: string | undefined, size: number): Promise<EntryPage> {
  const db = await openDb();
  const prefix = `${logbookId}/`;
  const range = after === undefined ? IDBKeyRange.bound(prefix, prefix + '\uffff') : IDBKeyRange.bound(after, prefix + '\uffff', true);
  return new Promise<EntryPage>((resolve, reject) => {
    const tx = db.transaction('entries', 'readonly');
    const keys = tx.objectStore('entries').getAllKeys(range, size);
    const values = tx.objectStore('entries').getAll(range, size);
    tx.oncomplete = () =>
      resolve({ entries: values.result as CachedEntry[], next: keys.result.length === size ? String(keys.result[keys.result.length - 1]) : undefined });
    tx.onerror = () => reject(tx.error);
  });
}

/** How many entries (deleted ones included) the logbook has on this device, for progress. */
export async function countEntries(logbookId: string): Promise<number> {
  const db = await openDb();
  const prefix = `${logbookId}/`;
  return new Promise<number>((resolve, reject) => {
    const request = db.transaction('entries', 'readonly').objectStore('entries').count(IDBKeyRange.bound(prefix, prefix + '\uffff'));
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}
