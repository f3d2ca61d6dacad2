// The scheduler's details on a hand-moved clock and a real SQLite database: which crew a
// notification names (five at most, none that no longer exist), the counts of an update-only
// batch, one timer kept on the earliest due time, and nothing armed after stop().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { openDatabase } from '../../src/db.ts';
import { ManualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { createNotifyScheduler, MAX_CREW_NAMED } from '../../src/notify/scheduler.ts';
import { setCollaboratorChangesEnabled } from '../../src/push/prefs.ts';

const RULE = { debounceMs: 5_000, throttleMs: 180_000 };

function world() {
  const db = openDatabase(':memory:');
  const clock = new ManualClock();
  const ownerId = randomUUID();
  db.prepare("INSERT INTO users (id, username, created_at) VALUES (?, 'skipper', 0)").run(ownerId);
  const logbook = () => {
    const id = randomUUID();
    db.prepare("INSERT INTO logbooks (id, owner_id, meta, created_at) VALUES (?, ?, 'x', 0)").run(id, ownerId);
    return id;
  };
  const crewMember = (username: string) => {
    const id = randomUUID();
    db.prepare('INSERT INTO users (id, username, created_at) VALUES (?, ?, 0)').run(id, username);
    return id;
  };
  db.prepare(
    "INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, locale, created_at) VALUES (?, ?, 'https://push.example/1', 'k', 'a', 'en', 0)",
  ).run(randomUUID(), ownerId);
  setCollaboratorChangesEnabled(db, ownerId, true, 0);
  const scheduler = createNotifyScheduler({ db, clock, log: silentLogger, rule: RULE, onQueued: () => {} });
  const sent = () =>
    (db.prepare('SELECT payload FROM push_outbox ORDER BY id').all() as { payload: string }[]).map(
      (r) => JSON.parse(r.payload).data,
    );
  return { db, clock, ownerId, logbook, crewMember, scheduler, sent };
}

test(`a notification names at most ${MAX_CREW_NAMED} crew members, the first to write, each once`, () => {
  const w = world();
  const logbookId = w.logbook();
  const names = ['anna', 'ben', 'carla', 'dirk', 'eva', 'finn', 'greta'];
  const ids = names.map((n) => w.crewMember(n));
  for (const crewId of [ids[0], ...ids])
    w.scheduler.record({
      ownerId: w.ownerId,
      logbookId,
      count: 1,
      counts: { create: 1, update: 0, delete: 0 },
      crewId,
    });
  w.clock.advance(RULE.debounceMs);
  const [data] = w.sent();
  assert.equal(data.changeCount, 8);
  assert.deepEqual(data.by, ['anna', 'ben', 'carla', 'dirk', 'eva']);
});

test('a crew member whose account is gone before the notification fires is left out of it', () => {
  const w = world();
  const logbookId = w.logbook();
  const anna = w.crewMember('anna');
  const ben = w.crewMember('ben');
  for (const crewId of [anna, ben])
    w.scheduler.record({
      ownerId: w.ownerId,
      logbookId,
      count: 1,
      counts: { create: 1, update: 0, delete: 0 },
      crewId,
    });
  w.db.prepare('DELETE FROM users WHERE id = ?').run(anna);
  w.clock.advance(RULE.debounceMs);
  assert.deepEqual(w.sent()[0].by, ['ben']);
});

test('the counts of a batch of updates alone, or deletes alone, are in the message', () => {
  const w = world();
  const updated = w.logbook();
  const deleted = w.logbook();
  const ben = w.crewMember('ben');
  w.scheduler.record({
    ownerId: w.ownerId,
    logbookId: updated,
    count: 2,
    counts: { create: 0, update: 2, delete: 0 },
    crewId: ben,
  });
  w.scheduler.record({
    ownerId: w.ownerId,
    logbookId: deleted,
    count: 3,
    counts: { create: 0, update: 0, delete: 3 },
    crewId: ben,
  });
  w.clock.advance(RULE.debounceMs);
  const sent = w.sent();
  assert.deepEqual(sent.find((d) => d.logbookId === updated).counts, { create: 0, update: 2, delete: 0 });
  assert.deepEqual(sent.find((d) => d.logbookId === deleted).counts, { create: 0, update: 0, delete: 3 });
});

test("a later due time of another logbook does not hold back the earlier one's notification", () => {
  const w = world();
  const first = w.logbook();
  const second = w.logbook();
  w.scheduler.record({ ownerId: w.ownerId, logbookId: first, count: 1 });
  w.clock.advance(2_000);
  w.scheduler.record({ ownerId: w.ownerId, logbookId: second, count: 1 });
  assert.equal(w.clock.pending, 1, 'one timer');
  w.clock.advance(2_999);
  assert.deepEqual(w.sent(), []);
  w.clock.advance(1);
  assert.deepEqual(
    w.sent().map((d) => d.logbookId),
    [first],
    'the first at its own due time, 5 s after its change',
  );
  w.clock.advance(2_000);
  assert.deepEqual(
    w.sent().map((d) => d.logbookId),
    [first, second],
  );
});

test('arming an earlier time replaces the timer instead of adding one', () => {
  const w = world();
  const logbookId = w.logbook();
  w.scheduler.record({ ownerId: w.ownerId, logbookId, count: 1 });
  w.scheduler.armAt(w.clock.now() + 1_000);
  assert.equal(w.clock.pending, 1);
  w.clock.advance(1_000);
  assert.deepEqual(w.sent(), [], 'nothing was due yet at 1 s');
  assert.equal(w.clock.pending, 1, 're-armed for the change, due at 5 s');
  w.clock.advance(4_000);
  assert.equal(w.sent().length, 1);
});

test('stop() clears the timer, and nothing arms one afterwards', () => {
  const w = world();
  const logbookId = w.logbook();
  w.scheduler.record({ ownerId: w.ownerId, logbookId, count: 1 });
  assert.equal(w.clock.pending, 1);
  w.scheduler.stop();
  assert.equal(w.clock.pending, 0);
  w.scheduler.record({ ownerId: w.ownerId, logbookId: w.logbook(), count: 1 });
  w.scheduler.armAt(w.clock.now());
  w.scheduler.start();
  assert.equal(w.clock.pending, 0);
  w.clock.advance(RULE.throttleMs);
  assert.deepEqual(w.sent(), []);
});
