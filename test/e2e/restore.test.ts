// `crewbell restore`, `crewbell secret show|import` and doctor's replication line, against
// one real Litestream file replica made by a running crewbell: what restore refuses (an
// existing database, no secret key, the wrong key), --new-keys, --force, and the key given
// back through a file, a flag, stdin or a replica URL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chownSync,
  copyFileSync,
  cpSync,
  lstatSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { runCli, startServer, tempDir, waitFor } from '../helpers/server.ts';
import { cli } from '../helpers/cli.ts';
import { crewAboard } from '../helpers/crew.ts';
import { LITESTREAM, startReplicate, writeConfig } from '../helpers/litestream.ts';

let work: string;
/** The dead card's data dir path, which the config names; each test restores into it afresh. */
let dataDir: string;
let config: string;
let replicaDir: string;
let secretKey: string;
let vapidKey: string;
let entryIds: string[];

const L = ['--litestream', LITESTREAM];

before(async () => {
  work = tempDir('crewbell-restore-');
  dataDir = path.join(work, 'card');
  replicaDir = path.join(work, 'usb/crewbell');
  config = writeConfig(work, path.join(dataDir, 'crewbell.db'), { type: 'file', path: replicaDir });
  const server = await startServer({ dataDir });
  const replicator = startReplicate(config);
  try {
    const { mate, logbook } = await crewAboard(server);
    await replicator.ready();
    entryIds = ['first', 'second', 'third'];
    // One entry at a time, over a few seconds: WAL segments dated to different seconds.
    const segments = () => replicator.output().match(/wal segment written/g)?.length ?? 0;
    for (const entityId of entryIds) {
      await new Promise((r) => setTimeout(r, 1100));
      const res = await mate.client.post('/api/sync/push', {
        items: [{ logbookId: logbook.id, entityId, action: 'create', payload: 'AAAA' }],
      });
      assert.equal(res.status, 200, res.text);
      const now = segments();
      await waitFor(() => segments() > now, `${entityId} to reach the replica`, 30_000);
    }
    vapidKey = server.query<{ public_key: string }>('SELECT public_key FROM vapid_keys')[0]!.public_key;
  } finally {
    await server.stop();
    await replicator.stop();
  }
  secretKey = readFileSync(path.join(dataDir, 'secret.key'), 'utf8').trim();
  rmSync(dataDir, { recursive: true });
  // As it stands now, for the test that damages a copy (doctor's test replicates on into replicaDir).
  cpSync(replicaDir, path.join(work, 'pristine'), { recursive: true, preserveTimestamps: true });
});

after(() => rmSync(work, { recursive: true, force: true }));

function fresh(): void {
  rmSync(dataDir, { recursive: true, force: true });
}

function restoredEntries(): string[] {
  return entryIds.filter((id) => readFileSync(path.join(dataDir, 'crewbell.db')).includes(id));
}

test('restore --help names every flag', async () => {
  const help = await cli(['restore', '--help']);
  assert.equal(help.code, 0);
  for (const flag of [
    '--data-dir',
    '--litestream-config',
    '--replica-url',
    '--litestream',
    '--secret-key',
    '--new-keys',
    '--force',
  ])
    assert.match(help.stdout, new RegExp(`${flag}\\b`));
  assert.match(help.stdout, /never the key itself/, 'the key is read from a file or stdin (issue 18)');
});

test('without the secret key restore refuses before fetching anything, and says how to give it back', async () => {
  fresh();
  const r = await cli(['restore', '--data-dir', dataDir, '--litestream-config', config, ...L]);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /no secret key: .*secret\.key is missing \(it is never replicated\).*--secret-key.*--new-keys/,
  );
  assert.ok(!existsSync(path.join(dataDir, 'crewbell.db')));
});

test('the wrong secret key is refused and leaves no database and no key behind', async () => {
  fresh();
  const wrong = Buffer.alloc(32, 7).toString('base64url');
  const r = await runCli(['restore', '--data-dir', dataDir, '--litestream-config', config, ...L, '--secret-key', '-'], {
    input: wrong,
  });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /not the one it was sealed with/);
  assert.ok(!existsSync(path.join(dataDir, 'crewbell.db')));
  assert.ok(!existsSync(path.join(dataDir, 'secret.key')));
});

test('the key from a secret import: restore puts the replica in place, and refuses to overwrite it without --force', async () => {
  fresh();
  const imported = await runCli(['secret', 'import', '-', '--data-dir', dataDir], { input: `${secretKey}\n` });
  assert.equal(imported.code, 0, imported.stderr);
  const r = await cli(['restore', '--data-dir', dataDir, '--litestream-config', config, ...L]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(restoredEntries(), entryIds);
  const show = await cli(['vapid', 'show', '--data-dir', dataDir]);
  assert.equal(show.stdout.trim(), vapidKey, 'the VAPID key opens with the imported secret');

  const hash = () =>
    createHash('sha256')
      .update(readFileSync(path.join(dataDir, 'crewbell.db')))
      .digest('hex');
  const was = hash();
  const again = await cli(['restore', '--data-dir', dataDir, '--litestream-config', config, ...L]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /crewbell\.db exists; pass --force/);
  assert.equal(hash(), was);
});

test('--force replaces a database that is there (a wrong one) with the replica', async () => {
  fresh();
  mkdirSync(dataDir);
  writeFileSync(path.join(dataDir, 'crewbell.db'), 'not the logbook');
  const r = await runCli(
    ['restore', '--data-dir', dataDir, '--litestream-config', config, ...L, '--secret-key', '-', '--force'],
    { input: secretKey },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(restoredEntries(), entryIds);
});

test('a replica URL instead of a config, and the key on stdin', async () => {
  fresh();
  const r = await runCli(
    ['restore', '--data-dir', dataDir, '--replica-url', `file://${replicaDir}`, ...L, '--secret-key', '-'],
    { input: secretKey },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(path.join(dataDir, 'secret.key'), 'utf8').trim(), secretKey);
  assert.deepEqual(restoredEntries(), entryIds);
});

test('--new-keys: no key left, so new push keys, with the warning that phones must subscribe again', async () => {
  fresh();
  const r = await cli(['restore', '--data-dir', dataDir, '--litestream-config', config, ...L, '--new-keys']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /new push keys; every phone must subscribe again/);
  assert.deepEqual(restoredEntries(), entryIds);
  const show = await cli(['vapid', 'show', '--data-dir', dataDir]);
  assert.equal(show.code, 0, show.stderr);
  assert.notEqual(show.stdout.trim(), vapidKey);
  assert.notEqual(readFileSync(path.join(dataDir, 'secret.key'), 'utf8').trim(), secretKey);
});

test('secret show prints the key (a QR code with --qr); secret import refuses a key the push keys do not open', async () => {
  fresh();
  assert.equal(
    (
      await runCli(['restore', '--data-dir', dataDir, '--litestream-config', config, ...L, '--secret-key', '-'], {
        input: secretKey,
      })
    ).code,
    0,
  );
  const show = await cli(['secret', 'show', '--data-dir', dataDir]);
  assert.equal(show.code, 0);
  assert.equal(show.stdout.trim(), secretKey);
  assert.match(show.stderr, /keep this apart from the database and its replicas/);
  const qr = await cli(['secret', 'show', '--qr', '--data-dir', dataDir]);
  assert.match(qr.stdout, /[▀▄█]/);
  assert.equal(qr.stdout.trim().split('\n').at(-1), secretKey);

  const other = Buffer.alloc(32, 9).toString('base64url');
  const refused = await runCli(['secret', 'import', '-', '--data-dir', dataDir], { input: other });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /holds a different key; pass --force/);
  rmSync(path.join(dataDir, 'secret.key'));
  const wrong = await runCli(['secret', 'import', '--data-dir', dataDir], { input: other });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /not the one it was sealed with/);
  assert.ok(!existsSync(path.join(dataDir, 'secret.key')));
  const none = await cli(['secret', 'show', '--data-dir', dataDir]);
  assert.equal(none.code, 1);
});

test('no key on a command line: secret import and --secret-key refuse a key in argv and say to use stdin or a file (issue 18)', async () => {
  fresh();
  const imported = await runCli(['secret', 'import', secretKey, '--data-dir', dataDir]);
  assert.equal(imported.code, 2, imported.stderr);
  assert.match(
    imported.stderr,
    /never taken from the command line .*crewbell secret import - .*crewbell secret import FILE/,
  );
  assert.ok(!existsSync(path.join(dataDir, 'secret.key')));
  const restored = await runCli([
    'restore',
    '--data-dir',
    dataDir,
    '--litestream-config',
    config,
    ...L,
    '--secret-key',
    secretKey,
  ]);
  assert.equal(restored.code, 2, restored.stderr);
  assert.match(restored.stderr, /never taken from the command line .*--secret-key - .*--secret-key FILE/);
  assert.ok(!existsSync(path.join(dataDir, 'crewbell.db')));

  // From a file: the form for a key kept in a password manager's export or on a USB stick.
  const keyFile = path.join(work, 'key.txt');
  writeFileSync(keyFile, `${secretKey}\n`, { mode: 0o600 });
  const fromFile = await runCli(['secret', 'import', keyFile, '--data-dir', dataDir]);
  assert.equal(fromFile.code, 0, fromFile.stderr);
  assert.equal(readFileSync(path.join(dataDir, 'secret.key'), 'utf8').trim(), secretKey);
  fresh();
  const restoreFromFile = await runCli([
    'restore',
    '--data-dir',
    dataDir,
    '--litestream-config',
    config,
    ...L,
    '--secret-key',
    keyFile,
  ]);
  assert.equal(restoreFromFile.code, 0, restoreFromFile.stderr);
  assert.deepEqual(restoredEntries(), entryIds);
  rmSync(keyFile);
});

const NOBODY = 65534;

test('restore run as root: a link planted at secret.key is refused, not written through; the files go to the data dir owner by handle (issue 18)', {
  skip: process.getuid?.() !== 0 && 'needs root',
}, async () => {
  fresh();
  mkdirSync(dataDir, { mode: 0o700 });
  chownSync(dataDir, NOBODY, NOBODY);
  // The service user plants a dangling link where restore writes the key.
  const outside = path.join(work, 'outside-target');
  rmSync(outside, { force: true });
  symlinkSync(outside, path.join(dataDir, 'secret.key'));
  const r = await runCli(
    ['restore', '--data-dir', dataDir, '--litestream-config', config, ...L, '--secret-key', '-', '--force'],
    {
      input: secretKey,
    },
  );
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /secret\.key is not a plain file \(a link\?\): refusing/);
  assert.ok(!existsSync(outside), 'nothing written through the link');
  assert.ok(lstatSync(path.join(dataDir, 'secret.key')).isSymbolicLink(), 'the link is left for the admin to see');

  // Without the link: the key and the database belong to the data dir's owner, mode 0600,
  // and no temp file is left beside them.
  rmSync(path.join(dataDir, 'secret.key'));
  const ok = await runCli(
    ['restore', '--data-dir', dataDir, '--litestream-config', config, ...L, '--secret-key', '-', '--force'],
    {
      input: secretKey,
    },
  );
  assert.equal(ok.code, 0, ok.stderr);
  for (const name of ['secret.key', 'crewbell.db']) {
    const st = statSync(path.join(dataDir, name));
    assert.deepEqual([st.uid, st.gid, st.mode & 0o777], [NOBODY, NOBODY, 0o600], name);
  }
  assert.deepEqual(readdirSync(dataDir).sort(), ['crewbell.db', 'secret.key']);
  // secret import refuses the link the same way.
  rmSync(path.join(dataDir, 'secret.key'));
  symlinkSync(outside, path.join(dataDir, 'secret.key'));
  const imported = await runCli(['secret', 'import', '-', '--force', '--data-dir', dataDir], { input: secretKey });
  assert.equal(imported.code, 1, imported.stderr);
  assert.match(imported.stderr, /refusing/);
  assert.ok(!existsSync(outside));
});

function replicationLine(stdout: string): string {
  return stdout.split('\n').find((l) => /^\S+\s+replication\s/.test(l)) ?? '';
}

test('doctor: how far behind the replica is, a replica left behind, the key beside a replica, a config without this database', async () => {
  fresh();
  assert.equal(
    (
      await runCli(['restore', '--data-dir', dataDir, '--litestream-config', config, ...L, '--secret-key', '-'], {
        input: secretKey,
      })
    ).code,
    0,
  );
  const doctor = (...extra: string[]) =>
    cli(['doctor', '--data-dir', dataDir, '--litestream-config', config, ...L, ...extra]);

  const none = await cli(['doctor', '--data-dir', dataDir], { env: { CREWBELL_LITESTREAM_CONFIG: '' } });
  if (!existsSync('/etc/litestream.yml'))
    assert.match(replicationLine(none.stdout), /^ok\s+replication\s+not configured/);

  // Litestream replicating the restored database: caught up within its 1 s sync interval.
  const replicator = startReplicate(config);
  try {
    await replicator.ready();
    const caughtUp = await doctor();
    assert.match(replicationLine(caughtUp.stdout), /^ok\s+replication\s+file [01] s behind \(newest \d{4}-/);
  } finally {
    await replicator.stop();
  }
  // Litestream stopped, and crewbell committed 5 minutes after the replica's newest segment.
  const wal = existsSync(path.join(dataDir, 'crewbell.db-wal'))
    ? path.join(dataDir, 'crewbell.db-wal')
    : path.join(dataDir, 'crewbell.db');
  const later = new Date(Date.now() + 5 * 60_000);
  utimesSync(wal, later, later);
  const behind = await doctor();
  assert.match(
    replicationLine(behind.stdout),
    /^problem\s+replication\s+file (29\d|30\d) s behind.*fix: is Litestream running\?/,
  );

  copyFileSync(path.join(dataDir, 'secret.key'), path.join(replicaDir, '..', 'secret.key'));
  const beside = await doctor();
  assert.match(replicationLine(beside.stdout), /^problem\s+replication\s+.*secret\.key sits beside the replica/);
  rmSync(path.join(replicaDir, '..', 'secret.key'));

  const otherConfig = writeConfig(path.join(work, 'usb'), path.join(work, 'elsewhere/crewbell.db'), {
    type: 'file',
    path: replicaDir,
  });
  const unnamed = await cli(['doctor', '--data-dir', dataDir, '--litestream-config', otherConfig, ...L]);
  assert.match(replicationLine(unnamed.stdout), /^problem\s+replication\s+.*does not name/);
  rmSync(otherConfig);

  const noBinary = await doctor('--litestream', path.join(work, 'no-litestream-here'));
  assert.match(replicationLine(noBinary.stdout), /^problem\s+replication\s+.*litestream is not on PATH/);
});

test('a WAL segment cut short by a crash (Litestream 0.3.13 writes SFTP segments in place): restore goes back to the second before it, and says so', async () => {
  fresh();
  const copy = path.join(work, 'cut-short');
  cpSync(path.join(work, 'pristine'), copy, { recursive: true, preserveTimestamps: true });
  const segments = readdirSync(path.join(copy, 'generations')).flatMap((generation) => {
    const walDir = path.join(copy, 'generations', generation, 'wal');
    return existsSync(walDir) ? readdirSync(walDir).map((name) => path.join(walDir, name)) : [];
  });
  const newest = segments.sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs).at(-1)!;
  // Cut short, keeping the time it was written (Litestream dates segments by it).
  const { atime, mtime } = statSync(newest);
  truncateSync(newest, 10);
  utimesSync(newest, atime, mtime);
  const r = await runCli(
    ['restore', '--data-dir', dataDir, '--replica-url', `file://${copy}`, ...L, '--secret-key', '-'],
    { input: secretKey },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /newest WAL segment was cut short .*restored up to \d{4}-\d\d-\d\dT[\d:]+Z, the second before it/,
  );
  assert.match(r.stdout, /integrity ok/);
  assert.equal((await cli(['vapid', 'show', '--data-dir', dataDir])).stdout.trim(), vapidKey);
});
