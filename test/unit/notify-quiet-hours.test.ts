// The owner's control over the coalescing rule, on a hand-moved clock and a real SQLite
// database: quiet hours in the owner's zone (across midnight, both daylight-saving nights),
// a muted logbook, and what the message says about the changes (counts by action, crew).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { openDatabase, type Db } from '../../src/db.ts';
import { ManualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { createNotifyScheduler } from '../../src/notify/scheduler.ts';
import { setLogbookNotifications } from '../../src/notify/mutes.ts';
import {
  cachedZones,
  isQuiet,
  MAX_CACHED_ZONES,
  quietHoursEnd,
  wallClockMinutes,
} from '../../src/notify/quiet-hours.ts';
import { notifyPrefs, updateNotifyPrefs, type QuietHours } from '../../src/notify/prefs.ts';

const RULE = { debounceMs: 5_000, throttleMs: 180_000 };
const NIGHT: QuietHours = { from: '22:00', to: '07:00', timeZone: 'Europe/Berlin' };
const at = (iso: string) => Date.parse(iso);

function world(start: string, quietHours: QuietHours | null = NIGHT) {
  const db: Db = openDatabase(':memory:');
  const clock = new ManualClock(at(start));
  const ownerId = randomUUID();
  const logbookId = randomUUID();
  const crew = { anna: randomUUID(), ben: randomUUID() };
  db.prepare('INSERT INTO users (id, username, created_at) VALUES (?, ?, 0)').run(ownerId, 'skipper');
  for (const [name, id] of Object.entries(crew))
    db.prepare('INSERT INTO users (id, username, created_at) VALUES (?, ?, 0)').run(id, name);
  db.prepare("INSERT INTO logbooks (id, owner_id, meta, created_at) VALUES (?, ?, 'x', 0)").run(logbookId, ownerId);
  db.prepare(
    "INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, locale, created_at) VALUES (?, ?, 'https://push.example/1', 'k', 'a', 'en', 0)",
  ).run(randomUUID(), ownerId);
  updateNotifyPrefs(db, ownerId, { collaboratorChangesEnabled: true, quietHours }, 0);
  const scheduler = createNotifyScheduler({ db, clock, log: silentLogger, rule: RULE, onQueued: () => {} });
  const write = (who: keyof typeof crew, counts = { create: 1, update: 0, delete: 0 }) =>
    scheduler.record({
      logbookId,
      count: counts.create + counts.update + counts.delete,
      counts,
      writerId: crew[who],
    });
  const sent = () =>
    (db.prepare('SELECT payload FROM push_outbox ORDER BY id').all() as { payload: string }[]).map((r) =>
      JSON.parse(r.payload),
    );
  const dueAt = () =>
    (
      db.prepare('SELECT due_at FROM notify_state WHERE logbook_id = ?').get(logbookId) as
        | { due_at: number | null }
        | undefined
    )?.due_at;
  /** Moves the clock to an instant (firing what falls due on the way). */
  const until = (iso: string) => clock.advance(at(iso) - clock.now());
  return { db, clock, ownerId, logbookId, scheduler, write, sent, dueAt, until };
}

test('a night passage: changes inside quiet hours (22:00–07:00 Berlin, across midnight) make one notification at 07:00 with the sum', () => {
  const w = world('2026-06-12T21:30:00Z'); // 23:30 in Berlin (summer time)
  w.write('anna');
  assert.equal(w.dueAt(), at('2026-06-13T05:00:00Z'), 'held until 07:00 Berlin');
  w.until('2026-06-12T23:10:00Z'); // 01:10, past midnight
  w.write('ben', { create: 2, update: 1, delete: 0 });
  w.until('2026-06-13T03:00:00Z');
  w.write('anna', { create: 0, update: 0, delete: 1 });
  assert.equal(w.dueAt(), at('2026-06-13T05:00:00Z'), 'further changes do not move it');
  w.until('2026-06-13T04:59:59Z');
  assert.deepEqual(w.sent(), [], 'the skipper sleeps');
  w.until('2026-06-13T05:00:00Z');
  const [message, ...more] = w.sent();
  assert.deepEqual(more, []);
  assert.equal(message.body, 'New changes in one of your logbooks.', 'the visible text stays generic');
  assert.deepEqual(message.data, {
    url: `/logbook/${w.logbookId}`,
    logbookId: w.logbookId,
    changeCount: 5,
    counts: { create: 3, update: 1, delete: 1 },
    by: ['anna', 'ben'],
  });
});

test('outside quiet hours only the debounce applies', () => {
  const w = world('2026-06-12T10:00:00Z'); // noon in Berlin
  w.write('anna');
  assert.equal(w.dueAt(), at('2026-06-12T10:00:05Z'));
  w.until('2026-06-12T10:00:05Z');
  assert.equal(w.sent().length, 1);
});

test('spring forward (29 March 2026, Berlin): quiet hours end at 07:00 summer time, 05:00 UTC', () => {
  const w = world('2026-03-28T21:30:00Z'); // 22:30 winter time
  w.write('anna');
  assert.equal(w.dueAt(), at('2026-03-29T05:00:00Z'));
  w.until('2026-03-29T04:59:59Z'); // 06:59:59 summer time, though 7.5 hours have passed
  assert.equal(w.sent().length, 0);
  w.until('2026-03-29T05:00:00Z');
  assert.equal(w.sent().length, 1);
});

test('fall back (25 October 2026, Berlin): quiet hours end at 07:00 winter time, 06:00 UTC', () => {
  const w = world('2026-10-24T21:30:00Z'); // 23:30 summer time
  w.write('anna');
  assert.equal(w.dueAt(), at('2026-10-25T06:00:00Z'));
  w.until('2026-10-25T05:59:59Z'); // 06:59:59 winter time, the clock went back an hour
  assert.equal(w.sent().length, 0);
  w.until('2026-10-25T06:00:00Z');
  assert.equal(w.sent().length, 1);
});

test('quiet hours ending inside the skipped hour end when the clock jumps; inside the repeated hour, at its first pass', () => {
  const early = { from: '01:00', to: '02:30', timeZone: 'Europe/Berlin' };
  // 01:10 winter time; 02:30 never happens that night: the clock jumps from 02:00 to 03:00.
  assert.equal(quietHoursEnd(at('2026-03-29T00:10:00Z'), early), at('2026-03-29T01:00:00Z'));
  // 01:10 summer time; 02:30 happens twice: the first one ends it.
  assert.equal(quietHoursEnd(at('2026-10-24T23:10:00Z'), early), at('2026-10-25T00:30:00Z'));
  assert.equal(isQuiet(at('2026-10-25T01:10:00Z'), early), true, '01:10 winter time, after midnight');
  // Other zones, same rule: New York springs forward on 8 March 2026.
  const ny = { from: '23:00', to: '06:00', timeZone: 'America/New_York' };
  assert.equal(quietHoursEnd(at('2026-03-08T04:00:00Z'), ny), at('2026-03-08T10:00:00Z'), '23:00 EST → 06:00 EDT');
  assert.equal(quietHoursEnd(at('2026-03-08T12:00:00Z'), ny), undefined);
});

test('quiet hours set while a notification is pending hold it at due time; the prefs update touched only them', () => {
  const w = world('2026-06-12T19:59:58Z', null); // 21:59:58 Berlin, no quiet hours yet
  w.write('anna');
  assert.equal(w.dueAt(), at('2026-06-12T20:00:03Z'));
  const prefs = updateNotifyPrefs(w.db, w.ownerId, { quietHours: NIGHT }, w.clock.now());
  assert.deepEqual(
    prefs,
    { collaboratorChangesEnabled: true, quietHours: NIGHT, emailWhenNoPush: true },
    'the account switch kept its value',
  );
  w.until('2026-06-12T20:00:03Z');
  assert.equal(w.sent().length, 0);
  assert.equal(w.dueAt(), at('2026-06-13T05:00:00Z'), 'moved to the end of quiet hours, still persisted');
  // Turning quiet hours off again (only that field) does not turn notifications off.
  updateNotifyPrefs(w.db, w.ownerId, { quietHours: null }, w.clock.now());
  assert.deepEqual(notifyPrefs(w.db, w.ownerId), {
    collaboratorChangesEnabled: true,
    quietHours: null,
    emailWhenNoPush: true,
  });
  w.until('2026-06-13T05:00:00Z');
  assert.equal(w.sent().length, 1);
});

test('held changes survive a restart and fire at the end of quiet hours', () => {
  const w = world('2026-06-12T21:30:00Z');
  w.write('anna');
  w.scheduler.stop();
  w.clock.advance(3_600_000);
  const again = createNotifyScheduler({ db: w.db, clock: w.clock, log: silentLogger, rule: RULE, onQueued: () => {} });
  again.start();
  w.until('2026-06-13T04:59:00Z');
  assert.equal(w.sent().length, 0);
  w.until('2026-06-13T05:00:00Z');
  assert.equal(w.sent()[0].data.changeCount, 1);
});

test('a muted logbook sends nothing: changes while muted are not kept, pending ones are dropped at due time', () => {
  const w = world('2026-06-12T10:00:00Z', null);
  setLogbookNotifications(w.db, w.ownerId, w.logbookId, false, w.clock.now());
  w.write('anna');
  assert.equal(w.dueAt(), undefined, 'nothing recorded');
  assert.equal(w.clock.pending, 0);
  // Unmuted, a change is pending; muted again before it is due: dropped, not held.
  setLogbookNotifications(w.db, w.ownerId, w.logbookId, true, w.clock.now());
  w.write('anna', { create: 4, update: 0, delete: 0 });
  setLogbookNotifications(w.db, w.ownerId, w.logbookId, false, w.clock.now());
  w.clock.advance(60_000);
  assert.deepEqual(w.sent(), []);
  assert.equal(w.dueAt(), null);
  // Unmuted: the next change counts only itself, and nothing throttles it (nothing was sent).
  setLogbookNotifications(w.db, w.ownerId, w.logbookId, true, w.clock.now());
  w.write('ben');
  w.clock.advance(5_000);
  assert.deepEqual(
    w.sent().map((m) => [m.data.changeCount, m.data.by]),
    [[1, ['ben']]],
  );
});

test('the formatter cache keeps one formatter per canonical zone and stays bounded, whatever the spellings (issue 18)', () => {
  const instant = at('2026-06-12T10:00:00Z');
  const berlin = wallClockMinutes(instant, 'Europe/Berlin');
  // 2,000 spellings of one zone: each used to keep a formatter (~24 KiB of ICU memory) forever.
  for (let i = 0; i < 2_000; i++) {
    const spelling = [...'europe/berlin'].map((ch, j) => ((i >> (j % 11)) & 1 ? ch.toUpperCase() : ch)).join('');
    assert.equal(wallClockMinutes(instant, spelling), berlin);
  }
  assert.deepEqual(
    cachedZones().filter((z) => /berlin/i.test(z)),
    ['Europe/Berlin'],
  );
  for (const zone of Intl.supportedValuesOf('timeZone')) wallClockMinutes(instant, zone);
  assert.ok(cachedZones().length <= MAX_CACHED_ZONES, `${cachedZones().length} formatters kept`);
});
