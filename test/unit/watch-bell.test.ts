// The watch bell with a hand-moved clock and a real SQLite file: watch reminders across a
// daylight-saving night, in the recipient's language and zone, not held by quiet hours or
// the mute but stopped by the account switch, and a plan replaced while a reminder waits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { updateNotifyPrefs, setCollaboratorChangesEnabled } from '../../src/notify/prefs.ts';
import { setLogbookNotifications } from '../../src/notify/mutes.ts';
import { done, MIN, rung, save, world } from '../helpers/watch-world.ts';

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
    updateNotifyPrefs(
      w.db,
      w.users.joerg!,
      { quietHours: { from: '22:00', to: '08:00', timeZone: 'Europe/London' } },
      0,
    );
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
