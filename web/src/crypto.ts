// Logbook crypto, in the browser only: every logbook has its own AES-GCM key, made here and
// shared with crew only in the `#k=` fragment of an invite link. The server stores what
// sealJson returns and never sees a key.
import { fromBase64url, toBase64url } from './base64url.ts';

const FORMAT = 1; // first byte of every ciphertext, so the format can change later
const IV_BYTES = 12;
const KEY_BYTES = 32;
// Made once: an export opens 10,000 entries in a row.
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A logbook's AES-GCM key (written this way so the module type-checks for the browser and for Node's tests). */
export type LogbookKey = Parameters<typeof crypto.subtle.encrypt>[1];

export class LockedError extends Error {
  constructor(message = 'cannot decrypt with this key') {
    super(message);
    this.name = 'LockedError';
  }
}

export function newLogbookKey(): Promise<LogbookKey> {
  return crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, [
    'encrypt',
    'decrypt',
  ]) as Promise<LogbookKey>;
}

/** The key as base64url text, for IndexedDB and invite-link fragments. */
export async function exportLogbookKey(key: LogbookKey): Promise<string> {
  return toBase64url(new Uint8Array(await crypto.subtle.exportKey('raw', key)));
}

export async function importLogbookKey(text: string): Promise<LogbookKey> {
  let raw: Uint8Array<ArrayBuffer>;
  try {
    raw = fromBase64url(text);
  } catch {
    throw new LockedError('the logbook key is not valid base64url');
  }
  if (raw.length !== KEY_BYTES) throw new LockedError('the logbook key has the wrong length');
  return crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, true, ['encrypt', 'decrypt']);
}

/**
 * Encrypts a JSON value. `context` (e.g. "logbookId/entryId") is bound as additional data,
 * so the server cannot swap one entry's ciphertext for another's.
 */
export async function sealJson(key: LogbookKey, value: unknown, context: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const plain = encoder.encode(JSON.stringify(value));
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: encoder.encode(context) }, key, plain),
  );
  const out = new Uint8Array(1 + IV_BYTES + sealed.length);
  out[0] = FORMAT;
  out.set(iv, 1);
  out.set(sealed, 1 + IV_BYTES);
  return toBase64url(out);
}

/** Decrypts what sealJson made; throws LockedError for a wrong key, context or tampering. */
export async function openJson<T = unknown>(key: LogbookKey, text: string, context: string): Promise<T> {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = fromBase64url(text);
  } catch {
    throw new LockedError('ciphertext is not base64url');
  }
  if (bytes.length < 1 + IV_BYTES + 16 || bytes[0] !== FORMAT) throw new LockedError('unknown ciphertext format');
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.subarray(1, 1 + IV_BYTES), additionalData: encoder.encode(context) },
      key,
      bytes.subarray(1 + IV_BYTES),
    );
    return JSON.parse(decoder.decode(plain)) as T;
  } catch {
    throw new LockedError();
  }
}
