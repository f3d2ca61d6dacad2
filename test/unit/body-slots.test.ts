// The large-body slots shared fairly (issue 18): one account holds at most one slot, its
// further uploads wait behind it, and a freed slot goes to the longest waiter holding none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Slots } from '../../src/kit/bodies.ts';

test('one account holds at most one slot: the others of its uploads wait while other accounts get theirs', async () => {
  const slots = new Slots(4, 32);
  assert.equal(await slots.acquire(1_000, 'hog'), true);
  // The hog's next three wait, instead of taking the remaining slots.
  const hogs = [slots.acquire(1_000, 'hog'), slots.acquire(1_000, 'hog'), slots.acquire(1_000, 'hog')];
  for (const sailor of ['anna', 'ben', 'carl']) assert.equal(await slots.acquire(0, sailor), true, sailor);
  // Every slot is taken now: a fifth account waits, and gets the first one freed.
  const dora = slots.acquire(1_000, 'dora');
  slots.release('anna');
  assert.equal(await dora, true, 'dora before the hog, which holds a slot already');
  // The hog's waiters get a slot only once its own is freed.
  slots.release('hog');
  assert.equal(await hogs[0], true);
  slots.release('ben');
  slots.release('carl');
  slots.release('dora');
  slots.release('hog');
  assert.equal(await hogs[1], true);
  slots.release('hog');
  assert.equal(await hogs[2], true);
});

test('a waiter gives up after its wait: false, and the queue is bounded', async () => {
  const slots = new Slots(1, 1);
  assert.equal(await slots.acquire(0, 'a'), true);
  assert.equal(await slots.acquire(5, 'b'), false, 'gave up');
  const waiting = slots.acquire(1_000, 'c');
  assert.equal(await slots.acquire(1_000, 'd'), false, 'the queue is full');
  slots.release('a');
  assert.equal(await waiting, true);
});
