// The email after a change notification no device took (src/notify/undelivered.ts), on a real
// SQLite database and a hand-moved clock: the scheduler queues the push for the recipient's one
// device, then the worker's answer is played by hand (the job dropped, the device gone, refused
// or failing). An email row follows only when the job is out of the outbox, the message was a
// crew change, the recipient still wants email and the logbook, and no device is healthy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { openDatabase } from '../../src/db.ts';
import { ManualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { createNotifyScheduler } from '../../src/notify/scheduler.ts';
import { setLogbookNotifications } from '../../src/notify/mutes.ts';
import { updateNotifyPrefs } from '../../src/notify/prefs.ts';
import { mateAboard } from '../helpers/mate-aboard.ts';
import { requestAddress, verifyAddress } from '../../src/email/addresses.ts';
import { changedLogbookOf, emailForUndelivered } from '../../src/notify/undelivered.ts';
import { countFailure, countPermanentFailure, removeGoneSubscription } from '../../src/push/subscriptions.ts';
import { deleteJob } from '../../src/push/outbox.ts';
import type { SendOutcome } from '../../src/push/outcome.ts';

const HOUR = 3_600_000;
const FALLBACK = { throttleMs: HOUR };
const GONE: SendOutcome = { kind: 'gone', status: 410 };

interface Job {
  id: number;
  userId: string;
  payload: string;
  subscriptionId: string;
}

/** A skipper, a mate with one device and a verified address who wants email and the logbook's changes. */
function world() {
  const db = openDatabase(':memory:');
  const clock = new ManualClock(Date.parse('2026-06-12T10:00:00Z'));
  const device = randomUUID();
  const { skipper, mate, logbookId } = mateAboard(db, { emailWhenNoPush: true });
  db.prepare(
    "INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, locale, created_at) VALUES (?, ?, 'https://push.example/1', 'k', 'a', 'en', 0)",
  ).run(device, mate);
  const link = requestAddress(db, mate, 'mate@boat.example', 'en', clock.now());
  if ('token' in link) verifyAddress(db, link.token, clock.now());
  const scheduler = createNotifyScheduler({
    db,
    clock,
    log: silentLogger,
    rule: { debounceMs: 5_000, throttleMs: 60_000 },
    onQueued: () => {},
    email: FALLBACK,
    onEmailQueued: () => {},
  });
  /** The skipper writes; the notification falls due and its push job is queued for the mate's device. */
  const notified = (): Job => {
    scheduler.record({ logbookId, count: 1, writerId: skipper });
    clock.advance(HOUR);
    const job = db
      .prepare(
        `SELECT o.id, s.user_id AS userId, o.payload, o.subscription_id AS subscriptionId
           FROM push_outbox o JOIN push_subscriptions s ON s.id = o.subscription_id ORDER BY o.id DESC LIMIT 1`,
      )
      .get() as unknown as Job;
    assert.ok(job, 'a push job for the mate');
    return { ...job };
  };
  const emails = () => db.prepare("SELECT user_id AS userId, path FROM email_outbox WHERE kind = 'changes'").all();
  const answered = (job: Job, outcome: SendOutcome = GONE) =>
    emailForUndelivered(db, FALLBACK, job, outcome, clock.now());
  return { db, clock, mate, logbookId, device, notified, emails, answered };
}

test('the device gone: the job dropped with it, the email to the logbook follows, once per throttle', () => {
  const w = world();
  const job = w.notified();
  assert.equal(w.emails().length, 0, 'a device could take it: no email when it fell due');
  removeGoneSubscription(w.db, job.subscriptionId);
  assert.equal(w.answered(job), true);
  assert.deepEqual(
    w.emails().map((e) => ({ ...e })),
    [{ userId: w.mate, path: `/logbook/${w.logbookId}` }],
  );
  // The next failure within the throttle adds none.
  assert.equal(w.answered(job), false);
  assert.equal(w.emails().length, 1);
});

test('refused for good, or out of retries with the device failing: the email follows', () => {
  const refused = world();
  const job = refused.notified();
  deleteJob(refused.db, job.id);
  countPermanentFailure(refused.db, job.subscriptionId, 'HTTP 403', refused.clock.now());
  assert.equal(refused.answered(job, { kind: 'failed', status: 403, reason: 'HTTP 403' }), true);

  const outOfRetries = world();
  const last = outOfRetries.notified();
  countFailure(outOfRetries.db, last.subscriptionId, 'connection refused', outOfRetries.clock.now());
  deleteJob(outOfRetries.db, last.id);
  assert.equal(outOfRetries.answered(last, { kind: 'retry', reason: 'connection refused' }), true);
  assert.equal(outOfRetries.emails().length, 1);
});

test('no email while the job waits for a retry, after a delivery, or while another device is healthy', () => {
  const w = world();
  const job = w.notified();
  countFailure(w.db, job.subscriptionId, 'HTTP 503', w.clock.now());
  assert.equal(w.answered(job, { kind: 'retry', status: 503, reason: 'HTTP 503' }), false, 'still in the outbox');
  deleteJob(w.db, job.id);
  assert.equal(w.answered(job, { kind: 'success', status: 201 }), false, 'delivered');
  w.db
    .prepare(
      "INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, locale, created_at) VALUES (?, ?, 'https://push.example/2', 'k', 'a', 'en', 0)",
    )
    .run(randomUUID(), w.mate);
  removeGoneSubscription(w.db, job.subscriptionId);
  assert.equal(w.answered(job), false, 'the second device is healthy');
  assert.equal(w.emails().length, 0);
});

test('no email when the recipient turned email off, muted the logbook, or left it', () => {
  for (const change of ['email off', 'muted', 'left'] as const) {
    const w = world();
    const job = w.notified();
    removeGoneSubscription(w.db, job.subscriptionId);
    if (change === 'email off') updateNotifyPrefs(w.db, w.mate, { emailWhenNoPush: false }, 0);
    if (change === 'muted') setLogbookNotifications(w.db, w.mate, w.logbookId, false, 0);
    if (change === 'left') w.db.prepare('DELETE FROM logbook_members WHERE user_id = ?').run(w.mate);
    assert.equal(w.answered(job), false, change);
    assert.equal(w.emails().length, 0, change);
  }
});

test('only crew-change messages count: watch and log reminders, tests and broadcasts do not', () => {
  const logbookId = randomUUID();
  const change = { title: 't', body: 'b', tag: `logbook-${logbookId}`, data: { url: '/', logbookId, changeCount: 2 } };
  assert.equal(changedLogbookOf(JSON.stringify(change)), logbookId);
  for (const data of [
    { url: '/', logbookId, changeCount: 1, kind: 'watch' },
    { url: '/', logbookId, kind: 'log' },
    { url: '/settings' },
    { url: '/', kind: 'broadcast' },
    { url: '/', logbookId: 7, changeCount: 1 },
    { url: '/', logbookId },
  ])
    assert.equal(changedLogbookOf(JSON.stringify({ ...change, data })), undefined, JSON.stringify(data));
  assert.equal(changedLogbookOf('not json'), undefined);
  assert.equal(changedLogbookOf('{}'), undefined);
  // A message of another kind dropped for good: no email either.
  const w = world();
  const job = w.notified();
  removeGoneSubscription(w.db, job.subscriptionId);
  assert.equal(w.answered({ ...job, payload: JSON.stringify({ ...change, data: { url: '/settings' } }) }), false);
});
