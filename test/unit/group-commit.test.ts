// Group commit on a real SQLite file: writes queued together share one transaction, nothing
// is reported kept before the COMMIT, and when one write throws or the COMMIT fails, each
// write runs again on its own, so only the one at fault fails, and nothing is kept twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openDatabase, type Db } from '../../src/db.ts';
import { GroupCommit, MAX_BATCH } from '../../src/group-commit.ts';
import { tempDir } from '../helpers/server.ts';

/** Lets every turn the group commit may have queued run (setImmediate callbacks). */
const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

function freshDb(): { db: Db; file: string } {
  const file = path.join(tempDir('crewbell-group-'), 'x.db');
  const db = openDatabase(file, { schemaVersion: 0 });
  db.exec('CREATE TABLE boats (name TEXT PRIMARY KEY)');
  db.exec('CREATE TABLE crew (name TEXT, boat TEXT REFERENCES boats(name) DEFERRABLE INITIALLY DEFERRED)');
  return { db, file };
}

/** What another connection sees: only committed rows. */
function committed(file: string, table: string): string[] {
  const other = new DatabaseSync(file);
  try {
    return (other.prepare(`SELECT name FROM ${table} ORDER BY name`).all() as { name: string }[]).map((r) => r.name);
  } finally {
    other.close();
  }
}

const addBoat = (db: Db, name: string) => () => {
  db.prepare('INSERT INTO boats (name) VALUES (?)').run(name);
  return name;
};

test('writes queued in one turn share one transaction and resolve only once it is committed', async () => {
  const { db, file } = freshDb();
  const commits = new GroupCommit(db);
  const seenAtResolve: string[][] = [];
  const names = ['Aurora', 'Blue Moon', 'Calypso'];
  const results = await Promise.all(
    names.map((name) =>
      commits.run(addBoat(db, name)).then((value) => {
        seenAtResolve.push(committed(file, 'boats'));
        return value;
      }),
    ),
  );
  assert.deepEqual(results, names);
  // Read after any further turn the three writes could have queued (an empty transaction each).
  await turns(4);
  assert.deepEqual(commits.stats, { batches: 1, writes: 3 });
  // Every promise settled after the COMMIT: another connection already saw all three rows.
  for (const seen of seenAtResolve) assert.deepEqual(seen, names);
});

test('a write that throws is undone alone; the others in its batch are kept, once', async () => {
  const { db, file } = freshDb();
  db.exec('CREATE TABLE tally (n INTEGER); INSERT INTO tally VALUES (0)');
  const commits = new GroupCommit(db);
  const outcomes = await Promise.allSettled([
    commits.run(() => {
      db.prepare('UPDATE tally SET n = n + 1').run();
      return addBoat(db, 'Aurora')();
    }),
    commits.run(() => {
      db.prepare('INSERT INTO boats (name) VALUES (?)').run('Half written');
      throw new Error('quota exceeded');
    }),
    commits.run(addBoat(db, 'Calypso')),
  ]);
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  assert.equal((outcomes[1] as PromiseRejectedResult).reason.message, 'quota exceeded');
  assert.deepEqual(committed(file, 'boats'), ['Aurora', 'Calypso']);
  // The first run was rolled back before the second: the tally went up once.
  assert.equal((db.prepare('SELECT n FROM tally').get() as { n: number }).n, 1);
  // Each kept write was committed on its own after the batch failed.
  assert.deepEqual(commits.stats, { batches: 2, writes: 2 });
});

test('a lone write that throws runs once, is rolled back, and the next one still commits', async () => {
  const { db, file } = freshDb();
  const commits = new GroupCommit(db);
  let runs = 0;
  await assert.rejects(
    commits.run(() => {
      runs++;
      db.prepare('INSERT INTO boats (name) VALUES (?)').run('Half written');
      throw new Error('invalid');
    }),
    /invalid/,
  );
  assert.equal(runs, 1);
  assert.equal(db.isTransaction, false);
  assert.equal(await commits.run(addBoat(db, 'Aurora')), 'Aurora');
  assert.deepEqual(committed(file, 'boats'), ['Aurora']);
});

test('when the COMMIT fails, each write is tried on its own: the one at fault fails, the others are kept', async () => {
  const { db, file } = freshDb();
  const commits = new GroupCommit(db);
  // A deferred foreign key is checked at COMMIT: a crew member of a boat that does not exist.
  const outcomes = await Promise.allSettled([
    commits.run(addBoat(db, 'Aurora')),
    commits.run(() => db.prepare('INSERT INTO crew (name, boat) VALUES (?, ?)').run('Anna', 'Nowhere')),
  ]);
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ['fulfilled', 'rejected'],
  );
  assert.match(String((outcomes[1] as PromiseRejectedResult).reason), /FOREIGN KEY/);
  assert.deepEqual(committed(file, 'boats'), ['Aurora']);
  assert.deepEqual(committed(file, 'crew'), []);
  assert.equal(db.isTransaction, false);
  // The connection is fine afterwards.
  assert.equal(await commits.run(addBoat(db, 'Blue Moon')), 'Blue Moon');
});

test('a write that ends the transaction itself fails alone; the writes before and after it are kept', async () => {
  const { db, file } = freshDb();
  const commits = new GroupCommit(db);
  const outcomes = await Promise.allSettled([
    commits.run(addBoat(db, 'Aurora')),
    commits.run(() => {
      // What SQLite does by itself on some errors (a full disk): the transaction is gone.
      db.exec('ROLLBACK');
      throw new Error('disk full');
    }),
    commits.run(addBoat(db, 'Calypso')),
  ]);
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  assert.equal((outcomes[1] as PromiseRejectedResult).reason.message, 'disk full');
  assert.deepEqual(committed(file, 'boats'), ['Aurora', 'Calypso']);
});

test(`a batch holds at most ${MAX_BATCH} writes; the rest commit in the next one`, async () => {
  const { db, file } = freshDb();
  const commits = new GroupCommit(db);
  const names = Array.from({ length: MAX_BATCH + 6 }, (_, i) => `Boat ${String(i).padStart(3, '0')}`);
  await Promise.all(names.map((name) => commits.run(addBoat(db, name))));
  await turns(4);
  assert.deepEqual(commits.stats, { batches: 2, writes: MAX_BATCH + 6 });
  assert.equal(committed(file, 'boats').length, MAX_BATCH + 6);
});
