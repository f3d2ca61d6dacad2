// Message encryption (RFC 8291) and the VAPID JWT (RFC 8292), checked against the RFC's
// worked example and against the test push service's independent decryption.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH, createPublicKey, randomBytes, verify } from 'node:crypto';
import { encryptForDevice, MAX_PLAINTEXT } from '../../src/push/encrypt.ts';
import { createVapidSigner, JWT_LIFETIME_MS } from '../../src/push/authorization.ts';
import { freshVapidKeys } from '../helpers/vapid.ts';
import { ManualClock } from '../../src/clock.ts';
import { decryptPushBody } from '../helpers/push-service.ts';

// RFC 8291 Appendix A.
const RFC = {
  plaintext: 'When I grow up, I want to be a watermelon',
  uaPublic: 'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4',
  uaPrivate: 'q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94',
  asPublic: 'BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8',
  asPrivate: 'yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw',
  salt: 'DGv6ra1nlYgDCS1FRnbzlw',
  auth: 'BTBZMqHH6r4Tts7J_aSIgg',
  body:
    'DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27ml' +
    'mlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPT' +
    'pK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN',
};
const b = (s: string) => Buffer.from(s, 'base64url');

test('encryption reproduces the RFC 8291 Appendix A message byte for byte', () => {
  const body = encryptForDevice(
    Buffer.from(RFC.plaintext),
    { p256dh: b(RFC.uaPublic), auth: b(RFC.auth) },
    { salt: b(RFC.salt), senderPrivateKey: b(RFC.asPrivate) },
  );
  assert.equal(body.toString('base64url'), RFC.body);
  assert.equal(body.subarray(21, 86).toString('base64url'), RFC.asPublic);
});

test("the test push service's own decryption opens the RFC 8291 example", () => {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(b(RFC.uaPrivate));
  assert.equal(decryptPushBody(b(RFC.body), { ecdh, authSecret: b(RFC.auth) }).toString(), RFC.plaintext);
});

test('a fresh message uses a new sender key and salt each time and opens on the device', () => {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const authSecret = randomBytes(16);
  const device = { p256dh: ecdh.getPublicKey(), auth: authSecret };
  const text = JSON.stringify({ title: 'crewbell', body: 'Neue Änderungen in einem deiner Logbücher.' });
  const one = encryptForDevice(Buffer.from(text), device);
  const two = encryptForDevice(Buffer.from(text), device);
  assert.notDeepEqual(one.subarray(0, 16), two.subarray(0, 16), 'salt');
  assert.notDeepEqual(one.subarray(21, 86), two.subarray(21, 86), 'sender key');
  assert.equal(decryptPushBody(one, { ecdh, authSecret }).toString(), text);
  assert.throws(
    () => decryptPushBody(one, { ecdh, authSecret: randomBytes(16) }),
    /unable to authenticate|Unsupported state/i,
  );
});

test('300 messages in a row (past a refill of the salt pool) each carry a salt of their own and open on the device', () => {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const authSecret = randomBytes(16);
  const device = { p256dh: ecdh.getPublicKey(), auth: authSecret };
  const salts = new Set<string>();
  for (let i = 0; i < 300; i++) {
    const body = encryptForDevice(Buffer.from(`message ${i}`), device);
    salts.add(body.subarray(0, 16).toString('hex'));
    assert.equal(decryptPushBody(body, { ecdh, authSecret }).toString(), `message ${i}`);
  }
  assert.equal(salts.size, 300);
});

test('a message longer than one 4096-byte record is refused', () => {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const device = { p256dh: ecdh.getPublicKey(), auth: randomBytes(16) };
  assert.equal(encryptForDevice(Buffer.alloc(MAX_PLAINTEXT, 'a'), device).length, 4096);
  assert.throws(() => encryptForDevice(Buffer.alloc(MAX_PLAINTEXT + 1, 'a'), device), /at most/);
});

test('the VAPID JWT is ES256, aud = push service origin, exp ≤ 24 h, and is reused per origin until near expiry', () => {
  const keys = freshVapidKeys();
  const clock = new ManualClock();
  const signer = createVapidSigner(keys, 'mailto:skipper@example.org', clock);
  const first = signer.authorization('https://fcm.googleapis.com/fcm/send/abc');
  const m = /^vapid t=([^.]+)\.([^.]+)\.([^,]+), k=(.+)$/.exec(first)!;
  assert.ok(m, first);
  assert.equal(m[4], keys.publicKey);
  const claims = JSON.parse(b(m[2]!).toString());
  assert.equal(claims.aud, 'https://fcm.googleapis.com');
  assert.equal(claims.sub, 'mailto:skipper@example.org');
  assert.ok(claims.exp * 1000 <= clock.now() + 24 * 3_600_000 && claims.exp * 1000 > clock.now());
  const point = b(keys.publicKey);
  const pub = createPublicKey({
    format: 'jwk',
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33).toString('base64url'),
    },
  });
  assert.ok(verify('sha256', Buffer.from(`${m[1]}.${m[2]}`), { key: pub, dsaEncoding: 'ieee-p1363' }, b(m[3]!)));

  // Same origin, other path: the same signed token (no signature per message).
  assert.equal(signer.authorization('https://fcm.googleapis.com/fcm/send/other'), first);
  // Another push service: its own audience.
  assert.notEqual(signer.authorization('https://updates.push.services.mozilla.com/wpush/v2/x'), first);
  // Close to expiry: signed again.
  clock.advance(JWT_LIFETIME_MS - 30 * 60_000);
  assert.notEqual(signer.authorization('https://fcm.googleapis.com/fcm/send/abc'), first);
});
