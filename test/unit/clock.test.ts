// The clocks: the system clock's timers (bounded, unref'd, cancellable), the manual clock
// tests run on (time order, ties in the order set, a timer loop reported instead of a hang),
// and the one timer on the earliest due time (createDueTimer).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDueTimer, ManualClock, MAX_TIMERS_PER_ADVANCE, systemClock, type Clock } from '../../src/clock.ts';

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

test('the manual clock fires the earliest timer first whatever order they were set in; ties in the order set', () => {
  const clock = new ManualClock(0);
  const fired: string[] = [];
  for (const [name, ms] of [
    ['a', 100],
    ['d', 300],
    ['b', 200],
    ['c', 200],
  ] as const)
    clock.setTimeout(() => fired.push(name), ms);
  clock.advance(300);
  assert.deepEqual(fired, ['a', 'b', 'c', 'd']);
});

/** A timer that sets itself again at once, `times` more times. */
function rearming(clock: ManualClock, times: number) {
  let left = times;
  const fire = () => {
    if (left-- > 0) clock.setTimeout(fire, 0);
  };
  clock.setTimeout(fire, 0);
}

test(`the manual clock fires up to ${MAX_TIMERS_PER_ADVANCE} timers in one advance, and throws on more: a timer loop`, () => {
  const most = new ManualClock(0);
  rearming(most, MAX_TIMERS_PER_ADVANCE - 1);
  most.advance(0);
  assert.equal(most.pending, 0);
  const loop = new ManualClock(0);
  rearming(loop, MAX_TIMERS_PER_ADVANCE);
  assert.throws(() => loop.advance(0), /timer loop/);
});

test('the system clock tells the time, bounds a delay to what setTimeout takes, and does not hold the process', () => {
  const before = Date.now();
  const now = systemClock.now();
  assert.ok(now >= before && now <= Date.now());
  // Node's Timeout keeps the delay it runs on in _idleTimeout; a delay past 2^31 - 1 ms would be 1 ms.
  const delays = [1_000, 2 ** 31 + 5, -5].map((ms) => {
    const t = systemClock.setTimeout(() => {}, ms) as NodeJS.Timeout & { _idleTimeout: number };
    const delay = t._idleTimeout;
    assert.equal(t.hasRef(), false);
    systemClock.clearTimeout(t);
    return delay;
  });
  assert.deepEqual(delays, [1_000, 2 ** 31 - 1, 1]);
});

test("the system clock's timers fire, and a cleared one does not", async () => {
  const fired: string[] = [];
  systemClock.setTimeout(() => fired.push('kept'), 1);
  systemClock.clearTimeout(systemClock.setTimeout(() => fired.push('cleared'), 1));
  // A later timer of Node's own (kept referenced) runs after both would have.
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(fired, ['kept']);
});

/** The manual clock, counting the timers set on it. */
function countingClock() {
  const clock = new ManualClock(0);
  let set = 0;
  const counting: Clock = {
    now: () => clock.now(),
    setTimeout: (fn, ms) => {
      set++;
      return clock.setTimeout(fn, ms);
    },
    clearTimeout: (h) => clock.clearTimeout(h),
  };
  return { clock, counting, set: () => set };
}

test('the due timer: arming for the time it already waits for, or later, sets no new timer; earlier replaces it', () => {
  const { clock, counting, set } = countingClock();
  const rounds: number[] = [];
  const due = createDueTimer(
    counting,
    () => {
      rounds.push(clock.now());
      return undefined;
    },
    { retryMs: 5_000, onError: () => {}, ready: () => true },
  );
  due.armAt(1_000);
  due.armAt(1_000);
  due.armAt(2_000);
  assert.equal(set(), 1);
  due.armAt(500);
  assert.equal(set(), 2);
  assert.equal(clock.pending, 1);
  clock.advance(2_000);
  assert.deepEqual(rounds, [500]);
});

test('the due timer: a failed round is reported and tried again retryMs later, once', () => {
  const clock = new ManualClock(0);
  const rounds: number[] = [];
  const errors: string[] = [];
  const due = createDueTimer(
    clock,
    () => {
      rounds.push(clock.now());
      if (rounds.length === 1) throw new Error('busy');
      return undefined;
    },
    { retryMs: 5_000, onError: (e) => errors.push(e.message), ready: () => true },
  );
  due.armAt(100);
  clock.advance(100);
  assert.deepEqual([rounds, errors], [[100], ['busy']]);
  clock.advance(4_999);
  assert.deepEqual(rounds, [100]);
  clock.advance(1);
  assert.deepEqual(rounds, [100, 5_100]);
  clock.advance(60_000);
  assert.equal(rounds.length, 2);
});
