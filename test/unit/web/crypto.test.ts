// The browser's logbook crypto, run on Node's WebCrypto (the same API the PWA uses).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  exportLogbookKey,
  importLogbookKey,
  LockedError,
  newLogbookKey,
  openJson,
  sealJson,
} from '../../../web/src/crypto.ts';
import { fromBase64url, toBase64url } from '../../../web/src/base64url.ts';

const entry = {
  time: '2026-07-14T09:30',
  position: "54°19.2'N 010°08.5'E",
  course: '045',
  speed: '6.2',
  wind: 'SW 4',
  text: 'Left Kiel, reef in',
};

test('an entry sealed with a logbook key opens with the same key', async () => {
  const key = await newLogbookKey();
  const sealed = await sealJson(key, entry, 'logbook-1/entry-1');
  assert.match(sealed, /^[A-Za-z0-9_-]+$/);
  assert.ok(!sealed.includes('Kiel'));
  assert.deepEqual(await openJson(key, sealed, 'logbook-1/entry-1'), entry);
});

test('the same entry sealed twice gives two different ciphertexts (fresh IV)', async () => {
  const key = await newLogbookKey();
  assert.notEqual(await sealJson(key, entry, 'a/b'), await sealJson(key, entry, 'a/b'));
});

test('a wrong key fails with LockedError', async () => {
  const sealed = await sealJson(await newLogbookKey(), entry, 'a/b');
  await assert.rejects(openJson(await newLogbookKey(), sealed, 'a/b'), LockedError);
});

test('ciphertext moved to another entry id does not open', async () => {
  const key = await newLogbookKey();
  const sealed = await sealJson(key, entry, 'logbook-1/entry-1');
  await assert.rejects(openJson(key, sealed, 'logbook-1/entry-2'), LockedError);
});

test('a flipped ciphertext bit is detected', async () => {
  const key = await newLogbookKey();
  const bytes = fromBase64url(await sealJson(key, entry, 'a/b'));
  bytes[bytes.length - 1]! ^= 1;
  await assert.rejects(openJson(key, toBase64url(bytes), 'a/b'), LockedError);
});

test('a key survives export to link text and import', async () => {
  const key = await newLogbookKey();
  const text = await exportLogbookKey(key);
  assert.equal(fromBase64url(text).length, 32);
  const sealed = await sealJson(key, { title: 'Mira' }, 'l/meta');
  assert.deepEqual(await openJson(await importLogbookKey(text), sealed, 'l/meta'), { title: 'Mira' });
});

test('a damaged key from a link is refused, not half-used', async () => {
  await assert.rejects(importLogbookKey('abc'), LockedError);
  await assert.rejects(importLogbookKey('not base64url!'), LockedError);
});

test('base64url round trip of all byte values', () => {
  const bytes = new Uint8Array(256).map((_, i) => i);
  const text = toBase64url(bytes);
  assert.doesNotMatch(text, /[+/=]/);
  assert.deepEqual(fromBase64url(text), bytes);
});
