// `crewbell backup FILE`: a consistent copy taken while the server runs and another
// connection keeps committing, which restores into a working server with every row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { runCli, startServer, tempDir, waitFor } from './helpers/server.ts';
import { addFleet, dumpTables, missingRows } from './helpers/database.ts';
import { latestSchemaVersion } from '../src/db.ts';

/**
 * A second writer on the same file, like a busy server: each transaction adds one logbook
 * and exactly five entries, so a copy that caught half a transaction would show it.
 */
const WRITER = `
const { DatabaseSync } = require('node:sqlite');
const { randomUUID } = require('node:crypto');
const db = new DatabaseSync(process.argv[1]);
db.exec('PRAGMA busy_timeout = 5000');
const owner = db.prepare('SELECT id FROM users LIMIT 1').get().id;
const addLogbook = db.prepare('INSERT INTO logbooks (id, owner_id, meta, created_at) VALUES (?, ?, ?, ?)');
const addEntry = db.prepare('INSERT INTO entries (logbook_id, entity_id, version, payload, updated_at, updated_by, seq) VALUES (?, ?, 1, ?, ?, ?, ?)');
let stop = false, done = 0;
process.stdin.on('data', () => (stop = true));
process.stdin.resume();
(function tick() {
  if (stop || done >= 20000) { process.stdout.write('done ' + done + '\\n'); db.close(); process.exit(0); }
  db.exec('BEGIN IMMEDIATE');
  const id = randomUUID();
  addLogbook.run(id, owner, 'x'.repeat(64), Date.now());
  for (let i = 1; i <= 5; i++) addEntry.run(id, randomUUID(), 'y'.repeat(400), Date.now(), owner, i);
  db.exec('COMMIT');
  done++;
  if (done % 10 === 0) process.stdout.write('wrote ' + done + '\\n');
  setImmediate(tick);
})();
`;

test('backup while the server runs and another connection writes: consistent copy, restores with every row', async () => {
  const server = await startServer();
  const backupDir = tempDir('crewbell-backup-');
  const restoredDir = tempDir('crewbell-restored-');
  try {
    const db = server.db();
    addFleet(db, { skippers: 5, logbooksEach: 4, entriesEach: 10 });
    const before = dumpTables(db);
    db.close();

    const writer = spawn(process.execPath, ['-e', WRITER, path.join(server.dataDir, 'crewbell.db')], { stdio: ['pipe', 'pipe', 'inherit'] });
    let writerOut = '';
    writer.stdout.on('data', (d) => (writerOut += d));
    const writerExit = new Promise<void>((resolve) => writer.once('exit', () => resolve()));
    try {
      await waitFor(() => /wrote (\d+)/.test(writerOut), 'the writer to commit');
      const file = path.join(backupDir, 'crewbell-backup.db');
      const result = await runCli(['backup', file, '--data-dir', server.dataDir]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /integrity ok/);
      assert.match(result.stdout, /secret\.key/); // the reminder to keep the key that seals the VAPID key
      assert.ok(!writerOut.includes('done'), 'the writer was still writing when the backup finished');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.deepEqual(readdirSync(backupDir).filter((n) => n.includes('partial')), []);

      const copy = new DatabaseSync(file);
      try {
        assert.deepEqual(missingRows(before, dumpTables(copy)), []);
        const torn = copy.prepare('SELECT logbook_id, count(*) AS n FROM entries GROUP BY logbook_id HAVING n NOT IN (5, 10)').all();
        assert.deepEqual(torn, [], 'every logbook in the copy has all the entries of its transaction');
        const online = copy.prepare("SELECT count(*) AS n FROM logbooks WHERE meta = ?").get('x'.repeat(64)) as { n: number };
        assert.ok(online.n >= 1, 'the copy holds rows committed while the server ran');
      } finally {
        copy.close();
      }

      // Restore: the copy becomes the database of a fresh data dir, and a server starts on it.
      copyFileSync(file, path.join(restoredDir, 'crewbell.db'));
      const restored = await startServer({ dataDir: restoredDir });
      try {
        const health = await fetch(`${restored.url}/healthz`);
        assert.equal(health.status, 200);
        const rdb = restored.db();
        try {
          assert.deepEqual(missingRows(before, dumpTables(rdb)), []);
          assert.equal((rdb.prepare('PRAGMA user_version').get() as { user_version: number }).user_version, latestSchemaVersion());
        } finally {
          rdb.close();
        }
      } finally {
        assert.equal(await restored.stop(), 0);
      }
    } finally {
      writer.stdin.end('stop\n');
      await writerExit;
    }
  } finally {
    await server.stop();
    server.cleanup();
    for (const dir of [backupDir, restoredDir]) rmSync(dir, { recursive: true, force: true });
  }
});

test('backup refuses to replace a file without --force and fails plainly without a database', async () => {
  const server = await startServer();
  const dir = tempDir('crewbell-backup-');
  try {
    const file = path.join(dir, 'taken.db');
    writeFileSync(file, 'yesterday');
    const refused = await runCli(['backup', file, '--data-dir', server.dataDir]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /exists; pass --force/);

    const forced = await runCli(['backup', file, '--force', '--data-dir', server.dataDir]);
    assert.equal(forced.code, 0, forced.stderr);
    const copy = new DatabaseSync(file, { readOnly: true });
    assert.equal((copy.prepare('PRAGMA user_version').get() as { user_version: number }).user_version, latestSchemaVersion());
    copy.close();

    const missing = await runCli(['backup', path.join(dir, 'none.db'), '--data-dir', path.join(dir, 'no-data')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no database at/);
    assert.equal(existsSync(path.join(dir, 'none.db')), false);

    const usage = await runCli(['backup', '--data-dir', server.dataDir]);
    assert.equal(usage.code, 2);
  } finally {
    await server.stop();
    server.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});
