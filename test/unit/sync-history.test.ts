// An entry's history read a page at a time (listVersions) on a real SQLite database: the
// payload limit of a page to the byte, and a version larger than the limit still comes alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../src/db.ts';
import { listVersions, recordVersion } from '../../src/sync/history.ts';

/** An entry with versions 1..n, version v's payload v × 10 bytes. */
function entryWithVersions(n: number) {
  const db = openDatabase(':memory:');
  db.prepare("INSERT INTO users (id, username, created_at) VALUES ('u', 'skipper', 0)").run();
  db.prepare("INSERT INTO logbooks (id, owner_id, meta, created_at) VALUES ('log', 'u', 'x', 0)").run();
  for (let version = 1; version <= n; version++)
    recordVersion(db, {
      logbookId: 'log',
      entityId: 'e',
      version,
      payload: 'x'.repeat(version * 10),
      deleted: false,
      updatedAt: version,
      updatedBy: 'u',
    });
  return db;
}

const page = (db: ReturnType<typeof openDatabase>, before: number | undefined, maxBytes: number) => {
  const { versions, nextBefore } = listVersions(db, 'log', 'e', before, maxBytes);
  return { versions: versions.map((v) => v.version), nextBefore };
};

test('a history page holds versions up to exactly its payload limit, newest first; the next page starts where it stopped', () => {
  const db = entryWithVersions(4);
  // Versions 4 and 3: 40 + 30 bytes, exactly the limit; version 2 would go past it.
  assert.deepEqual(page(db, undefined, 70), { versions: [4, 3], nextBefore: 3 });
  assert.deepEqual(page(db, 3, 70), { versions: [2, 1], nextBefore: undefined });
  assert.deepEqual(page(db, undefined, 69), { versions: [4], nextBefore: 4 });
});

test('a version larger than the payload limit still comes, alone on its page', () => {
  const db = entryWithVersions(2);
  assert.deepEqual(page(db, undefined, 5), { versions: [2], nextBefore: 2 });
  assert.deepEqual(page(db, 2, 5), { versions: [1], nextBefore: undefined });
  assert.deepEqual(page(db, 1, 5), { versions: [], nextBefore: undefined });
});
