// RFC 8291 message encryption for Web Push: one aes128gcm record (RFC 8188) keyed by an
// ECDH agreement with the device's P-256 key and its 16-byte auth secret.
import { createCipheriv, createECDH, createSecretKey, hkdfSync, randomBytes, type ECDH } from 'node:crypto';

/** Push services accept at most 4096 bytes of body; one record holds the whole message. */
const RECORD_SIZE = 4096;
const HEADER_SIZE = 16 + 4 + 1 + 65;
const TAG_SIZE = 16;
/** Largest cleartext that fits one record (the 0x02 delimiter and the tag take the rest). */
export const MAX_PLAINTEXT = RECORD_SIZE - HEADER_SIZE - TAG_SIZE - 1;

const KEY_INFO = Buffer.from('WebPush: info\0');
const CEK_INFO = Buffer.from('Content-Encoding: aes128gcm\0');
const NONCE_INFO = Buffer.from('Content-Encoding: nonce\0');
const LAST_RECORD = Buffer.from([2]);

export interface DeviceKeys {
  /** The device's public key: a 65-byte uncompressed P-256 point. */
  p256dh: Buffer;
  /** The device's 16-byte auth secret. */
  auth: Buffer;
}

// Salts come from a pool of random bytes refilled now and then: one call into the CSPRNG
// per 256 messages instead of one per message.
let saltPool = Buffer.alloc(0);
let saltOffset = 0;
function randomSalt(): Buffer {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: refilling early (true, >=) only calls the CSPRNG more often, which no test can see; false and < leave the pool empty, which every decrypting test catches (checked by hand)
  if (saltOffset + 16 > saltPool.length) {
    saltPool = randomBytes(4096);
    saltOffset = 0;
  }
  const salt = Buffer.from(saltPool.subarray(saltOffset, saltOffset + 16));
  saltOffset += 16;
  return salt;
}

/** Fixed inputs for the RFC's worked example; real messages leave them out. */
export interface EncryptFixture {
  salt: Buffer;
  senderPrivateKey: Buffer;
}

/** Encrypts plaintext for one device; the result is the whole request body. */
export function encryptForDevice(plaintext: Buffer, device: DeviceKeys, fixture?: EncryptFixture): Buffer {
  if (plaintext.length > MAX_PLAINTEXT)
    throw new Error(`push message is ${plaintext.length} bytes; at most ${MAX_PLAINTEXT} fit`);
  // A fresh sender key and salt per message (RFC 8291 §3.1): a key is never reused.
  const sender: ECDH = createECDH('prime256v1');
  let senderPublic: Buffer;
  if (fixture) {
    sender.setPrivateKey(fixture.senderPrivateKey);
    senderPublic = sender.getPublicKey();
  } else {
    senderPublic = sender.generateKeys();
  }
  const salt = fixture?.salt ?? randomSalt();
  const shared = sender.computeSecret(device.p256dh);

  // Three one-call HKDFs (extract + expand in native code): cheaper than five HMACs here.
  // Keys go in as KeyObjects: given a Buffer, node:crypto first tries it as a KeyObject
  // and a CryptoKey by catching two exceptions, which costs more than the HKDF itself.
  const ikm = createSecretKey(
    new Uint8Array(
      hkdfSync(
        'sha256',
        createSecretKey(shared),
        device.auth,
        Buffer.concat([KEY_INFO, device.p256dh, senderPublic]),
        32,
      ),
    ),
  );
  const cek = createSecretKey(new Uint8Array(hkdfSync('sha256', ikm, salt, CEK_INFO, 16)));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, NONCE_INFO, 12));

  const header = Buffer.allocUnsafe(HEADER_SIZE);
  salt.copy(header, 0);
  header.writeUInt32BE(RECORD_SIZE, 16);
  header[20] = senderPublic.length;
  senderPublic.copy(header, 21);

  const cipher = createCipheriv('aes-128-gcm', cek, nonce);
  const body = Buffer.concat([
    header,
    cipher.update(plaintext),
    cipher.update(LAST_RECORD),
    cipher.final(),
    cipher.getAuthTag(),
  ]);
  return body;
}
