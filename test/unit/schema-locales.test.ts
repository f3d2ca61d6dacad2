// The schema step that lets a push device's language be any of the eleven: the rebuilt table
// keeps every device with all its columns, its outbox jobs (nothing cascades away), its
// indexes and its foreign keys, and refuses a language crewbell does not speak.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { rmSync } from 'node:fs';
import { openDatabase } from '../../src/db.ts';
import { tempDir } from '../helpers/server.ts';

/** The last step before this one. */
const BEFORE = 11;

test('upgrading keeps devices, their outbox jobs and indexes; any of the eleven languages is stored, others refused', () => {
  const dir = tempDir();
  const file = path.join(dir, 'crewbell.db');
  try {
    const old = openDatabase(file, { schemaVersion: BEFORE });
    old.exec(`
      INSERT INTO users (id, username, created_at) VALUES ('u1', 'anna', 0);
      INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, expiration_time, locale, vapid_public_key,
          created_at, last_used_at, failures, permanent_failures, last_seen_at, failing_since, failing_reason)
        VALUES ('s1', 'u1', 'https://push.example/1', 'k', 'a', 9, 'de', 'v', 1, 2, 3, 4, 5, 6, 'gone');
      INSERT INTO push_outbox (subscription_id, payload, next_attempt_at, created_at) VALUES ('s1', '{}', 0, 0);
    `);
    assert.throws(() =>
      old.exec(`INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, locale, created_at)
        VALUES ('s0', 'u1', 'https://push.example/0', 'k', 'a', 'hr', 0)`),
    );
    old.close();

    const db = openDatabase(file);
    assert.deepEqual(
      { ...db.prepare('SELECT * FROM push_subscriptions').get() },
      {
        id: 's1',
        user_id: 'u1',
        endpoint: 'https://push.example/1',
        p256dh: 'k',
        auth: 'a',
        expiration_time: 9,
        locale: 'de',
        vapid_public_key: 'v',
        created_at: 1,
        last_used_at: 2,
        failures: 3,
        permanent_failures: 4,
        last_seen_at: 5,
        failing_since: 6,
        failing_reason: 'gone',
        host: 'push.example',
      },
    );
    assert.equal((db.prepare('SELECT count(*) AS n FROM push_outbox').get() as { n: number }).n, 1);
    const indexes = db
      .prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'push_subscriptions' AND sql IS NOT NULL",
      )
      .all();
    assert.deepEqual(indexes.map((i) => i.name).sort(), ['push_subscriptions_user', 'push_subscriptions_user_used']);
    for (const locale of ['nl', 'da', 'sv', 'nb', 'fr', 'es', 'it', 'pl', 'hr']) {
      db.prepare(
        `INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, locale, created_at) VALUES (?, 'u1', ?, 'k', 'a', ?, 0)`,
      ).run(`s-${locale}`, `https://push.example/${locale}`, locale);
    }
    // Step 11's trigger came along: a new device's push service host is written with it.
    assert.equal(
      (db.prepare("SELECT host FROM push_subscriptions WHERE id = 's-hr'").get() as { host: string }).host,
      'push.example',
    );
    assert.throws(() =>
      db.exec(`INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, locale, created_at)
        VALUES ('sx', 'u1', 'https://push.example/x', 'k', 'a', 'xx', 0)`),
    );
    // The outbox still references the (new) table: removing the device takes its jobs along.
    db.exec(`DELETE FROM push_subscriptions WHERE id = 's1'`);
    assert.equal((db.prepare('SELECT count(*) AS n FROM push_outbox').get() as { n: number }).n, 0);
    assert.deepEqual(db.prepare('PRAGMA foreign_key_check').all(), []);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
