// The schema step for "every member is notified" keeps what owners had: their prefs (account
// switch, quiet hours), their pending coalescing rows (counts, crew, due time, last sent) and
// their mutes; after it, a pending row of before the upgrade fires as it would have.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { rmSync } from 'node:fs';
import { openDatabase } from '../../src/db.ts';
import { ManualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { createNotifyScheduler } from '../../src/notify/scheduler.ts';
import { notifyPrefs } from '../../src/notify/prefs.ts';
import { logbookNotificationsEnabled } from '../../src/notify/mutes.ts';
import { tempDir } from '../helpers/server.ts';

/** The last step before this one (its tables as they were). */
const BEFORE = 7;

test("upgrading keeps every owner's prefs, pending rows and mutes; crew get the new default; a pending row still fires", () => {
  const dir = tempDir();
  const file = path.join(dir, 'crewbell.db');
  try {
    const old = openDatabase(file, { schemaVersion: BEFORE });
    old.exec(`
      INSERT INTO users (id, username, created_at) VALUES ('owner', 'skipper', 0), ('crew', 'anna', 0), ('reader', 'ben', 0);
      INSERT INTO logbooks (id, owner_id, meta, created_at) VALUES ('l1', 'owner', 'm', 0), ('l2', 'owner', 'm', 0);
      INSERT INTO logbook_members (logbook_id, user_id, role, joined_at) VALUES ('l1', 'crew', 'WRITE', 0), ('l1', 'reader', 'READ', 0);
      INSERT INTO push_prefs (user_id, collaborator_changes_enabled, quiet_from, quiet_to, quiet_time_zone, updated_at)
        VALUES ('owner', 1, '22:00', '07:00', 'Europe/Berlin', 5);
      INSERT INTO notify_state (owner_id, logbook_id, pending_count, pending_creates, pending_updates, pending_deletes, pending_crew, due_at, last_sent_at)
        VALUES ('owner', 'l1', 3, 2, 1, 0, '["crew"]', 1000, 500);
      INSERT INTO notify_muted_logbooks (user_id, logbook_id, muted_at) VALUES ('owner', 'l2', 7), ('reader', 'l1', 8);
      INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, locale, created_at)
        VALUES ('s1', 'owner', 'https://push.example/1', 'k', 'a', 'de', 0);
    `);
    old.close();

    const db = openDatabase(file);
    assert.deepEqual(notifyPrefs(db, 'owner'), {
      collaboratorChangesEnabled: true,
      quietHours: { from: '22:00', to: '07:00', timeZone: 'Europe/Berlin' },
      emailWhenNoPush: true,
    });
    assert.deepEqual(
      { ...db.prepare('SELECT * FROM notify_state').get() },
      {
        user_id: 'owner',
        logbook_id: 'l1',
        pending_count: 3,
        pending_creates: 2,
        pending_updates: 1,
        pending_deletes: 0,
        pending_crew: '["crew"]',
        due_at: 1000,
        last_sent_at: 500,
        last_email_at: null,
      },
    );
    assert.equal(logbookNotificationsEnabled(db, 'owner', 'l1'), true, "the owner's default stays on");
    assert.equal(logbookNotificationsEnabled(db, 'owner', 'l2'), false, 'a mute stays a mute');
    assert.equal(logbookNotificationsEnabled(db, 'crew', 'l1'), false, 'crew start muted');
    assert.equal(logbookNotificationsEnabled(db, 'reader', 'l1'), false);
    assert.equal(
      db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name IN ('push_prefs', 'notify_muted_logbooks')").get()!
        .n,
      0,
    );

    // The row was due at 1000 (outside quiet hours at noon UTC): it fires on start, to the owner's device.
    const clock = new ManualClock(Date.parse('2026-06-12T12:00:00Z'));
    const scheduler = createNotifyScheduler({
      db,
      clock,
      log: silentLogger,
      rule: { debounceMs: 5_000, throttleMs: 180_000 },
      onQueued: () => {},
    });
    scheduler.start();
    clock.advance(0);
    const jobs = db.prepare('SELECT subscription_id, payload FROM push_outbox').all() as {
      subscription_id: string;
      payload: string;
    }[];
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0]!.subscription_id, 's1');
    const message = JSON.parse(jobs[0]!.payload);
    assert.equal(message.body, 'Neue Änderungen in einem deiner Logbücher.');
    assert.deepEqual(message.data.counts, { create: 2, update: 1, delete: 0 });
    assert.deepEqual(message.data.by, ['anna']);
    scheduler.stop();
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
