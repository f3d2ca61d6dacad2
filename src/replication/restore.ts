// Putting a replica back onto a fresh SD card: Litestream restores the database into a
// temporary file, which must pass SQLite's integrity check, take the schema steps, and open
// its sealed VAPID key with the secret key (kept apart from the replica) before it replaces
// anything. New keys only when asked: every phone then has to subscribe again.
import {
  closeSync,
  constants,
  existsSync,
  fchmodSync,
  fchownSync,
  fstatSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { databasePath, migrate, userVersion } from '../db.ts';
import {
  decodeSecret,
  generateVapidKeys,
  loadVapidKeys,
  readVapidPublicKey,
  SECRET_KEY_ENV,
  SECRET_KEY_FILE,
} from '../push/vapid.ts';
import { readSecretFile, secretFileExists, SecretFileRefused, writeSecretFile } from '../push/secret-file.ts';
import { runLitestream } from './litestream.ts';

export class RestoreRefused extends Error {
  override name = 'RestoreRefused';
}

export interface RestoreOptions {
  dataDir: string;
  litestream: string;
  /** A Litestream config naming this database, or a replica URL (file://, sftp://, s3://). */
  source: { config: string } | { url: string };
  /** The secret key given back (base64url or hex; read from stdin or a file), written to data-dir/secret.key. */
  secretKey?: string | undefined;
  newKeys: boolean;
  force: boolean;
  env: Record<string, string | undefined>;
  now: number;
}

export interface RestoreResult {
  file: string;
  schema: { from: number; to: number };
  /** Where the key came from, or 'new' with --new-keys. */
  key: 'given' | 'file' | 'env' | 'new';
  vapidPublicKey: string | undefined;
  /** Set when the replica's newest WAL segment was cut short: restored up to this time instead. */
  cutShortAt?: string;
  elapsedMs: number;
}

type KeySource = { kind: 'given' | 'file' | 'env'; secret: Buffer } | { kind: 'new' };

/** Decides on the key before anything is fetched, so a missing key costs no download. */
function chooseKey(options: RestoreOptions): KeySource {
  const file = path.join(options.dataDir, SECRET_KEY_FILE);
  if (options.secretKey !== undefined) {
    const secret = decodeSecret(options.secretKey, '--secret-key');
    if (
      secretFileExists(options.dataDir) &&
      !decodeSecret(readSecretFile(options.dataDir), file).equals(secret) &&
      !options.force
    ) {
      throw new RestoreRefused(`${file} holds a different key; pass --force to replace it with the one given`);
    }
    return { kind: 'given', secret };
  }
  if (options.env[SECRET_KEY_ENV])
    return { kind: 'env', secret: decodeSecret(options.env[SECRET_KEY_ENV]!, SECRET_KEY_ENV) };
  if (secretFileExists(options.dataDir))
    return { kind: 'file', secret: decodeSecret(readSecretFile(options.dataDir), file) };
  if (options.newKeys) return { kind: 'new' };
  throw new RestoreRefused(
    `no secret key: ${file} is missing (it is never replicated). Give it back with --secret-key - (then paste it) or --secret-key FILE (or crewbell secret import), ` +
      'or pass --new-keys to make new push keys (every phone must then subscribe again)',
  );
}

/** Removes a database with its -wal and -shm (and what Litestream leaves of its .tmp copy). */
function removeDatabase(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}.tmp`, `${file}.tmp-wal`, `${file}.tmp-shm`])
    rmSync(f, { force: true });
}

/**
 * `litestream restore` into `partial`. Litestream 0.3.13 writes an SFTP replica's WAL
 * segments in place, so a crash during an upload leaves the newest one cut short and the
 * restore fails on it ("cannot download wal …: EOF"). Then it restores again up to just
 * before that segment (-timestamp), a second of commits at most, and says when that was.
 */
function fetchReplica(litestream: string, partial: string, from: string[]): string | undefined {
  try {
    runLitestream(litestream, ['restore', '-o', partial, ...from], 30 * 60_000);
    return undefined;
  } catch (err) {
    if (!/cannot download wal .*EOF/.test((err as Error).message)) throw err;
    const created = [
      ...new Set(
        runLitestream(litestream, ['wal', ...from])
          .trim()
          .split('\n')
          .slice(1)
          .map((line) => line.trim().split(/\s+/)[5] ?? ''),
      ),
    ]
      .filter((t) => Number.isFinite(Date.parse(t)))
      .sort()
      .reverse();
    // Segments are dated to the second: up to each second, newest first, until one restores.
    for (const at of created.slice(0, 5)) {
      removeDatabase(partial);
      try {
        runLitestream(litestream, ['restore', '-timestamp', at, '-o', partial, ...from], 30 * 60_000);
        return at;
      } catch (again) {
        if (!/cannot download wal .*EOF/.test((again as Error).message)) throw again;
      }
    }
    throw err;
  }
}

export function restoreFromReplica(options: RestoreOptions): RestoreResult {
  try {
    return restore(options);
  } catch (err) {
    if (err instanceof SecretFileRefused) throw new RestoreRefused(err.message);
    throw err;
  }
}

function restore(options: RestoreOptions): RestoreResult {
  const started = performance.now();
  const target = databasePath(options.dataDir);
  if (existsSync(target) && !options.force) {
    throw new RestoreRefused(`${target} exists; pass --force to replace it with the replica (stop crewbell first)`);
  }
  const key = chooseKey(options);
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const partial = path.join(options.dataDir, `.crewbell.db.restoring-${process.pid}`);
  removeDatabase(partial);
  // Litestream matches a config's database by its absolute path; -o writes elsewhere.
  const from =
    'config' in options.source ? ['-config', options.source.config, path.resolve(target)] : [options.source.url];
  try {
    const cutShortAt = fetchReplica(options.litestream, partial, from);
    if (!existsSync(partial)) throw new RestoreRefused('litestream restored nothing (is the replica empty?)');
    const db = new DatabaseSync(partial);
    let result: Omit<RestoreResult, 'elapsedMs' | 'file'>;
    try {
      const check = db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[];
      if (check.length !== 1 || check[0]!.integrity_check !== 'ok') {
        throw new RestoreRefused(
          `the restored database failed its integrity check: ${check.map((r) => r.integrity_check).join('; ')}`,
        );
      }
      db.exec('PRAGMA journal_mode = WAL');
      const schema = migrate(db);
      let vapidPublicKey = readVapidPublicKey(db);
      if (key.kind === 'new') {
        const secret = randomBytes(32);
        vapidPublicKey = generateVapidKeys(db, secret, options.now, true).publicKey;
        writeKey(options.dataDir, secret, true);
      } else {
        // Throws when the key is not the one this database's VAPID key was sealed with.
        if (vapidPublicKey) loadVapidKeys(db, key.secret);
        if (key.kind === 'given') writeKey(options.dataDir, key.secret, options.force);
      }
      result = {
        schema: { from: schema.from, to: userVersion(db) },
        key: key.kind,
        vapidPublicKey,
        ...(cutShortAt ? { cutShortAt } : {}),
      };
    } finally {
      db.close();
    }
    removeDatabase(target);
    renameSync(partial, target);
    ownLikeDataDir(options.dataDir, target);
    return { file: target, ...result, elapsedMs: Math.round(performance.now() - started) };
  } finally {
    removeDatabase(partial);
  }
}

function writeKey(dataDir: string, secret: Buffer, replace: boolean): void {
  writeSecretFile(dataDir, `${secret.toString('base64url')}\n`, replace);
}

/**
 * The restored database: mode 0600 and, run as root (sudo) onto the service's data dir,
 * owned by the dir's owner as serve needs; both through the file's own handle, opened
 * without following a link, never by path (secret.key is given its owner as it is written).
 */
function ownLikeDataDir(dataDir: string, file: string): void {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    if (!fstatSync(fd).isFile()) throw new RestoreRefused(`${file} is not a plain file`);
    fchmodSync(fd, 0o600);
    if (process.getuid?.() !== 0) return;
    const { uid, gid } = statSync(dataDir);
    fchownSync(fd, uid, gid);
  } finally {
    closeSync(fd);
  }
}
