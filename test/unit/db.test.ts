// Storage: pragmas, schema steps by PRAGMA user_version, upgrades that keep every row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { latestSchemaVersion, openDatabase, parseSchema, transaction, userVersion } from '../../src/db.ts';
import { tempDir } from '../helpers/server.ts';

test('a new database gets WAL, foreign keys and the latest schema step', () => {
  const dir = tempDir();
  try {
    const db = openDatabase(path.join(dir, 'crewbell.db'));
    assert.equal((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
    assert.equal((db.prepare('PRAGMA foreign_keys').get() as { foreign_keys: number }).foreign_keys, 1);
    assert.equal((db.prepare('PRAGMA busy_timeout').get() as { timeout: number }).timeout, 5000);
    assert.equal(userVersion(db), latestSchemaVersion());
    assert.ok(latestSchemaVersion() >= 2);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a database made by schema step 1 upgrades to the latest step without losing rows', () => {
  const dir = tempDir();
  const file = path.join(dir, 'crewbell.db');
  try {
    const old = openDatabase(file, { schemaVersion: 1 });
    assert.equal(userVersion(old), 1);
    assert.equal(old.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'push_subscriptions'").get()!.n, 0);
    old.prepare("INSERT INTO users (id, username, is_admin, created_at) VALUES ('u1', 'skipper', 1, 1)").run();
    old.prepare("INSERT INTO logbooks (id, owner_id, meta, created_at) VALUES ('l1', 'u1', 'bWV0YQ', 2)").run();
    old
      .prepare(
        "INSERT INTO entries (logbook_id, entity_id, version, payload, deleted, updated_at, updated_by, seq) VALUES ('l1', 'e1', 3, 'Y2lwaGVy', 0, 3, 'u1', 1)",
      )
      .run();
    old
      .prepare(
        "INSERT INTO signup_tokens (token_hash, username, is_admin, created_at, expires_at) VALUES ('h1', 'bosun', 0, 1, 9)",
      )
      .run();
    old.close();

    const db = openDatabase(file);
    assert.equal(userVersion(db), latestSchemaVersion());
    assert.deepEqual(
      { ...db.prepare('SELECT username, is_admin FROM users').get() },
      { username: 'skipper', is_admin: 1 },
    );
    assert.deepEqual(
      { ...db.prepare('SELECT version, payload FROM entries').get() },
      { version: 3, payload: 'Y2lwaGVy' },
    );
    // The new steps' tables work with the old rows; an old sign-up link stays a sign-up link.
    db.prepare(
      "INSERT INTO notify_prefs (user_id, collaborator_changes_enabled, updated_at) VALUES ('u1', 1, 4)",
    ).run();
    assert.deepEqual(
      { ...db.prepare('SELECT username, purpose FROM signup_tokens').get() },
      { username: 'bosun', purpose: 'signup' },
    );
    assert.throws(
      () =>
        db
          .prepare(
            "INSERT INTO signup_tokens (token_hash, username, created_at, expires_at, purpose) VALUES ('h2', 'x', 1, 9, 'other')",
          )
          .run(),
      /CHECK constraint/,
    );
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a database from a newer crewbell is refused, not touched', () => {
  const dir = tempDir();
  const file = path.join(dir, 'crewbell.db');
  try {
    const raw = new DatabaseSync(file);
    raw.exec(`PRAGMA user_version = ${latestSchemaVersion() + 1}`);
    raw.close();
    assert.throws(() => openDatabase(file), /newer than this crewbell/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('schema steps must be numbered in order', () => {
  assert.deepEqual(
    parseSchema('-- step 1: a\nCREATE TABLE a (x);\n-- step 2: b\nCREATE TABLE b (y);\n').map((s) => s.step),
    [1, 2],
  );
  assert.throws(() => parseSchema('-- step 1\n-- step 3\n'), /out of order/);
});

test('a failed transaction leaves nothing behind; nested calls join the outer one', () => {
  const db = openDatabase(':memory:');
  db.prepare("INSERT INTO users (id, username, created_at) VALUES ('u1', 'a', 1)").run();
  assert.throws(() =>
    transaction(db, () => {
      db.prepare("INSERT INTO users (id, username, created_at) VALUES ('u2', 'b', 1)").run();
      transaction(db, () => db.prepare("INSERT INTO users (id, username, created_at) VALUES ('u3', 'c', 1)").run());
      throw new Error('boom');
    }),
  );
  assert.equal(db.prepare('SELECT count(*) AS n FROM users').get()!.n, 1);
  db.close();
});
