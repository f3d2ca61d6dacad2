// The planner's watch systems (web/src/watch/systems.ts) on the device's wall clock, here
// Europe/Berlin: who stands which watch, the Swedish system's daily rotation, the night the
// clocks go back, custom lengths, the 200-watch bound, and "on watch now / next".
import { test } from 'node:test';
import assert from 'node:assert/strict';

process.env.TZ = 'Europe/Berlin';
const { parseHours, planWatches, SYSTEMS, watchesAround } = await import('../../../web/src/watch/systems.ts');

const hhmm = (iso: string) => new Date(iso).toTimeString().slice(0, 5);

test('4 on / 4 off: two teams alternate, six watches a day, each on the hour', () => {
  const plan = planWatches(SYSTEMS.fourOnFourOff, [['anna'], ['joerg']], new Date(2026, 6, 1, 0, 0), 1);
  assert.deepEqual(
    plan.map((w) => [hhmm(w.startsAt), hhmm(w.endsAt), w.members[0]]),
    [
      ['00:00', '04:00', 'anna'],
      ['04:00', '08:00', 'joerg'],
      ['08:00', '12:00', 'anna'],
      ['12:00', '16:00', 'joerg'],
      ['16:00', '20:00', 'anna'],
      ['20:00', '00:00', 'joerg'],
    ],
  );
});

test('three watches of 4 h and the Swedish system: the Swedish watches rotate from one day to the next', () => {
  const three = planWatches(SYSTEMS.threeWatches, [['a'], ['b'], ['c']], new Date(2026, 6, 1, 0, 0), 1);
  assert.deepEqual(
    three.map((w) => w.members[0]),
    ['a', 'b', 'c', 'a', 'b', 'c'],
  );
  const swedish = planWatches(SYSTEMS.swedish, [['a'], ['b']], new Date(2026, 6, 1, 6, 0), 2);
  assert.deepEqual(
    swedish.map((w) => `${hhmm(w.startsAt)} ${w.members[0]}`),
    ['06:00 a', '12:00 b', '18:00 a', '22:00 b', '02:00 a', '06:00 b', '12:00 a', '18:00 b', '22:00 a', '02:00 b'],
  );
  const sixes = planWatches(SYSTEMS.sixOnSixOff, [['a'], ['b']], new Date(2026, 6, 1, 0, 0), 1);
  assert.deepEqual(
    sixes.map((w) => hhmm(w.startsAt)),
    ['00:00', '06:00', '12:00', '18:00'],
  );
});

test('the night the clocks go back, the middle watch is five hours and the next starts at 04:00', () => {
  const plan = planWatches(SYSTEMS.fourOnFourOff, [['a'], ['b']], new Date(2026, 9, 24, 20, 0), 1);
  const middle = plan[1]!;
  assert.equal(hhmm(middle.startsAt), '00:00');
  assert.equal(hhmm(middle.endsAt), '04:00');
  assert.equal(Date.parse(middle.endsAt) - Date.parse(middle.startsAt), 5 * 3_600_000);
  assert.equal(middle.endsAt, '2026-10-25T03:00:00.000Z');
});

test('custom lengths: parsed and checked; a plan stops at 200 watches', () => {
  assert.deepEqual(parseHours('3, 3; 2 4.5'), [3, 3, 2, 4.5]);
  assert.equal(parseHours(''), undefined);
  assert.equal(parseHours('4, 25'), undefined);
  assert.equal(parseHours('4, x'), undefined);
  assert.equal(parseHours('0.2'), undefined);
  const plan = planWatches({ hours: [1.5], teams: 3 }, [['a'], ['b'], ['c']], new Date(2026, 6, 1, 0, 0), 14);
  assert.equal(plan.length, 200);
  assert.equal(hhmm(plan[1]!.startsAt), '01:30');
});

test('on watch now, the one before and the next', () => {
  const plan = planWatches(SYSTEMS.fourOnFourOff, [['a'], ['b']], new Date(2026, 6, 1, 0, 0), 1);
  const at = new Date(2026, 6, 1, 5, 30).getTime();
  const { current, previous, next } = watchesAround(plan, at);
  assert.equal(current?.members[0], 'b');
  assert.equal(previous?.members[0], 'a');
  assert.equal(hhmm(next!.startsAt), '08:00');
  assert.deepEqual(watchesAround(plan, new Date(2026, 6, 3).getTime()), {
    current: undefined,
    previous: undefined,
    next: undefined,
  });
});
