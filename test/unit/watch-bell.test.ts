// The watch bell with a hand-moved clock and a real SQLite file: watch reminders across a
// daylight-saving night, a plan replaced while a reminder waits, a member removed, a restart
// with a reminder overdue, and log reminders while under way. No sleeping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../src/db.ts';
import { ManualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { createWatchBell, type WatchBell } from '../../src/watch/bell.ts';
import { readPlan, savePlan } from '../../src/watch/store.ts';
import { setCollaboratorChangesEnabled, updatePushPrefs } from '../../src/push/prefs.ts';
import { setLogbookNotifications } from '../../src/notify/mutes.ts';
import { removeCrewMember } from '../../src/logbooks/store.ts';
import { parseWith } from '../../src/kit/validate.ts';
import { WatchPlanBody } from '../../src/wire/watches.ts';
import { tempDir } from '../helpers/server.ts';

const MIN = 60_000;

interface World {
  db: Db;
  file: string;
  dir: string;
  clock: ManualClock;
  logbookId: string;
  /** name → user id */
  users: Record<string, string>;
  bell: WatchBell;
}

function world(start: number, names = ['anna', 'joerg', 'kim'], locales: Record<string, 'de' | 'en'> = {}): World {
  const dir = tempDir('crewbell-watch-');
  const file = join(dir, 'crewbell.db');
  const db = openDatabase(file);
  const clock = new ManualClock(start);
  const logbookId = randomUUID();
  const users: Record<string, string> = {};
  for (const name of names) {
    const id = randomUUID();
    users[name] = id;
    db.prepare('INSERT INTO users (id, username, created_at) VALUES (?, ?, 0)').run(id, name);
    db.prepare(
      "INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, locale, created_at) VALUES (?, ?, ?, 'k', 'a', ?, 0)",
    ).run(randomUUID(), id, `https://push.example/${id}`, locales[name] ?? 'en');
    setCollaboratorChangesEnabled(db, id, true, 0);
  }
  db.prepare("INSERT INTO logbooks (id, owner_id, meta, created_at) VALUES (?, ?, 'x', 0)").run(
    logbookId,
    users[names[0]!],
  );
  for (const name of names.slice(1)) {
    db.prepare("INSERT INTO logbook_members (logbook_id, user_id, role, joined_at) VALUES (?, ?, 'WRITE', 0)").run(
      logbookId,
      users[name],
    );
  }
  const bell = createWatchBell({ db, clock, log: silentLogger, enabled: true, onQueued: () => {} });
  bell.start();
  return { db, file, dir, clock, logbookId, users, bell };
}

function done(w: World) {
  w.bell.stop();
  if (w.db.isOpen) w.db.close();
  rmSync(w.dir, { recursive: true, force: true });
}

interface Plan {
  underWay?: boolean;
  watches: { start: number; end: number; members: string[]; id?: string }[];
  beforeMinutes?: number;
  logEveryMinutes?: number | null;
  timeZone?: string;
}

function save(w: World, plan: Plan) {
  const body = parseWith(WatchPlanBody, {
    underWay: plan.underWay ?? false,
    watches: plan.watches.map((x) => ({
      ...(x.id ? { id: x.id } : {}),
      startsAt: new Date(x.start).toISOString(),
      endsAt: new Date(x.end).toISOString(),
      members: x.members.map((m) => w.users[m]!),
    })),
    reminders: { beforeMinutes: plan.beforeMinutes ?? 10, logEveryMinutes: plan.logEveryMinutes ?? null },
    timeZone: plan.timeZone ?? 'Europe/Berlin',
  });
  w.bell.planSaved(savePlan(w.db, w.logbookId, body, w.clock.now()));
}

/** Pushes queued so far: who got which text, when it was queued. */
function rung(w: World): { to: string; body: string; tag: string; kind: string; at: number }[] {
  const names = Object.fromEntries(Object.entries(w.users).map(([n, id]) => [id, n]));
  return (
    w.db
      .prepare(
        'SELECT s.user_id, o.payload, o.created_at FROM push_outbox o JOIN push_subscriptions s ON s.id = o.subscription_id ORDER BY o.id',
      )
      .all() as { user_id: string; payload: string; created_at: number }[]
  ).map((r) => {
    const p = JSON.parse(r.payload);
    return { to: names[r.user_id]!, body: p.body, tag: p.tag, kind: p.data.kind, at: r.created_at };
  });
}

test('a night across the end of summer time: each watch rings 10 min ahead, in the recipient’s language and wall clock', () => {
  // 24/25 Oct 2026, Europe/Berlin: 03:00 CEST becomes 02:00 CET at 01:00Z. A 4-on/4-off night
  // planned on the wall clock: 20–24, 00–04 (five hours long tonight), 04–08.
  const w = world(Date.UTC(2026, 9, 24, 12), ['anna', 'joerg'], { joerg: 'de' });
  try {
    const first = Date.UTC(2026, 9, 24, 18); // 20:00 CEST
    const middle = Date.UTC(2026, 9, 24, 22); // 00:00 CEST
    const morning = Date.UTC(2026, 9, 25, 3); // 04:00 CET
    save(w, {
      watches: [
        { start: first, end: middle, members: ['anna'] },
        { start: middle, end: morning, members: ['joerg'] },
        { start: morning, end: Date.UTC(2026, 9, 25, 7), members: ['anna'] },
      ],
    });
    w.clock.advance(first - 10 * MIN - w.clock.now() - 1);
    assert.equal(rung(w).length, 0, 'nothing before 19:50');
    w.clock.advance(1);
    assert.equal(rung(w).length, 1, 'anna at 19:50');
    // 03:50 CEST would be 01:50Z: a bell counting four wall-clock hours from 00:00 would ring here.
    w.clock.advance(Date.UTC(2026, 9, 25, 1, 50) - w.clock.now());
    assert.equal(rung(w).length, 2, 'joerg at 23:50, nobody yet for 04:00');
    w.clock.advance(morning - 10 * MIN - w.clock.now());
    const pushes = rung(w);
    assert.deepEqual(pushes, [
      {
        to: 'anna',
        body: 'Your watch starts at 20:00.',
        tag: `watch-${w.logbookId}`,
        kind: 'watch',
        at: first - 10 * MIN,
      },
      {
        to: 'joerg',
        body: 'Deine Wache beginnt um 00:00.',
        tag: `watch-${w.logbookId}`,
        kind: 'watch',
        at: middle - 10 * MIN,
      },
      {
        to: 'anna',
        body: 'Your watch starts at 04:00.',
        tag: `watch-${w.logbookId}`,
        kind: 'watch',
        at: morning - 10 * MIN,
      },
    ]);
    w.clock.advance(24 * 60 * MIN);
    assert.equal(rung(w).length, 3, 'each watch rings once');
    assert.equal(w.clock.pending, 0, 'no timer left once nothing waits');
  } finally {
    done(w);
  }
});

test('a member’s own time zone (from their quiet hours) words the time; quiet hours and the mute do not hold the bell', () => {
  const w = world(Date.UTC(2026, 6, 1, 0));
  try {
    updatePushPrefs(w.db, w.users.joerg!, { quietHours: { from: '22:00', to: '08:00', timeZone: 'Europe/London' } }, 0);
    setLogbookNotifications(w.db, w.users.joerg!, w.logbookId, false, 0);
    save(w, { watches: [{ start: Date.UTC(2026, 6, 1, 2), end: Date.UTC(2026, 6, 1, 6), members: ['joerg'] }] });
    w.clock.advance(2 * 60 * MIN);
    assert.deepEqual(
      rung(w).map((p) => [p.to, p.body, p.at]),
      [['joerg', 'Your watch starts at 03:00.', Date.UTC(2026, 6, 1, 1, 50)]],
      'rung at 02:50 London time, inside quiet hours and muted',
    );
  } finally {
    done(w);
  }
});

test('the account switch stops the bell', () => {
  const w = world(Date.UTC(2026, 6, 1, 0));
  try {
    setCollaboratorChangesEnabled(w.db, w.users.kim!, false, 0);
    save(w, { watches: [{ start: Date.UTC(2026, 6, 1, 1), end: Date.UTC(2026, 6, 1, 5), members: ['kim', 'anna'] }] });
    w.clock.advance(60 * MIN);
    assert.deepEqual(
      rung(w).map((p) => p.to),
      ['anna'],
    );
  } finally {
    done(w);
  }
});

test('a plan replaced while a reminder waits: the old one never rings, the new one rings once', () => {
  const t0 = Date.UTC(2026, 6, 1, 0);
  const w = world(t0);
  try {
    save(w, { watches: [{ id: 'w1', start: t0 + 60 * MIN, end: t0 + 300 * MIN, members: ['joerg'] }] });
    w.clock.advance(30 * MIN);
    // The skipper moves the watch half an hour later and gives it to Kim.
    save(w, { watches: [{ id: 'w1', start: t0 + 90 * MIN, end: t0 + 300 * MIN, members: ['kim'] }] });
    w.clock.advance(40 * MIN); // past the old 00:50
    assert.equal(rung(w).length, 0, 'the replaced reminder is gone');
    w.clock.advance(10 * MIN); // 01:20
    assert.deepEqual(
      rung(w).map((p) => [p.to, p.at]),
      [['kim', t0 + 80 * MIN]],
    );
    // Saved again after it rang (the same plan, new ids): it does not ring twice.
    save(w, { watches: [{ start: t0 + 90 * MIN, end: t0 + 300 * MIN, members: ['kim'] }] });
    w.clock.advance(60 * MIN);
    assert.equal(rung(w).length, 1);
    // A watch added 5 minutes ahead of its start rings at once.
    const added = w.clock.now();
    save(w, {
      watches: [
        { start: t0 + 90 * MIN, end: t0 + 300 * MIN, members: ['kim'] },
        { start: w.clock.now() + 5 * MIN, end: t0 + 400 * MIN, members: ['anna'] },
      ],
    });
    w.clock.advance(0);
    assert.deepEqual(
      rung(w).map((p) => [p.to, p.at]),
      [
        ['kim', t0 + 80 * MIN],
        ['anna', added],
      ],
    );
  } finally {
    done(w);
  }
});

test('a member removed from the crew gets no more reminders and leaves the plan', () => {
  const t0 = Date.UTC(2026, 6, 1, 0);
  const w = world(t0);
  try {
    save(w, {
      watches: [
        { start: t0 + 60 * MIN, end: t0 + 240 * MIN, members: ['joerg', 'kim'] },
        { start: t0 + 240 * MIN, end: t0 + 480 * MIN, members: ['joerg'] },
      ],
      underWay: true,
      logEveryMinutes: 30,
    });
    assert.ok(removeCrewMember(w.db, w.logbookId, w.users.joerg!));
    w.clock.advance(8 * 60 * MIN);
    const pushes = rung(w);
    assert.ok(pushes.length > 0);
    assert.ok(
      pushes.every((p) => p.to === 'kim'),
      `only kim is rung: ${JSON.stringify(pushes)}`,
    );
    assert.deepEqual(
      readPlan(w.db, w.logbookId).watches.map((x) => x.members),
      [[w.users.kim], []],
    );
  } finally {
    done(w);
  }
});

test('a restart with a reminder overdue rings it once at start; a watch already over is dropped', () => {
  const t0 = Date.UTC(2026, 6, 1, 0);
  let w = world(t0);
  try {
    save(w, {
      watches: [
        { start: t0 + 60 * MIN, end: t0 + 120 * MIN, members: ['joerg'] },
        { start: t0 + 120 * MIN, end: t0 + 360 * MIN, members: ['kim'] },
      ],
    });
    // The server goes down at 00:30 and comes back at 02:10: joerg's watch is over, kim's runs.
    w.bell.stop();
    w.db.close();
    const reopen = (at: number) => {
      const db = openDatabase(w.file);
      const clock = new ManualClock(at);
      const bell = createWatchBell({ db, clock, log: silentLogger, enabled: true, onQueued: () => {} });
      w = { ...w, db, clock, bell };
      bell.start();
      clock.advance(0);
    };
    reopen(t0 + 130 * MIN);
    assert.deepEqual(
      rung(w).map((p) => [p.to, p.body, p.at]),
      [['kim', 'Your watch starts at 04:00.', t0 + 130 * MIN]],
    );
    // A crash right after: the next start finds nothing left to ring.
    w.bell.stop();
    w.db.close();
    reopen(t0 + 131 * MIN);
    assert.equal(rung(w).length, 1);
  } finally {
    done(w);
  }
});

test('log reminders while under way: to the watch on duty, counted from the last entry, one per interval', () => {
  const t0 = Date.UTC(2026, 6, 1, 0);
  const w = world(t0);
  try {
    save(w, {
      underWay: true,
      logEveryMinutes: 60,
      beforeMinutes: 0,
      watches: [
        { start: t0, end: t0 + 120 * MIN, members: ['joerg'] },
        { start: t0 + 120 * MIN, end: t0 + 240 * MIN, members: ['kim', 'anna'] },
      ],
    });
    w.clock.advance(40 * MIN);
    w.bell.entriesSynced([w.logbookId]); // an entry at 00:40
    w.clock.advance(59 * MIN);
    assert.equal(rung(w).length, 0, 'an entry 59 minutes ago');
    w.clock.advance(1 * MIN); // 01:40
    assert.deepEqual(
      rung(w).map((p) => [p.to, p.kind, p.tag, p.body, p.at]),
      [['joerg', 'log', `log-${w.logbookId}`, 'Time for a log entry: none for 60 minutes.', t0 + 100 * MIN]],
    );
    w.clock.advance(60 * MIN); // 02:40: the next watch is on duty
    assert.deepEqual(
      rung(w)
        .slice(1)
        .map((p) => [p.to, p.at])
        .sort(),
      [
        ['anna', t0 + 160 * MIN],
        ['kim', t0 + 160 * MIN],
      ],
    );
    // Into port: no more log reminders.
    save(w, { underWay: false, logEveryMinutes: 60, watches: [] });
    w.clock.advance(300 * MIN);
    assert.equal(rung(w).length, 3);
  } finally {
    done(w);
  }
});
