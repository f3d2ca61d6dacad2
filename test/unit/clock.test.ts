import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';

test('the manual clock fires due timers in time order, each at its own time', () => {
  const clock = new ManualClock(1000);
  const fired: Array<[string, number]> = [];
  clock.setTimeout(() => fired.push(['b', clock.now()]), 200);
  clock.setTimeout(() => fired.push(['a', clock.now()]), 100);
  const c = clock.setTimeout(() => fired.push(['c', clock.now()]), 150);
  clock.clearTimeout(c);
  clock.advance(150);
  assert.deepEqual(fired, [['a', 1100]]);
  clock.advance(100);
  assert.deepEqual(fired, [
    ['a', 1100],
    ['b', 1200],
  ]);
  assert.equal(clock.now(), 1250);
  assert.equal(clock.pending, 0);
});
