// Logbook keys on this device (IndexedDB). A key arrives by creating the logbook here or by
// an invite link's fragment; without it a logbook shows as locked.
import { exportLogbookKey, importLogbookKey, newLogbookKey } from './crypto.ts';
import { idbStore } from './offline/idb.ts';

const store = idbStore<string>('keys');
const cache = new Map<string, CryptoKey>();

export async function logbookKey(logbookId: string): Promise<CryptoKey | undefined> {
  const hit = cache.get(logbookId);
  if (hit) return hit;
  const text = await store.get(logbookId);
  if (!text) return undefined;
  const key = await importLogbookKey(text);
  cache.set(logbookId, key);
  return key;
}

export async function keepLogbookKey(logbookId: string, text: string): Promise<CryptoKey> {
  const key = await importLogbookKey(text);
  await store.put(logbookId, text);
  cache.set(logbookId, key);
  return key;
}

export async function createLogbookKey(logbookId: string): Promise<CryptoKey> {
  const key = await newLogbookKey();
  await store.put(logbookId, await exportLogbookKey(key));
  cache.set(logbookId, key);
  return key;
}

export async function logbookKeyText(logbookId: string): Promise<string | undefined> {
  return store.get(logbookId);
}

export async function forgetLogbookKey(logbookId: string): Promise<void> {
  cache.delete(logbookId);
  await store.delete(logbookId);
}
