// The server's VAPID identity (RFC 8292): one P-256 key pair per installation. The private
// key is stored sealed with AES-256-GCM under the data dir's secret key and is only ever
// opened in memory; no response, log line or error carries it.
import {
  createECDH,
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import * as v from 'valibot';
import { prepared, type Db } from '../db.ts';
import { VapidSubjectSchema } from '../config.ts';

import { readSecretFile, SECRET_KEY_FILE, secretFileExists, writeSecretFile } from './secret-file.ts';

export { SECRET_KEY_FILE };
export const SECRET_KEY_ENV = 'CREWBELL_SECRET_KEY';
/** Used when no --vapid-subject is given and the origin gives nothing better (http/localhost dev). */
export const PLACEHOLDER_VAPID_SUBJECT = 'mailto:crewbell@example.org';
const SEAL_AAD = Buffer.from('crewbell vapid private key v1');

export interface VapidKeys {
  /** base64url, 65-byte uncompressed P-256 point: what browsers pass as applicationServerKey. */
  publicKey: string;
  privateKey: KeyObject;
}

class SecretKeyError extends Error {
  override name = 'SecretKeyError';
}

export function decodeSecret(text: string, where: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64url');
  if (key.length !== 32) throw new SecretKeyError(`${where} must hold 32 bytes (base64url or 64 hex digits)`);
  return key;
}

/**
 * The key that seals the VAPID private key: CREWBELL_SECRET_KEY, else data-dir/secret.key,
 * which is created (mode 0600, fsynced with its folder) when `create` is set and it does not exist yet.
 */
export function loadSecretKey(dataDir: string, env: Record<string, string | undefined>, create: boolean): Buffer {
  const fromEnv = env[SECRET_KEY_ENV];
  if (fromEnv) return decodeSecret(fromEnv, SECRET_KEY_ENV);
  const file = path.join(dataDir, SECRET_KEY_FILE);
  if (!secretFileExists(dataDir)) {
    if (!create) throw new SecretKeyError(`no secret key: ${file} is missing and ${SECRET_KEY_ENV} is not set`);
    // On the disk before the VAPID key sealed with it is committed: a power cut must not
    // leave a database whose key can no longer be opened.
    writeSecretFile(dataDir, `${randomBytes(32).toString('base64url')}\n`, false);
  }
  return decodeSecret(readSecretFile(dataDir), file);
}

function sealPrivateKey(secret: Buffer, privateKey: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', secret, iv);
  cipher.setAAD(SEAL_AAD);
  const sealed = Buffer.concat([cipher.update(privateKey), cipher.final(), cipher.getAuthTag()]);
  return `v1.${iv.toString('base64url')}.${sealed.toString('base64url')}`;
}

export function openPrivateKey(secret: Buffer, sealed: string): Buffer {
  const [version, iv, body] = sealed.split('.');
  if (version !== 'v1' || !iv || !body)
    throw new SecretKeyError('the stored VAPID private key is in an unknown format');
  const bytes = Buffer.from(body, 'base64url');
  try {
    const decipher = createDecipheriv('aes-256-gcm', secret, Buffer.from(iv, 'base64url'));
    decipher.setAAD(SEAL_AAD);
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]);
  } catch {
    // Never echo key material: the only useful fact is that the secret does not match.
    throw new SecretKeyError(
      `the VAPID private key cannot be opened: the secret key (${SECRET_KEY_ENV} or data-dir/${SECRET_KEY_FILE}) is not the one it was sealed with`,
    );
  }
}

/** A KeyObject for signing from the raw 32-byte scalar and the 65-byte public point. */
export function vapidPrivateKeyObject(privateKey: Buffer, publicKey: Buffer): KeyObject {
  return createPrivateKey({
    format: 'jwk',
    key: {
      kty: 'EC',
      crv: 'P-256',
      d: privateKey.toString('base64url'),
      x: publicKey.subarray(1, 33).toString('base64url'),
      y: publicKey.subarray(33, 65).toString('base64url'),
    },
  });
}

/** True when bytes are an uncompressed point on P-256. */
export function isP256Point(bytes: Buffer): boolean {
  if (bytes.length !== 65 || bytes[0] !== 4) return false;
  try {
    createPublicKey({
      format: 'jwk',
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: bytes.subarray(1, 33).toString('base64url'),
        y: bytes.subarray(33).toString('base64url'),
      },
    });
    return true;
  } catch {
    return false;
  }
}

interface KeyRow {
  public_key: string;
  private_key_sealed: string;
  subject: string | null;
  created_at: number;
}

function readRow(db: Db): KeyRow | undefined {
  return prepared(
    db,
    'SELECT public_key, private_key_sealed, subject, created_at FROM vapid_keys WHERE id = 1',
  ).get() as KeyRow | undefined;
}

export function readVapidPublicKey(db: Db): string | undefined {
  return readRow(db)?.public_key;
}

/** When the VAPID keys were made, or null without keys. */
export function vapidKeysTime(db: Db): number | null {
  return readRow(db)?.created_at ?? null;
}

/** The subject `serve` last ran with, for commands that send outside the server. */
export function readVapidSubject(db: Db): string | undefined {
  return readRow(db)?.subject ?? undefined;
}

export function recordVapidSubject(db: Db, subject: string): void {
  prepared(db, 'UPDATE vapid_keys SET subject = ? WHERE id = 1').run(subject);
}

export type GenerateResult = { created: true; publicKey: string } | { created: false; publicKey: string };

/** A new P-256 key pair as browsers take a VAPID key: the public key uncompressed, 65 bytes. */
function newKeyPair(): { publicKey: Buffer; privateKey: Buffer } {
  const curve = createECDH('prime256v1');
  curve.generateKeys();
  // The private key comes without its leading zero bytes (one key in 256): put them back.
  const privateKey = curve.getPrivateKey();
  return {
    publicKey: curve.getPublicKey(),
    privateKey: Buffer.concat([Buffer.alloc(32 - privateKey.length), privateKey]),
  };
}

/** Creates the key pair; an existing one is kept unless force is set. */
export function generateVapidKeys(db: Db, secret: Buffer, now: number, force = false): GenerateResult {
  const existing = readRow(db);
  if (existing && !force) return { created: false, publicKey: existing.public_key };
  const keys = newKeyPair();
  const publicKey = keys.publicKey.toString('base64url');
  const sealed = sealPrivateKey(secret, keys.privateKey);
  prepared(
    db,
    `INSERT INTO vapid_keys (id, public_key, private_key_sealed, subject, created_at) VALUES (1, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET public_key = excluded.public_key, private_key_sealed = excluded.private_key_sealed, created_at = excluded.created_at`,
  ).run(publicKey, sealed, existing?.subject ?? null, now);
  return { created: true, publicKey };
}

/** Opens the stored key pair, or undefined when none exists yet. */
export function loadVapidKeys(db: Db, secret: Buffer): VapidKeys | undefined {
  const row = readRow(db);
  if (!row) return undefined;
  const publicKey = Buffer.from(row.public_key, 'base64url');
  return {
    publicKey: row.public_key,
    privateKey: vapidPrivateKeyObject(openPrivateKey(secret, row.private_key_sealed), publicKey),
  };
}

/** `serve` start-up: the keys, created on first start. */
export function ensureVapidKeys(db: Db, secret: Buffer, now: number): VapidKeys {
  generateVapidKeys(db, secret, now, false);
  return loadVapidKeys(db, secret)!;
}

function isValidVapidSubject(subject: string): boolean {
  return v.safeParse(VapidSubjectSchema, subject).success;
}

/**
 * The subject when --vapid-subject is not given (only allowed for http origins, since
 * config requires it for https): the origin's host as a contact when push services would
 * take it, else the documented placeholder.
 */
export function defaultVapidSubject(origin: string): string {
  const url = new URL(origin);
  if (url.protocol === 'https:') {
    const candidate = `https://${url.host}`;
    if (isValidVapidSubject(candidate)) return candidate;
  }
  const host = url.hostname;
  const isAddress = /^[\d.]+$/.test(host) || host.includes(':') || host.startsWith('[');
  if (!isAddress && host.includes('.') && !/(^|\.)localhost$/i.test(host)) {
    const candidate = `mailto:admin@${host}`;
    if (isValidVapidSubject(candidate)) return candidate;
  }
  return PLACEHOLDER_VAPID_SUBJECT;
}

/** For `crewbell doctor`: problems with the keys, the secret and the subject ([] when fine). */
export function checkVapid(db: Db, dataDir: string, env: Record<string, string | undefined> = process.env): string[] {
  const problems: string[] = [];
  const row = readRow(db);
  if (!row) return ['no VAPID keys yet: run "crewbell vapid generate" (serve also creates them on first start)'];
  if (!isP256Point(Buffer.from(row.public_key, 'base64url')))
    problems.push('the VAPID public key is not a P-256 point');
  if (!env[SECRET_KEY_ENV]) {
    const file = path.join(dataDir, SECRET_KEY_FILE);
    if (existsSync(file) && (statSync(file).mode & 0o077) !== 0)
      problems.push(`${file} is readable by other users: chmod 600 it`);
  }
  try {
    const secret = loadSecretKey(dataDir, env, false);
    loadVapidKeys(db, secret);
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (row.subject && !isValidVapidSubject(row.subject))
    problems.push(`the VAPID subject "${row.subject}" is not a mailto: or https: contact push services accept`);
  return problems;
}
