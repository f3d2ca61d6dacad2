// `crewbell backup FILE`: a consistent copy taken while the server keeps committing crew
// syncs, which restores into a working server with every row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { runCli, startServer, tempDir, waitFor } from '../helpers/server.ts';
import { cli } from '../helpers/cli.ts';
import { addFleet, dumpTables, missingRows } from '../helpers/database.ts';
import { crewAboard, ciphertext } from '../helpers/crew.ts';
import { Client } from '../helpers/client.ts';
import type { TestUser } from '../helpers/accounts.ts';
import { latestSchemaVersion } from '../../src/db.ts';

/**
 * The server writing, as crew syncing does: each push request creates five entries in one
 * transaction, so a copy that caught half a request would show a count not divisible by 5.
 */
function keepSyncing(mate: TestUser, logbookId: string): { stop(): Promise<number>; pushes(): number } {
  let running = true;
  let pushes = 0;
  const loop = (async () => {
    while (running) {
      const items = Array.from({ length: 5 }, () => ({
        logbookId,
        entityId: randomUUID(),
        action: 'create',
        payload: ciphertext(300),
      }));
      const res = await mate.client.post('/api/sync/push', { items });
      assert.equal(res.status, 200, res.text);
      assert.ok(
        res.body.results.every((r: { status: string }) => r.status === 'success'),
        res.text,
      );
      pushes++;
      await new Promise((r) => setTimeout(r, 5)); // stays under the sync rate limit
    }
  })();
  return {
    pushes: () => pushes,
    async stop() {
      running = false;
      await loop;
      return pushes;
    },
  };
}

test('backup while the server writes: a consistent copy that restores with every row', async () => {
  // No notification fires during the test, so the pending count keeps adding up.
  const server = await startServer({ flags: ['--notify-debounce', '1h'] });
  const backupDir = tempDir('crewbell-backup-');
  const restoredDir = tempDir('crewbell-restored-');
  try {
    const db = server.db();
    addFleet(db, { skippers: 5, logbooksEach: 4, entriesEach: 10 });
    db.close();
    const { mate, logbook } = await crewAboard(server);
    const syncing = keepSyncing(mate, logbook.id);
    let before: Map<string, Set<string>>;
    let duringBackup: [number, number];
    const file = path.join(backupDir, 'crewbell-backup.db');
    try {
      await waitFor(() => syncing.pushes() >= 3, 'crew to sync');
      const snapshot = server.db();
      before = dumpTables(snapshot);
      snapshot.close();
      // The pending notification's count keeps growing while crew syncs: compared by key below.
      before.delete('notify_state');
      // So do the running counters (the sequence counter, a logbook's usage), and the restored
      // server moves its clock mark on: one row each.
      before.delete('sync_counter');
      before.delete('logbook_usage');
      before.delete('clock_mark');
      // The server started on an empty database, so it made a first-start link; a start with
      // accounts (the restored server) deletes that dead link.
      for (const row of before.get('signup_tokens') ?? [])
        if (JSON.parse(row).at(-1) === 1) before.get('signup_tokens')!.delete(row);
      const started = syncing.pushes();
      const result = await runCli(['backup', file, '--data-dir', server.dataDir]);
      duringBackup = [started, syncing.pushes()];
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /integrity ok/);
      assert.match(result.stdout, /secret\.key/); // the reminder to keep the key that seals the VAPID key
    } finally {
      await syncing.stop();
    }
    assert.ok(duringBackup[1] > duringBackup[0], `the server kept writing during the backup (${duringBackup})`);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(
      readdirSync(backupDir).filter((n) => n.includes('partial')),
      [],
    );

    const copy = new DatabaseSync(file);
    try {
      assert.deepEqual(missingRows(before, dumpTables(copy)), [], 'every row from before the backup is in it');
      const synced = (
        copy.prepare('SELECT count(*) AS n FROM entries WHERE logbook_id = ?').get(logbook.id) as { n: number }
      ).n;
      assert.ok(synced >= before.get('entries')!.size - 5 * 4 * 10, 'it holds what crew synced');
      assert.equal(synced % 5, 0, `no push request is cut in half (${synced} entries)`);
      const pending = copy.prepare('SELECT pending_count FROM notify_state WHERE logbook_id = ?').get(logbook.id) as
        | { pending_count: number }
        | undefined;
      assert.equal(pending?.pending_count, synced, 'the pending notification counts exactly the entries in the copy');
    } finally {
      copy.close();
    }

    // Restore as the README says: the copy becomes the database of a fresh data dir, next to
    // the secret.key kept from the original (the VAPID private key is sealed with it).
    copyFileSync(file, path.join(restoredDir, 'crewbell.db'));
    const secretKey = path.join(server.dataDir, 'secret.key');
    if (existsSync(secretKey)) copyFileSync(secretKey, path.join(restoredDir, 'secret.key'));
    const restored = await startServer({ dataDir: restoredDir });
    try {
      assert.equal((await fetch(`${restored.url}/healthz`)).status, 200);
      const rdb = restored.db();
      try {
        assert.deepEqual(missingRows(before, dumpTables(rdb)), []);
        assert.equal(
          (rdb.prepare('PRAGMA user_version').get() as { user_version: number }).user_version,
          latestSchemaVersion(),
        );
      } finally {
        rdb.close();
      }
      // The restored server knows the crew's session and serves what was synced.
      const pulled = await new Client(restored.url, restored.origin);
      pulled.cookies = mate.client.cookies;
      const res = await pulled.get(`/api/sync/pull?logbookId=${logbook.id}`);
      assert.equal(res.status, 200, res.text);
      assert.ok(res.body.items.length > 0);
    } finally {
      assert.equal(await restored.stop(), 0);
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
    const refused = await cli(['backup', file, '--data-dir', server.dataDir]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /exists; pass --force/);

    const forced = await cli(['backup', file, '--force', '--data-dir', server.dataDir]);
    assert.equal(forced.code, 0, forced.stderr);
    const copy = new DatabaseSync(file, { readOnly: true });
    assert.equal(
      (copy.prepare('PRAGMA user_version').get() as { user_version: number }).user_version,
      latestSchemaVersion(),
    );
    copy.close();

    const missing = await cli(['backup', path.join(dir, 'none.db'), '--data-dir', path.join(dir, 'no-data')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no database at/);
    assert.equal(existsSync(path.join(dir, 'none.db')), false);

    const usage = await cli(['backup', '--data-dir', server.dataDir]);
    assert.equal(usage.code, 2);
  } finally {
    await server.stop();
    server.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});
