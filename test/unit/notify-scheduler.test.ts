// The coalescing rule with a hand-moved clock and a real SQLite database: debounce, sums,
// throttle, preferences at due time, restarts. No sleeping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { openDatabase, type Db } from '../../src/db.ts';
import { ManualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { createNotifyScheduler, type CoalescingRule } from '../../src/notify/scheduler.ts';
import { setCollaboratorChangesEnabled } from '../../src/notify/prefs.ts';

const RULE: CoalescingRule = { debounceMs: 5_000, throttleMs: 180_000 };

interface World {
  db: Db;
  clock: ManualClock;
  ownerId: string;
  logbookId: string;
  devices: string[];
  wakeups: number;
}

function world(options: { devices?: number; prefs?: boolean } = {}): World {
  const db = openDatabase(':memory:');
  const clock = new ManualClock();
  const ownerId = randomUUID();
  const logbookId = randomUUID();
  db.prepare('INSERT INTO users (id, username, created_at) VALUES (?, ?, 0)').run(ownerId, 'skipper');
  db.prepare("INSERT INTO logbooks (id, owner_id, meta, created_at) VALUES (?, ?, 'x', 0)").run(logbookId, ownerId);
  const devices: string[] = [];
  for (let i = 0; i < (options.devices ?? 1); i++) {
    const id = randomUUID();
    db.prepare(
      "INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, locale, created_at) VALUES (?, ?, ?, 'k', 'a', ?, 0)",
    ).run(id, ownerId, `https://push.example/${id}`, i % 2 ? 'de' : 'en');
    devices.push(id);
  }
  if (options.prefs !== false) setCollaboratorChangesEnabled(db, ownerId, true, 0);
  return { db, clock, ownerId, logbookId, devices, wakeups: 0 };
}

function scheduler(w: World, rule = RULE) {
  return createNotifyScheduler({ db: w.db, clock: w.clock, log: silentLogger, rule, onQueued: () => w.wakeups++ });
}

function outbox(w: World): { subscription_id: string; payload: any; topic: string }[] {
  return (w.db.prepare('SELECT subscription_id, payload, topic FROM push_outbox ORDER BY id').all() as any[]).map(
    (r) => ({ ...r, payload: JSON.parse(r.payload) }),
  );
}

test('first crew change: one notification after the debounce, to every device of the owner', () => {
  const w = world({ devices: 2 });
  const s = scheduler(w);
  s.record({ logbookId: w.logbookId, count: 1 });
  w.clock.advance(4_999);
  assert.equal(outbox(w).length, 0);
  w.clock.advance(1);
  const jobs = outbox(w);
  assert.deepEqual(jobs.map((j) => j.subscription_id).sort(), [...w.devices].sort());
  assert.equal(jobs[0]!.payload.data.changeCount, 1);
  assert.equal(jobs[0]!.payload.tag, `logbook-${w.logbookId}`);
  assert.equal(jobs[0]!.topic, w.logbookId.replace(/-/g, ''));
  assert.deepEqual(jobs.map((j) => j.payload.body).sort(), [
    'Neue Änderungen in einem deiner Logbücher.',
    'New changes in one of your logbooks.',
  ]);
  assert.equal(w.wakeups, 1);
  assert.equal(w.clock.pending, 0, 'no timer left once nothing is pending');
});

test('changes while pending add up and do not move the due time', () => {
  const w = world();
  const s = scheduler(w);
  s.record({ logbookId: w.logbookId, count: 10 });
  w.clock.advance(3_000);
  s.record({ logbookId: w.logbookId, count: 2 });
  w.clock.advance(2_000);
  const jobs = outbox(w);
  assert.equal(jobs.length, 1);
  assert.equal(jobs[0]!.payload.data.changeCount, 12);
  assert.equal(w.clock.pending, 0);
});

test('never two notifications for a logbook within the throttle: the trailing one carries the sum', () => {
  const w = world();
  const s = scheduler(w);
  s.record({ logbookId: w.logbookId, count: 1 });
  w.clock.advance(5_000); // sent at t = 5 s
  assert.equal(outbox(w).length, 1);
  w.clock.advance(10_000);
  s.record({ logbookId: w.logbookId, count: 3 });
  w.clock.advance(30_000);
  s.record({ logbookId: w.logbookId, count: 4 });
  const due = (w.db.prepare('SELECT due_at FROM notify_state').get() as { due_at: number }).due_at;
  assert.equal(due, w.clock.now() - 45_000 + 5_000 + 180_000, 'due = last sent + throttle');
  w.clock.advance(due - w.clock.now() - 1);
  assert.equal(outbox(w).length, 1, 'nothing before the throttle ends');
  w.clock.advance(1);
  const jobs = outbox(w);
  assert.equal(jobs.length, 2);
  assert.equal(jobs[1]!.payload.data.changeCount, 7);
});

test('a change after the throttle has passed waits only the debounce', () => {
  const w = world();
  const s = scheduler(w);
  s.record({ logbookId: w.logbookId, count: 1 });
  w.clock.advance(5_000);
  w.clock.advance(RULE.throttleMs);
  s.record({ logbookId: w.logbookId, count: 1 });
  w.clock.advance(4_999);
  assert.equal(outbox(w).length, 1, 'not before the debounce');
  w.clock.advance(1);
  assert.equal(outbox(w).length, 2);
});

test('preferences are read at due time: off then means no notification and no throttle', () => {
  const w = world();
  const s = scheduler(w);
  s.record({ logbookId: w.logbookId, count: 1 });
  setCollaboratorChangesEnabled(w.db, w.ownerId, false, w.clock.now());
  w.clock.advance(5_000);
  assert.equal(outbox(w).length, 0);
  assert.equal(w.wakeups, 0);
  const row = w.db.prepare('SELECT pending_count, due_at, last_sent_at FROM notify_state').get() as any;
  assert.deepEqual({ ...row }, { pending_count: 0, due_at: null, last_sent_at: null });
  // Turned on again: the next change notifies after the debounce alone.
  setCollaboratorChangesEnabled(w.db, w.ownerId, true, w.clock.now());
  s.record({ logbookId: w.logbookId, count: 2 });
  w.clock.advance(5_000);
  assert.equal(outbox(w)[0]!.payload.data.changeCount, 2);
});

test('one timer for many logbooks, re-armed for the next due one after firing', () => {
  const w = world();
  const second = randomUUID();
  w.db.prepare("INSERT INTO logbooks (id, owner_id, meta, created_at) VALUES (?, ?, 'x', 0)").run(second, w.ownerId);
  const s = scheduler(w, { debounceMs: 5_000, throttleMs: 60_000 });
  s.record({ logbookId: w.logbookId, count: 1 });
  w.clock.advance(2_000);
  s.record({ logbookId: second, count: 1 });
  s.record({ logbookId: w.logbookId, count: 1 });
  assert.equal(w.clock.pending, 1);
  w.clock.advance(3_000);
  assert.deepEqual(
    outbox(w).map((j) => j.payload.data.logbookId),
    [w.logbookId],
  );
  assert.equal(w.clock.pending, 1, 're-armed for the second logbook');
  w.clock.advance(2_000);
  assert.deepEqual(
    outbox(w).map((j) => j.payload.data.logbookId),
    [w.logbookId, second],
  );
});

test('pending rows survive a restart: a new scheduler fires what became due while it was down', () => {
  const w = world();
  const before = scheduler(w);
  before.record({ logbookId: w.logbookId, count: 5 });
  before.stop(); // the process dies
  w.clock.advance(60_000);
  assert.equal(outbox(w).length, 0);
  const after = scheduler(w);
  after.start();
  w.clock.advance(0);
  const jobs = outbox(w);
  assert.equal(jobs.length, 1);
  assert.equal(jobs[0]!.payload.data.changeCount, 5);
  w.clock.advance(600_000);
  assert.equal(outbox(w).length, 1, 'fired once');
});

test('a change count of zero records nothing', () => {
  const w = world();
  const s = scheduler(w);
  s.record({ logbookId: w.logbookId, count: 0 });
  assert.equal((w.db.prepare('SELECT COUNT(*) AS n FROM notify_state').get() as { n: number }).n, 0);
  assert.equal(w.clock.pending, 0);
});

test('a failed run keeps the changes pending and tries again 5 s later, not in a loop', () => {
  const w = world();
  const s = scheduler(w);
  s.record({ logbookId: w.logbookId, count: 2 });
  w.db.exec('ALTER TABLE notify_prefs RENAME TO notify_prefs_away'); // the next run fails
  w.clock.advance(5_000);
  assert.equal(outbox(w).length, 0);
  assert.equal(
    (w.db.prepare('SELECT pending_count FROM notify_state').get() as { pending_count: number }).pending_count,
    2,
  );
  assert.equal(w.clock.pending, 1, 'one retry timer');
  w.db.exec('ALTER TABLE notify_prefs_away RENAME TO notify_prefs');
  w.clock.advance(4_999);
  assert.equal(outbox(w).length, 0);
  w.clock.advance(1);
  assert.equal(outbox(w)[0]!.payload.data.changeCount, 2);
});
