// Off-box replication with real Litestream 0.3.13, configured from systemd/litestream.yml:
// crew write while Litestream streams the database to a file replica (a USB stick) or over
// SFTP to another machine (OpenSSH on 127.0.0.1); crewbell and Litestream are SIGKILLed
// together mid-write; the card is gone; `crewbell restore` brings the replica back with the
// secret key from its paper copy. Nothing acknowledged more than 2 s before the crash is
// lost, the VAPID key is the same, and the skipper's old subscription still gets pushes.
//
// S3-compatible replicas (Backblaze B2, AWS, MinIO) are NOT tested: no faithful S3 server
// runs here. s3rver 3.7.1 (npm) stored Litestream's snapshot, but `litestream restore` then
// answered "no matching backups found", so a pass or fail there would say nothing about S3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { startServer, runCli, tempDir, waitFor } from '../helpers/server.ts';
import { crewAboard } from '../helpers/crew.ts';
import { startPushService } from '../helpers/push-service.ts';
import {
  keepWriting,
  LITESTREAM,
  noSshd,
  startReplicate,
  startSshd,
  writeConfig,
  type Replica,
} from '../helpers/litestream.ts';
import { latestSchemaVersion } from '../../src/db.ts';

/** What the issue promises: a crash loses at most the last 2 s of acknowledged writes. */
const PROMISED_WINDOW_MS = 2000;
const SERVE_FLAGS = ['--push-allow-insecure', '--notify-debounce', '100ms', '--notify-throttle', '100ms'];

async function shipwreckAndRestore(
  t: { diagnostic(msg: string): void },
  replicaFor: (work: string) => Replica,
): Promise<void> {
  const ps = await startPushService();
  const work = tempDir('crewbell-replication-');
  // The SD card's data dir; after the crash a fresh, empty one at the same path.
  const dataDir = path.join(work, 'var-lib-crewbell');
  const config = writeConfig(work, path.join(dataDir, 'crewbell.db'), replicaFor(work));
  let server = await startServer({ dataDir, flags: SERVE_FLAGS });
  const replicator = startReplicate(config);
  try {
    const { skipper, mate, logbook } = await crewAboard(server);
    const vapidKey = (await skipper.client.get('/api/push/vapid-public-key')).body.publicKey as string;
    const phone = ps.createDevice({ applicationServerKey: vapidKey });
    assert.equal((await skipper.client.put('/api/push/subscription', phone.subscription)).status, 200);
    assert.equal((await skipper.client.put('/api/push/prefs', { collaboratorChangesEnabled: true })).status, 200);
    await replicator.ready();

    const writing = keepWriting(mate.client, logbook.id);
    const started = Date.now();
    await waitFor(
      () => writing.acked.size >= 40 && Date.now() - started > 3000,
      '40 acknowledged entries over 3 s',
      60_000,
    );
    // The crash: both processes at once, with writes in flight.
    const crashAt = Date.now();
    await Promise.all([server.kill(), replicator.kill()]);
    await writing.stop();
    const acked = [...writing.acked];
    assert.ok(ps.delivered(phone).length >= 1, 'the skipper was told before the crash');

    // The card dies; only the paper copy of the key survives.
    const secretKey = readFileSync(path.join(dataDir, 'secret.key'), 'utf8').trim();
    renameSync(dataDir, path.join(work, 'dead-card'));
    const restore = await runCli(
      [
        'restore',
        '--data-dir',
        dataDir,
        '--litestream-config',
        config,
        '--litestream',
        LITESTREAM,
        '--secret-key',
        '-',
      ],
      { input: secretKey },
    );
    assert.equal(restore.code, 0, restore.stdout + restore.stderr);
    assert.match(
      restore.stdout,
      new RegExp(`restored .*crewbell\\.db in [\\d.]+ s: integrity ok, schema step ${latestSchemaVersion()}`),
    );
    assert.match(restore.stdout, /phones keep their subscriptions/);
    assert.equal(statSync(path.join(dataDir, 'secret.key')).mode & 0o777, 0o600);
    assert.equal(statSync(path.join(dataDir, 'crewbell.db')).mode & 0o777, 0o600);

    const before = ps.delivered(phone).length;
    // On the same port, so that the phones' clients (origin, cookies) carry on as they were.
    server = await startServer({ dataDir, flags: [...SERVE_FLAGS, '--port', String(server.port)] });
    const stored = new Set(
      server
        .query<{ entity_id: string }>('SELECT entity_id FROM entries WHERE logbook_id = ?', logbook.id)
        .map((r) => r.entity_id),
    );
    const promised = acked.filter(([, at]) => at < crashAt - PROMISED_WINDOW_MS);
    const lost = promised.filter(([id]) => !stored.has(id));
    const recent = acked.filter(([, at]) => at >= crashAt - PROMISED_WINDOW_MS);
    t.diagnostic(
      `${acked.length} acknowledged, ${promised.length} more than 2 s before the crash (${lost.length} lost), ${recent.filter(([id]) => stored.has(id)).length} of ${recent.length} from the last 2 s kept`,
    );
    assert.ok(promised.length >= 20, `enough writes before the window (${promised.length})`);
    assert.deepEqual(lost, [], 'entries acknowledged more than 2 s before the crash are all there');

    assert.equal(
      (await skipper.client.get('/api/push/vapid-public-key')).body.publicKey,
      vapidKey,
      'the same VAPID key',
    );
    // Sessions came back too: the mate's phone goes on syncing, and the skipper's old
    // subscription is told, signed with the same key (the push service checks k and the JWT).
    const more = await mate.client.post('/api/sync/push', {
      items: [{ logbookId: logbook.id, entityId: 'after-the-restore', action: 'create', payload: 'AAAA' }],
    });
    assert.equal(more.body.results[0].status, 'success', more.text);
    const delivered = await ps.waitForDelivered(before + 1, phone, 30_000);
    assert.equal(delivered.at(-1)!.payload.data.logbookId, logbook.id);
    assert.deepEqual(ps.rejected, []);
  } finally {
    await replicator.kill();
    await server.stop();
    await ps.close();
    rmSync(work, { recursive: true, force: true });
  }
}

test('file replica (a USB stick): SIGKILL during crew writes, restore, start: nothing acknowledged 2 s before the crash is lost, same VAPID key, old subscription still pushed', async (t) => {
  await shipwreckAndRestore(t, (work) => ({ type: 'file', path: path.join(work, 'usb-stick/crewbell') }));
});

test('SFTP replica (OpenSSH on 127.0.0.1, key auth): SIGKILL during crew writes, restore, start: the same promises', {
  skip: noSshd,
}, async (t) => {
  const sshd = await startSshd();
  try {
    await shipwreckAndRestore(t, () => ({
      type: 'sftp',
      host: sshd.host,
      user: sshd.user,
      keyPath: sshd.keyPath,
      path: path.join(sshd.home, 'replica/crewbell'),
    }));
  } catch (err) {
    t.diagnostic(`sshd said:\n${sshd.output()}`);
    throw err;
  } finally {
    await sshd.stop();
  }
});

test('S3-compatible replica (Backblaze B2, AWS, MinIO)', {
  skip: 'untested here: no faithful S3 server runs on this machine (s3rver 3.7.1 stored the snapshot, but Litestream 0.3.13 restore found "no matching backups")',
}, () => {});
