// The watch bell with a hand-moved clock and a real SQLite file: a member removed from the
// crew, a restart with a reminder overdue (the database closed and opened again), and log
// reminders while under way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../src/db.ts';
import { ManualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { createWatchBell } from '../../src/watch/bell.ts';
import { readPlan } from '../../src/watch/store.ts';
import { removeCrewMember } from '../../src/logbooks/store.ts';
import { done, MIN, rung, save, world } from '../helpers/watch-world.ts';

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
