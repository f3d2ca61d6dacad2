// The due board on its own (src/push/due-board.ts), no database: its queue, then jobs not
// due yet coming out in due order (then id), due ones by host and account in turn, each job
// once; its size, and a host or account that ran empty and gets new jobs later.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DueBoard, Fifo } from '../../src/push/due-board.ts';
import type { JobKey } from '../../src/push/outbox.ts';

const any = () => true;
const none = () => false;
const job = (id: number, dueAt: number, userId = 'u', host = 'h'): JobKey => ({ id, dueAt, userId, host });

/** Every job the board gives while hosts and accounts all have room. */
function pickAll(board: DueBoard): number[] {
  const ids: number[] = [];
  for (let key = board.pick(any, any); key; key = board.pick(any, any)) ids.push(key.id);
  return ids;
}

test('the queue gives its items once each in the order they came, and nothing once empty', () => {
  const queue = new Fifo<number>();
  assert.equal(queue.shift(), undefined);
  assert.equal(queue.length, 0);
  for (let i = 1; i <= 3_000; i++) queue.push(i);
  const taken: (number | undefined)[] = [];
  for (let i = 0; i < 2_000; i++) taken.push(queue.shift());
  assert.equal(queue.length, 1_000);
  for (let i = 3_001; i <= 3_500; i++) queue.push(i);
  while (queue.length > 0) taken.push(queue.shift());
  assert.deepEqual(
    taken,
    Array.from({ length: 3_500 }, (_, i) => i + 1),
  );
  assert.equal(queue.shift(), undefined);
  assert.equal(queue.length, 0);
  queue.push(7);
  assert.equal(queue.length, 1);
  assert.equal(queue.shift(), 7);
});

test('jobs not due yet come out in due order, equal due times in id order', () => {
  const board = new DueBoard();
  // 300 jobs in a scrambled order, due at 40 different times (so many share one).
  const jobs = Array.from({ length: 300 }, (_, i) => job((i * 7919) % 300, 1_000 + ((i * 37) % 40) * 10));
  for (const j of jobs) board.add(j, 0);
  assert.equal(board.size, 300);
  assert.equal(board.pick(any, any), undefined, 'nothing is due at 0');
  const expected = [...jobs].sort((a, b) => a.dueAt - b.dueAt || a.id - b.id).map((j) => j.id);
  board.promote(2_000);
  assert.equal(board.nextDueAt(), undefined);
  assert.deepEqual(pickAll(board), expected);
  assert.equal(board.size, 0);
});

test('promote moves exactly the jobs due by then, and nextDueAt names the first one left', () => {
  const board = new DueBoard();
  for (const [id, dueAt] of [
    [5, 500],
    [3, 300],
    [4, 300],
    [1, 100],
    [2, 200],
    [6, 600],
  ] as const)
    board.add(job(id, dueAt), 0);
  assert.equal(board.nextDueAt(), 100);
  board.promote(299);
  assert.deepEqual(pickAll(board), [1, 2]);
  assert.equal(board.nextDueAt(), 300);
  board.promote(300);
  assert.deepEqual(pickAll(board), [3, 4]);
  assert.equal(board.nextDueAt(), 500);
  assert.equal(board.size, 2);
  board.promote(10_000);
  assert.deepEqual(pickAll(board), [5, 6]);
  assert.equal(board.nextDueAt(), undefined);
});

test('a job due exactly now is ready at once; one due a millisecond later waits', () => {
  const board = new DueBoard();
  board.add(job(1, 1_000), 1_000);
  board.add(job(2, 1_001), 1_000);
  assert.equal(board.size, 2);
  assert.equal(board.nextDueAt(), 1_001);
  assert.deepEqual(pickAll(board), [1]);
  assert.equal(board.size, 1);
});

test("thousands of one account's jobs come out once each, in id order, with more added on the way", () => {
  const board = new DueBoard();
  for (let id = 1; id <= 3_000; id++) board.add(job(id, 0), 0);
  const ids: number[] = [];
  for (let i = 0; i < 2_000; i++) ids.push(board.pick(any, any)!.id);
  for (let id = 3_001; id <= 4_500; id++) board.add(job(id, 0), 0);
  assert.equal(board.size, 2_500);
  ids.push(...pickAll(board));
  assert.deepEqual(
    ids,
    Array.from({ length: 4_500 }, (_, i) => i + 1),
  );
  assert.equal(board.size, 0);
});

test('hosts take turns, and accounts take turns at one host', () => {
  const board = new DueBoard();
  for (const [id, user, host] of [
    [1, 'a', 'h1'],
    [2, 'a', 'h1'],
    [3, 'b', 'h1'],
    [4, 'c', 'h2'],
    [5, 'c', 'h2'],
    [6, 'd', 'h3'],
  ] as const)
    board.add(job(id, 0, user, host), 0);
  // h1 (a), h2, h3, h1 (b), h2, h1 (a).
  assert.deepEqual(pickAll(board), [1, 4, 6, 3, 5, 2]);
});

test('a pick where nothing has room takes nothing and leaves the turn order as it was', () => {
  const board = new DueBoard();
  for (const [id, user, host] of [
    [1, 'a', 'h1'],
    [2, 'b', 'h1'],
    [3, 'c', 'h2'],
  ] as const)
    board.add(job(id, 0, user, host), 0);
  assert.equal(board.pick(none, any), undefined);
  assert.equal(board.pick(any, none), undefined);
  assert.equal(board.size, 3);
  assert.deepEqual(pickAll(board), [1, 3, 2]);
});

test('a host or account at its share is passed over, and the next in turn is taken', () => {
  const board = new DueBoard();
  for (const [id, user, host] of [
    [1, 'a', 'h1'],
    [2, 'b', 'h1'],
    [3, 'c', 'h2'],
    [4, 'c', 'h2'],
  ] as const)
    board.add(job(id, 0, user, host), 0);
  assert.equal(board.pick((h) => h !== 'h1', any)?.id, 3);
  assert.equal(board.pick(any, (u) => u !== 'a')?.id, 2);
  // The host just taken from goes to the back of the turn.
  assert.deepEqual(pickAll(board), [4, 1]);
  assert.equal(board.size, 0);
});

test('a host and an account that ran empty are taken again when new jobs come', () => {
  const board = new DueBoard();
  board.add(job(1, 0, 'a', 'h1'), 0);
  assert.equal(board.pick(any, any)?.id, 1);
  assert.equal(board.pick(any, any), undefined);
  assert.equal(board.size, 0);
  board.add(job(2, 0, 'a', 'h1'), 0);
  assert.equal(board.size, 1);
  assert.equal(board.pick(any, any)?.id, 2);
  // The account again, at another host; then another account at the first host.
  board.add(job(3, 0, 'a', 'h2'), 0);
  board.add(job(4, 0, 'b', 'h1'), 0);
  assert.deepEqual(pickAll(board), [3, 4]);
  assert.equal(board.pick(any, any), undefined);
});

test('an account that ran empty at a host still busy with others is taken again when new jobs come', () => {
  const board = new DueBoard();
  board.add(job(1, 0, 'a', 'h'), 0);
  board.add(job(2, 0, 'b', 'h'), 0);
  board.add(job(3, 0, 'b', 'h'), 0);
  assert.equal(board.pick(any, any)?.id, 1);
  board.add(job(4, 0, 'a', 'h'), 0);
  assert.deepEqual(pickAll(board), [2, 4, 3]);
});
