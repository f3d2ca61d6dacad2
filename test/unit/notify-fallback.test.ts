// Email instead of push, on a hand-moved clock and a real SQLite database: a recipient with a
// verified address and no device that can take a push gets one email row when their row falls
// due, held by their quiet hours like a push, at most one per email throttle per logbook, none
// when emailWhenNoPush is off, the address unverified, or the recipient has no SMTP at all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { openDatabase } from '../../src/db.ts';
import { ManualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { createNotifyScheduler } from '../../src/notify/scheduler.ts';
import { updateNotifyPrefs } from '../../src/notify/prefs.ts';
import { mateAboard } from '../helpers/mate-aboard.ts';
import { requestAddress, verifyAddress } from '../../src/email/addresses.ts';

const RULE = { debounceMs: 5_000, throttleMs: 180_000 };
const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);

function world(options: { smtp?: boolean; verified?: boolean; kick?: boolean } = {}) {
  const db = openDatabase(':memory:');
  const clock = new ManualClock(at('2026-06-12T10:00:00Z'));
  const { skipper, mate, logbookId } = mateAboard(db);
  const link = requestAddress(db, mate, 'mate@boat.example', 'en', clock.now());
  if (options.verified !== false && 'token' in link) verifyAddress(db, link.token, clock.now());
  let emailKicks = 0;
  const scheduler = createNotifyScheduler({
    db,
    clock,
    log: silentLogger,
    rule: RULE,
    onQueued: () => {},
    email: options.smtp === false ? undefined : { throttleMs: HOUR },
    onEmailQueued: options.kick === false ? undefined : () => emailKicks++,
  });
  const emails = () =>
    db
      .prepare("SELECT user_id AS userId, path FROM email_outbox WHERE kind = 'changes'")
      .all()
      .map((r) => ({ ...r }));
  const skipperWrites = () => scheduler.record({ logbookId, count: 1, writerId: skipper });
  return { db, clock, mate, skipper, logbookId, emails, skipperWrites, kicks: () => emailKicks };
}

test('no device: one email row for the recipient when the row falls due, with the logbook link; the writer gets none', () => {
  const w = world();
  w.skipperWrites();
  w.clock.advance(4_999);
  assert.deepEqual(w.emails(), []);
  w.clock.advance(1);
  assert.deepEqual(w.emails(), [{ userId: w.mate, path: `/logbook/${w.logbookId}` }]);
  assert.equal(w.kicks(), 1, 'the email worker was woken');
});

test('at most one email per throttle per logbook; one throttle after the last email, the next one goes', () => {
  const w = world();
  w.skipperWrites();
  w.clock.advance(5_000);
  const firstEmailAt = w.clock.now();
  w.skipperWrites();
  w.clock.advance(RULE.throttleMs);
  assert.equal(w.emails().length, 1, 'the second notification fell due inside the email throttle');
  assert.equal(w.kicks(), 1, 'the email worker was not woken for the one held back');
  w.clock.advance(firstEmailAt + HOUR - RULE.debounceMs - w.clock.now());
  w.skipperWrites();
  w.clock.advance(RULE.debounceMs - 1);
  assert.equal(w.emails().length, 1);
  w.clock.advance(1);
  assert.equal(w.clock.now(), firstEmailAt + HOUR);
  assert.equal(w.emails().length, 2, 'due exactly one email throttle after the first email');
});

test("quiet hours hold the email like a push: it goes at their end, by the recipient's clock", () => {
  const w = world();
  updateNotifyPrefs(w.db, w.mate, { quietHours: { from: '22:00', to: '07:00', timeZone: 'Europe/Berlin' } }, 0);
  w.clock.advance(at('2026-06-12T21:30:00Z') - w.clock.now()); // 23:30 in Berlin
  w.skipperWrites();
  w.clock.advance(at('2026-06-13T04:59:00Z') - w.clock.now());
  assert.deepEqual(w.emails(), [], 'held through the night');
  w.clock.advance(60_000); // 07:00 in Berlin
  assert.equal(w.emails().length, 1);
});

test('none when a device can take the push, emailWhenNoPush is off, the address is unverified, or no SMTP', () => {
  const withDevice = world();
  withDevice.db
    .prepare(
      "INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, locale, created_at) VALUES (?, ?, 'https://push.example/1', 'k', 'a', 'en', 0)",
    )
    .run(randomUUID(), withDevice.mate);
  withDevice.skipperWrites();
  withDevice.clock.advance(5_000);
  assert.equal(withDevice.db.prepare('SELECT COUNT(*) AS n FROM push_outbox').get()!.n, 1, 'the push went');
  assert.deepEqual(withDevice.emails(), []);
  assert.equal(withDevice.kicks(), 0, 'the email worker was not woken');
  // The same device refused for good: the next notification is an email.
  withDevice.db.prepare('UPDATE push_subscriptions SET permanent_failures = 1').run();
  withDevice.skipperWrites();
  withDevice.clock.advance(RULE.throttleMs);
  assert.equal(withDevice.emails().length, 1);

  const off = world();
  updateNotifyPrefs(off.db, off.mate, { emailWhenNoPush: false }, 0);
  off.skipperWrites();
  off.clock.advance(5_000);
  assert.deepEqual(off.emails(), []);
  assert.equal(off.kicks(), 0);

  const unverified = world({ verified: false });
  unverified.skipperWrites();
  unverified.clock.advance(5_000);
  assert.deepEqual(unverified.emails(), []);
  assert.equal(unverified.kicks(), 0);

  const noSmtp = world({ smtp: false });
  noSmtp.skipperWrites();
  noSmtp.clock.advance(5_000);
  assert.deepEqual(noSmtp.emails(), []);
  assert.equal(noSmtp.clock.pending, 0, 'the row was cleared, no retry armed');
});

test('an email starts the push throttle too: a device added after it gets the next change one throttle after the email', () => {
  const w = world();
  w.skipperWrites();
  w.clock.advance(5_000);
  const emailedAt = w.clock.now();
  assert.equal(w.emails().length, 1);
  w.db
    .prepare(
      "INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, locale, created_at) VALUES (?, ?, 'https://push.example/1', 'k', 'a', 'en', 0)",
    )
    .run(randomUUID(), w.mate);
  w.skipperWrites();
  const pushes = () => w.db.prepare('SELECT COUNT(*) AS n FROM push_outbox').get()!.n;
  w.clock.advance(emailedAt + RULE.throttleMs - 1 - w.clock.now());
  assert.equal(pushes(), 0);
  w.clock.advance(1);
  assert.equal(pushes(), 1);
});

test('without an email worker to wake, the email is still queued and the round ends cleanly', () => {
  const w = world({ kick: false });
  w.skipperWrites();
  w.clock.advance(5_000);
  assert.equal(w.emails().length, 1);
  assert.equal(w.clock.pending, 0, 'no retry armed');
});
