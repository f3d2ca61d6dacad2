// The scheduler's details on a hand-moved clock and a real SQLite database: which crew a
// notification names (five at most, none that no longer exist, the skipper marked as such),
// the counts of an update-only batch, one timer kept on the earliest due time, and nothing
// armed after stop().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { openDatabase } from '../../src/db.ts';
import { ManualClock } from '../../src/clock.ts';
import { silentLogger, type Logger } from '../../src/log.ts';
import { createMetrics } from '../../src/metrics.ts';
import { createNotifyScheduler, MAX_CREW_NAMED } from '../../src/notify/scheduler.ts';
import { setCollaboratorChangesEnabled } from '../../src/notify/prefs.ts';
import { setLogbookNotifications } from '../../src/notify/mutes.ts';

const RULE = { debounceMs: 5_000, throttleMs: 180_000 };

function world(options: { log?: Logger; metrics?: ReturnType<typeof createMetrics>; start?: number } = {}) {
  const db = openDatabase(':memory:');
  const clock = new ManualClock(options.start);
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
  /** A crew member joins the logbook as a writer and wants its changes by others, with a device or without. */
  const aboard = (logbookId: string, userId: string, device: boolean) => {
    db.prepare("INSERT INTO logbook_members (logbook_id, user_id, role, joined_at) VALUES (?, ?, 'WRITE', 0)").run(
      logbookId,
      userId,
    );
    setLogbookNotifications(db, userId, logbookId, true, 0);
    setCollaboratorChangesEnabled(db, userId, true, 0);
    if (device)
      db.prepare(
        "INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, locale, created_at) VALUES (?, ?, 'https://push.example/2', 'k', 'a', 'en', 0)",
      ).run(randomUUID(), userId);
  };
  const scheduler = createNotifyScheduler({
    db,
    clock,
    log: options.log ?? silentLogger,
    metrics: options.metrics,
    rule: RULE,
    onQueued: () => {},
  });
  const sent = () =>
    (db.prepare('SELECT payload FROM push_outbox ORDER BY id').all() as { payload: string }[]).map(
      (r) => JSON.parse(r.payload).data,
    );
  return { db, clock, ownerId, logbook, crewMember, aboard, scheduler, sent };
}

test(`a notification names at most ${MAX_CREW_NAMED} crew members, the first to write, each once`, () => {
  const w = world();
  const logbookId = w.logbook();
  const names = ['anna', 'ben', 'carla', 'dirk', 'eva', 'finn', 'greta'];
  const ids = names.map((n) => w.crewMember(n));
  for (const crewId of [ids[0], ...ids])
    w.scheduler.record({
      logbookId,
      count: 1,
      counts: { create: 1, update: 0, delete: 0 },
      writerId: crewId,
    });
  w.clock.advance(RULE.debounceMs);
  const [data] = w.sent();
  assert.equal(data.changeCount, 8);
  assert.deepEqual(data.by, ['anna', 'ben', 'carla', 'dirk', 'eva']);
});

test("a notification names the skipper as such when they are among the writers, and names no skipper when they aren't", () => {
  const w = world();
  const logbookId = w.logbook();
  const anna = w.crewMember('anna');
  const ben = w.crewMember('ben');
  w.aboard(logbookId, anna, true);
  w.scheduler.record({ logbookId, count: 1, writerId: w.ownerId });
  w.scheduler.record({ logbookId, count: 1, writerId: ben });
  w.clock.advance(RULE.debounceMs);
  const toAnna = w.sent().find((d) => d.changeCount === 2);
  const toSkipper = w.sent().find((d) => d.changeCount === 1);
  assert.deepEqual([toAnna.by, toAnna.skipper], [['skipper', 'ben'], 'skipper']);
  assert.deepEqual(toSkipper.by, ['ben']);
  assert.equal('skipper' in toSkipper, false);
});

test('a crew member whose account is gone before the notification fires is left out of it', () => {
  const w = world();
  const logbookId = w.logbook();
  const anna = w.crewMember('anna');
  const ben = w.crewMember('ben');
  for (const crewId of [anna, ben])
    w.scheduler.record({
      logbookId,
      count: 1,
      counts: { create: 1, update: 0, delete: 0 },
      writerId: crewId,
    });
  w.db.prepare('DELETE FROM users WHERE id = ?').run(anna);
  w.clock.advance(RULE.debounceMs);
  assert.deepEqual(w.sent()[0].by, ['ben']);
});

test('a crew member removed from the logbook before the notification falls due gets none; the skipper still gets theirs', () => {
  const w = world();
  const logbookId = w.logbook();
  const [anna, ben] = [w.crewMember('anna'), w.crewMember('ben')];
  w.aboard(logbookId, anna, true);
  w.aboard(logbookId, ben, false);
  w.scheduler.record({ logbookId, count: 1, writerId: ben });
  w.db.prepare('DELETE FROM logbook_members WHERE user_id = ?').run(anna);
  w.clock.advance(RULE.debounceMs);
  const jobs = w.db
    .prepare('SELECT s.user_id AS userId FROM push_outbox o JOIN push_subscriptions s ON s.id = o.subscription_id')
    .all();
  assert.deepEqual(
    jobs.map((j) => j.userId),
    [w.ownerId],
  );
  assert.equal(w.db.prepare('SELECT COUNT(*) AS n FROM notify_state WHERE due_at IS NOT NULL').get()!.n, 0, 'cleared');
});

test('the counts of a batch of updates alone, or deletes alone, are in the message', () => {
  const w = world();
  const updated = w.logbook();
  const deleted = w.logbook();
  const ben = w.crewMember('ben');
  w.scheduler.record({
    logbookId: updated,
    count: 2,
    counts: { create: 0, update: 2, delete: 0 },
    writerId: ben,
  });
  w.scheduler.record({
    logbookId: deleted,
    count: 3,
    counts: { create: 0, update: 0, delete: 3 },
    writerId: ben,
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
  w.scheduler.record({ logbookId: first, count: 1 });
  w.clock.advance(2_000);
  w.scheduler.record({ logbookId: second, count: 1 });
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

test("the timer is armed for the earliest of a change's recipients, whichever of them comes first", () => {
  // Two recipients, one still in their throttle: first the skipper, then the crew member.
  for (const throttled of ['skipper', 'anna'] as const) {
    const w = world();
    const logbookId = w.logbook();
    const anna = w.crewMember('anna');
    w.aboard(logbookId, anna, true);
    const [late, early] = throttled === 'skipper' ? [w.ownerId, anna] : [anna, w.ownerId];
    w.db
      .prepare(
        "INSERT INTO notify_state (user_id, logbook_id, pending_count, pending_creates, pending_updates, pending_deletes, pending_crew, due_at, last_sent_at) VALUES (?, ?, 0, 0, 0, 0, '[]', NULL, ?)",
      )
      .run(late, logbookId, w.clock.now());
    w.scheduler.record({ logbookId, count: 1, writerId: w.crewMember('ben') });
    w.clock.advance(RULE.debounceMs);
    const reached = w.db
      .prepare('SELECT s.user_id AS userId FROM push_outbox o JOIN push_subscriptions s ON s.id = o.subscription_id')
      .all()
      .map((j) => j.userId);
    assert.deepEqual(reached, [early], `${throttled} throttled: the other one's notification after the debounce`);
  }
});

test("a recipient never notified before is not throttled, even at the clock's start (time 0)", () => {
  const w = world({ start: 0 });
  const logbookId = w.logbook();
  w.scheduler.record({ logbookId, count: 1 });
  w.clock.advance(RULE.debounceMs);
  assert.equal(w.sent().length, 1);
});

test('arming an earlier time replaces the timer instead of adding one', () => {
  const w = world();
  const logbookId = w.logbook();
  w.scheduler.record({ logbookId, count: 1 });
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
  w.scheduler.record({ logbookId, count: 1 });
  assert.equal(w.clock.pending, 1);
  w.scheduler.stop();
  assert.equal(w.clock.pending, 0);
  w.scheduler.record({ logbookId: w.logbook(), count: 1 });
  w.scheduler.armAt(w.clock.now());
  w.scheduler.start();
  assert.equal(w.clock.pending, 0);
  w.clock.advance(RULE.throttleMs);
  assert.deepEqual(w.sent(), []);
});

/** A logger that keeps its lines. */
function recordingLog() {
  const lines: Array<{ level: string; message: string; fields: unknown }> = [];
  const keep = (level: string) => (message: string, fields?: unknown) => lines.push({ level, message, fields });
  return { lines, log: { info: keep('info'), warn: keep('warn'), error: keep('error') } as Logger };
}

test('a fired notification is logged with its logbooks and devices, and its changes counted in the metrics', async () => {
  const { lines, log } = recordingLog();
  const metrics = createMetrics(undefined, { defaults: false });
  const w = world({ log, metrics });
  w.scheduler.record({ logbookId: w.logbook(), count: 3 });
  w.clock.advance(RULE.debounceMs);
  assert.deepEqual(lines, [
    { level: 'info', message: 'changes by others notified', fields: { rows: 1, devices: 1, emails: 0 } },
  ]);
  assert.equal((await metrics.coalescedChanges.get()).values[0]?.value, 3);
});

test('a notification that reaches no device is not counted as coalesced changes', async () => {
  const metrics = createMetrics(undefined, { defaults: false });
  const w = world({ metrics });
  w.db.prepare('DELETE FROM push_subscriptions').run();
  w.scheduler.record({ logbookId: w.logbook(), count: 3 });
  w.clock.advance(RULE.debounceMs);
  assert.equal((await metrics.coalescedChanges.get()).values[0]?.value ?? 0, 0);
});

test('a failed run is logged as an error with its cause', () => {
  const { lines, log } = recordingLog();
  const w = world({ log });
  w.scheduler.record({ logbookId: w.logbook(), count: 1 });
  w.db.exec('ALTER TABLE notify_prefs RENAME TO notify_prefs_away');
  w.clock.advance(RULE.debounceMs);
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!.level, 'error');
  assert.equal(lines[0]!.message, 'notification scheduler failed; retrying in 5 s');
  assert.match(String((lines[0]!.fields as { error: string }).error), /notify_prefs/);
});

test('a timer that fires after the database was closed does nothing: no error, no retry', () => {
  const { lines, log } = recordingLog();
  const w = world({ log });
  w.scheduler.record({ logbookId: w.logbook(), count: 1 });
  w.db.close();
  w.clock.advance(RULE.debounceMs);
  assert.deepEqual(lines, []);
  assert.equal(w.clock.pending, 0);
});

test('changes recorded without counts by action make a message without counts', () => {
  const w = world();
  const logbookId = w.logbook();
  w.scheduler.record({ logbookId, count: 2, writerId: w.crewMember('anna') });
  w.clock.advance(RULE.debounceMs);
  assert.deepEqual(w.sent(), [{ url: `/logbook/${logbookId}`, logbookId, changeCount: 2, by: ['anna'] }]);
});

test('a due row with nothing pending is cleared without a notification', () => {
  const w = world();
  const logbookId = w.logbook();
  w.db
    .prepare(
      "INSERT INTO notify_state (user_id, logbook_id, pending_count, pending_creates, pending_updates, pending_deletes, pending_crew, due_at) VALUES (?, ?, 0, 0, 0, 0, '[]', ?)",
    )
    .run(w.ownerId, logbookId, w.clock.now());
  w.scheduler.start();
  w.clock.advance(0);
  assert.deepEqual(w.sent(), []);
  const row = w.db.prepare('SELECT due_at, last_sent_at FROM notify_state').get() as object;
  assert.deepEqual({ ...row }, { due_at: null, last_sent_at: null });
});

test('start() with nothing pending arms no timer', () => {
  const w = world();
  w.scheduler.start();
  assert.equal(w.clock.pending, 0);
});

test('a timer that finds nothing due logs nothing', () => {
  const { lines, log } = recordingLog();
  const w = world({ log });
  w.scheduler.armAt(w.clock.now() + 1_000);
  w.clock.advance(1_000);
  assert.deepEqual(lines, []);
});
