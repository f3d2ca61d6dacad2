// The badge store (src/push/badges.ts) on a real SQLite database: counts per recipient and
// logbook, summed and capped at 99, cleared for one logbook or all, and a logbook that is
// gone counting nothing rather than failing the notification's transaction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { openDatabase } from '../../src/db.ts';
import { badgeOf, countNotified, markSeen, MAX_BADGE } from '../../src/push/badges.ts';

function world() {
  const db = openDatabase(':memory:');
  const user = (name: string) => {
    const id = randomUUID();
    db.prepare('INSERT INTO users (id, username, created_at) VALUES (?, ?, 0)').run(id, name);
    return id;
  };
  const skipper = user('skipper');
  const mate = user('mate');
  const logbook = () => {
    const id = randomUUID();
    db.prepare("INSERT INTO logbooks (id, owner_id, meta, created_at) VALUES (?, ?, 'x', 0)").run(id, skipper);
    return id;
  };
  return { db, skipper, mate, logbook };
}

test('counts add up per recipient across logbooks; seen clears one logbook or all', () => {
  const { db, skipper, mate, logbook } = world();
  const a = logbook();
  const b = logbook();
  assert.equal(badgeOf(db, skipper), 0);
  assert.equal(countNotified(db, skipper, a, 3), 3);
  assert.equal(countNotified(db, skipper, b, 2), 5);
  assert.equal(countNotified(db, skipper, a, 1), 6);
  assert.equal(countNotified(db, mate, a, 4), 4, "the mate's count is the mate's");
  assert.equal(countNotified(db, skipper, a, 0), 6, 'no change, no count');
  markSeen(db, skipper, a);
  assert.equal(badgeOf(db, skipper), 2);
  assert.equal(badgeOf(db, mate), 4);
  markSeen(db, skipper);
  assert.equal(badgeOf(db, skipper), 0);
  assert.equal(badgeOf(db, mate), 4);
  db.close();
});

test('at most 99, per logbook and summed', () => {
  const { db, skipper, logbook } = world();
  const a = logbook();
  const b = logbook();
  assert.equal(MAX_BADGE, 99);
  assert.equal(countNotified(db, skipper, a, 500), 99);
  assert.equal(countNotified(db, skipper, a, 1), 99);
  assert.equal(
    (db.prepare('SELECT changes FROM push_badges WHERE logbook_id = ?').get(a) as { changes: number }).changes,
    99,
  );
  assert.equal(countNotified(db, skipper, b, 1), 99, 'the sum is capped too');
  db.close();
});

test('a logbook that is gone counts nothing and throws nothing; deleting a logbook takes its counts', () => {
  const { db, skipper, logbook } = world();
  assert.equal(countNotified(db, skipper, randomUUID(), 5), 0);
  const a = logbook();
  countNotified(db, skipper, a, 5);
  db.prepare('DELETE FROM logbooks WHERE id = ?').run(a);
  assert.equal(badgeOf(db, skipper), 0);
  db.close();
});
