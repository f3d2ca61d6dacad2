// The sync store's functions on an in-memory SQLite database: what an upload hands to the
// notification sink, history pruned when a logbook is written to, where a pull page is cut,
// cursors read back (old ones without an epoch, forged ones refused), the newest entry's time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase, type Db } from '../../src/db.ts';
import type { LogbookChange } from '../../src/notify/port.ts';
import { decodeCursor, encodeCursor, newestEntryTime, pullEntries, uploadEntries } from '../../src/sync/store.ts';
import type { UploadItem } from '../../src/wire/sync.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 5, 1);

function world(): Db & { changes: LogbookChange[] } {
  const db = openDatabase(':memory:') as Db & { changes: LogbookChange[] };
  db.changes = [];
  for (const [id, name] of [
    ['owner', 'skipper'],
    ['mate', 'mate'],
    ['deckhand', 'deckhand'],
  ])
    db.prepare('INSERT INTO users (id, username, created_at) VALUES (?, ?, 0)').run(id, name);
  db.prepare("INSERT INTO logbooks (id, owner_id, meta, created_at) VALUES ('log', 'owner', 'x', 0)").run();
  db.prepare(
    "INSERT INTO logbook_members (logbook_id, user_id, role, joined_at) VALUES ('log', 'mate', 'WRITE', 0)",
  ).run();
  db.prepare(
    "INSERT INTO logbook_members (logbook_id, user_id, role, joined_at) VALUES ('log', 'deckhand', 'READ', 0)",
  ).run();
  return db;
}

const upload = (db: Db & { changes: LogbookChange[] }, userId: string, items: Partial<UploadItem>[], now = T0) =>
  uploadEntries(db, userId, items as UploadItem[], now, { record: (change) => db.changes.push(change) });

const create = (entityId: string, payload = 'A'.repeat(48)) =>
  ({ logbookId: 'log', entityId, action: 'create', payload }) as const;

test("a WRITE crew member's upload hands the sink its successes, by action and who made them", () => {
  const db = world();
  upload(db, 'owner', [create('a'), create('b')]);
  assert.deepEqual(
    db.changes,
    [{ logbookId: 'log', count: 2, counts: { create: 2, update: 0, delete: 0 }, writerId: 'owner' }],
    "the owner's writes reach the others too, with the owner as the writer (never notified of them)",
  );
  db.changes.length = 0;
  const results = upload(db, 'mate', [
    create('c'),
    { logbookId: 'log', entityId: 'a', action: 'update', payload: 'B'.repeat(48), baseVersion: 1 },
    { logbookId: 'log', entityId: 'b', action: 'delete' },
    { logbookId: 'log', entityId: 'x', action: 'update' },
  ]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['success', 'success', 'success', 'invalid'],
  );
  assert.deepEqual(db.changes, [
    { logbookId: 'log', count: 3, counts: { create: 1, update: 1, delete: 1 }, writerId: 'mate' },
  ]);
});

test('an upload with no success hands the sink nothing', () => {
  const db = world();
  upload(db, 'mate', [{ logbookId: 'log', entityId: 'x', action: 'create' }]);
  upload(db, 'deckhand', [create('y')]);
  assert.deepEqual(db.changes, []);
});

const versions = (db: Db) => (db.prepare('SELECT COUNT(*) AS n FROM entry_versions').get() as { n: number }).n;

test('a write to a logbook prunes its versions replaced more than 90 days ago; a write that fails prunes nothing', () => {
  const db = world();
  upload(db, 'owner', [create('a')], T0);
  upload(db, 'owner', [{ logbookId: 'log', entityId: 'a', action: 'update', payload: 'B'.repeat(48) }], T0 + DAY);
  assert.equal(versions(db), 2);
  const later = T0 + 200 * DAY;
  upload(
    db,
    'owner',
    [{ logbookId: 'log', entityId: 'a', action: 'update', payload: 'C'.repeat(48), baseVersion: 1 }],
    later,
  );
  assert.equal(versions(db), 2, 'a conflict writes nothing and prunes nothing');
  upload(db, 'owner', [create('b')], later);
  assert.equal(versions(db), 2, 'version 1 (replaced at day 1) pruned; the current one of a and b kept');
});

test('a pull page holds its first entry whatever its size, and stops before the entry that goes past the limit', () => {
  const db = world();
  upload(db, 'owner', [create('a', 'A'.repeat(48)), create('b', 'B'.repeat(48)), create('c', 'C'.repeat(48))]);
  const one = pullEntries(db, 'log', 0, { entries: 10, chars: 10 });
  assert.deepEqual(
    one.entries.map((e) => e.entityId),
    ['a'],
  );
  assert.equal(one.hasMore, true);
  const exact = pullEntries(db, 'log', 0, { entries: 10, chars: 96 });
  assert.deepEqual(
    exact.entries.map((e) => e.entityId),
    ['a', 'b'],
    'exactly at the limit fits',
  );
  assert.equal(exact.lastSeq, exact.entries[1]!.seq);
  const all = pullEntries(db, 'log', exact.lastSeq, { entries: 10, chars: 96 });
  assert.deepEqual(
    all.entries.map((e) => e.entityId),
    ['c'],
  );
  assert.equal(all.hasMore, false);
});

test('cursors: the start, one with an epoch, one from before epochs; anything else is no cursor', () => {
  assert.deepEqual(decodeCursor(''), { logbookCreatedAt: 0, seq: 0, epoch: undefined });
  const cursor = encodeCursor(1_750_000_000_000, 42, 'AbCdEfGhIj_-');
  assert.deepEqual(decodeCursor(cursor), { logbookCreatedAt: 1_750_000_000_000, seq: 42, epoch: 'AbCdEfGhIj_-' });
  const old = Buffer.from('1750000000000.42').toString('base64url');
  assert.deepEqual(decodeCursor(old), { logbookCreatedAt: 1_750_000_000_000, seq: 42, epoch: undefined });
  // Characters base64url has no place for are refused, not skipped by the decoder.
  for (const forged of [`${cursor}!`, `!${cursor}`, `${cursor}=`, `${cursor.slice(0, 4)}.${cursor.slice(4)}`])
    assert.equal(decodeCursor(forged), undefined, forged);
  assert.equal(decodeCursor(Buffer.from('1.9999999999999999').toString('base64url')), undefined, 'seq past 2^53');
  assert.equal(decodeCursor(Buffer.from('1.2.short').toString('base64url')), undefined);
  // The longest cursor (62 characters) is one; one character more is not.
  const longest = encodeCursor(9_000_000_000_000_000, Number.MAX_SAFE_INTEGER, 'AbCdEfGhIj_-');
  assert.equal(longest.length, 62);
  assert.deepEqual(decodeCursor(longest), {
    logbookCreatedAt: 9_000_000_000_000_000,
    seq: Number.MAX_SAFE_INTEGER,
    epoch: 'AbCdEfGhIj_-',
  });
  assert.equal(decodeCursor(`${longest}A`), undefined);
});

test('the newest entry time is the latest write, null before any', () => {
  const db = world();
  assert.equal(newestEntryTime(db), null);
  upload(db, 'owner', [create('a')], T0 + 5);
  upload(db, 'owner', [create('b')], T0 + 9);
  assert.equal(newestEntryTime(db), T0 + 9);
});
