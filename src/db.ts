// The SQLite database: open with the pragmas crewbell relies on and bring the schema up to
// date. schema.sql holds numbered steps; PRAGMA user_version records the last one applied.
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { readTextAsset } from './assets.ts';

export type Db = DatabaseSync;

export interface SchemaStep {
  step: number;
  sql: string;
}

/** Splits schema.sql on its `-- step N` lines. */
export function parseSchema(text: string): SchemaStep[] {
  const steps: SchemaStep[] = [];
  let current: SchemaStep | undefined;
  for (const line of text.split('\n')) {
    const m = /^-- step (\d+)\b/.exec(line);
    if (m) {
      current = { step: Number(m[1]), sql: '' };
      if (current.step !== steps.length + 1) throw new Error(`schema.sql: step ${current.step} is out of order`);
      steps.push(current);
    } else if (current) {
      current.sql += `${line}\n`;
    }
  }
  return steps;
}

let cachedSteps: SchemaStep[] | undefined;
function schemaSteps(): SchemaStep[] {
  cachedSteps ??= parseSchema(readTextAsset('schema.sql'));
  return cachedSteps;
}

export function latestSchemaVersion(): number {
  return schemaSteps().length;
}

export function userVersion(db: Db): number {
  return (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
}

/** Applies the steps above the database's user_version (up to `target`), each in its own transaction. */
export function migrate(db: Db, target = latestSchemaVersion()): { from: number; to: number } {
  const from = userVersion(db);
  if (from > latestSchemaVersion()) {
    throw new Error(
      `database schema version ${from} is newer than this crewbell (${latestSchemaVersion()}); upgrade crewbell`,
    );
  }
  for (const { step, sql } of schemaSteps()) {
    if (step <= from || step > target) continue;
    transaction(db, () => {
      db.exec(sql);
      db.exec(`PRAGMA user_version = ${step}`);
    });
  }
  return { from, to: Math.max(from, Math.min(target, latestSchemaVersion())) };
}

export interface OpenOptions {
  /** Stop at this schema step (tests that build an older database). */
  schemaVersion?: number;
  readOnly?: boolean;
  /**
   * FULL (the default): a commit is on the disk before it is answered, so a power cut
   * cannot take back an acknowledged change. NORMAL only for benchmarks that compare.
   */
  synchronous?: Synchronous;
}

export type Synchronous = 'FULL' | 'NORMAL';

/** Pages in the WAL before crewbell checkpoints: 4× Litestream's 1000-page checkpoint. */
export const WAL_AUTOCHECKPOINT_PAGES = 4000;

export function openDatabase(file: string, options: OpenOptions = {}): Db {
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
  const db = new DatabaseSync(file, { readOnly: options.readOnly ?? false });
  db.exec('PRAGMA busy_timeout = 5000');
  db.exec('PRAGMA foreign_keys = ON');
  if (!options.readOnly) {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec(`PRAGMA synchronous = ${options.synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
    // Litestream (README "When the SD card dies") copies the WAL before it is checkpointed and
    // runs its own checkpoints from 1000 pages; a checkpoint of ours racing it only costs a
    // fresh snapshot, but needlessly. Above its threshold ours stays a safety net that bounds
    // the WAL (16 MiB) when Litestream is not running. busy_timeout above covers its brief lock.
    db.exec(`PRAGMA wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
    migrate(db, options.schemaVersion);
  }
  return db;
}

/** SQLite's quick page check: 'ok', or what is damaged. */
export function quickCheck(db: Db): string {
  return (db.prepare('PRAGMA quick_check').get() as { quick_check: string }).quick_check;
}

/** A real committed write (a read-only file or a full disk throws here). */
export function probeWrite(db: Db): void {
  db.exec('BEGIN IMMEDIATE; CREATE TABLE doctor_write_probe (x); DROP TABLE doctor_write_probe; COMMIT');
}

export function databasePath(dataDir: string): string {
  return path.join(dataDir, 'crewbell.db');
}

/**
 * Runs fn in a transaction (BEGIN IMMEDIATE, so writers queue on busy_timeout instead of
 * failing mid-way). A call inside a transaction joins it.
 */
export function transaction<T>(db: Db, fn: () => T): T {
  if (db.isTransaction) return fn();
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (err) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw err;
  }
}

const statementCache = new WeakMap<Db, Map<string, StatementSync>>();

/**
 * A prepared statement made once per database handle and reused: for statements on hot
 * paths (the push outbox runs several per delivery), where compiling each time shows.
 */
export function prepared(db: Db, sql: string): StatementSync {
  let cache = statementCache.get(db);
  if (!cache) statementCache.set(db, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = db.prepare(sql)));
  return statement;
}

/** Makes a folder's entries (a new or renamed file) reach the disk, not only the file's bytes. */
export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Creates a small file (failing if it exists) so that it survives a power cut once this
 * returns: its bytes fsynced, then its folder's entry.
 */
export function createFileDurably(file: string, text: string): void {
  const fd = openSync(file, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  fsyncDirectory(path.dirname(path.resolve(file)));
}
