// `crewbell doctor`: one line per check, `ok` or `problem … ; fix: …`, exit 1 on a problem.
// Each story sets up a real data dir (SQLite file, key row, secret.key) and runs the CLI in this process (helpers/cli.ts).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/server.ts';
import { cli } from '../helpers/cli.ts';
import { databasePath, latestSchemaVersion, openDatabase } from '../../src/db.ts';

const HTTPS = ['--origin', 'https://logbook.example.org', '--vapid-subject', 'mailto:skipper@example.org'];

/** What one `crewbell vapid generate` made, for the whole file; each test works on a copy. */
let generated: Promise<string> | undefined;
after(async () => {
  if (generated) rmSync(await generated, { recursive: true, force: true });
});

/** A data dir after `crewbell vapid generate`: a database with the key pair, secret.key (0600). */
async function readyDataDir(options: { keys?: boolean; secretMode?: number } = {}): Promise<string> {
  const dir = tempDir('crewbell-doctor-');
  if (options.keys ?? true) {
    generated ??= (async () => {
      const made = tempDir('crewbell-doctor-');
      const result = await cli(['vapid', 'generate', '--data-dir', made]);
      assert.equal(result.code, 0, result.stderr);
      return made;
    })();
    cpSync(await generated, dir, { recursive: true });
  } else {
    openDatabase(databasePath(dir)).close();
    writeFileSync(path.join(dir, 'secret.key'), randomBytes(32).toString('base64url'), { mode: 0o600 });
  }
  if (options.secretMode !== undefined) chmodSync(path.join(dir, 'secret.key'), options.secretMode);
  return dir;
}

function lines(stdout: string): Map<string, string> {
  const byCheck = new Map<string, string>();
  for (const line of stdout.trim().split('\n')) {
    const m = /^(ok|problem)\s+(\S+)\s/.exec(line);
    if (m) byCheck.set(m[2]!, line);
  }
  return byCheck;
}

const CHECKS = [
  'config',
  'origin',
  'subject',
  'data-dir',
  'database',
  'vapid-keys',
  'secret-key',
  'clock',
  'push',
  'replication',
];

test('doctor on a ready https setup: every check ok, exit 0', async () => {
  const dir = await readyDataDir();
  try {
    const result = await cli(['doctor', '--data-dir', dir, ...HTTPS]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const checks = lines(result.stdout);
    assert.deepEqual([...checks.keys()], CHECKS);
    for (const [name, line] of checks) assert.match(line, /^ok\s/, name);
    assert.match(
      checks.get('database')!,
      new RegExp(`schema step ${latestSchemaVersion()} of ${latestSchemaVersion()}, writable`),
    );
    assert.match(result.stdout.trim().split('\n').at(-1)!, /all 10 checks ok/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('doctor names each problem with a fix: http origin on the network, @localhost subject, no keys', async () => {
  const dir = await readyDataDir({ keys: false });
  rmSync(path.join(dir, 'secret.key'));
  try {
    const result = await cli([
      'doctor',
      '--data-dir',
      dir,
      '--origin',
      'http://pi.local:8080',
      '--vapid-subject',
      'mailto:me@localhost',
    ]);
    assert.equal(result.code, 1);
    const checks = lines(result.stdout);
    assert.match(checks.get('origin')!, /^problem .*not https.*; fix: .*reverse proxy/);
    assert.match(checks.get('subject')!, /^problem .*localhost.*; fix: set --vapid-subject/);
    assert.match(checks.get('config')!, /^problem .*--vapid-subject/);
    assert.match(checks.get('vapid-keys')!, /^problem .*; fix: run crewbell vapid generate/);
    assert.match(checks.get('secret-key')!, /^problem .*missing/);
    assert.match(checks.get('database')!, /^ok /);
    assert.match(result.stdout, /doctor: 5 problems/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('doctor: an https origin without a subject, a secret.key others can read, a clock behind the database', async () => {
  const dir = await readyDataDir({ secretMode: 0o644 });
  const db = openDatabase(databasePath(dir));
  // A row written "tomorrow": the clock now stands behind what the database has seen.
  db.prepare('INSERT INTO users (id, username, is_admin, created_at) VALUES (?, ?, 0, ?)').run(
    randomUUID(),
    'future',
    Date.now() + 86_400_000,
  );
  db.close();
  try {
    const result = await cli(['doctor', '--data-dir', dir, '--origin', 'https://logbook.example.org']);
    assert.equal(result.code, 1, 'a problem is exit 1, not a usage error');
    const checks = lines(result.stdout);
    assert.match(checks.get('subject')!, /^problem .*not set.*; fix: set --vapid-subject mailto:/);
    assert.match(checks.get('secret-key')!, /^problem .*mode 0644.*; fix: chmod 600 /);
    assert.match(checks.get('clock')!, /^problem .*behind the newest database record.*; fix: .*timedatectl/);
    assert.match(checks.get('vapid-keys')!, /^ok /);
    assert.match(checks.get('origin')!, /^ok /);

    // CREWBELL_SECRET_KEY instead of the file settles the key check.
    const withEnv = await cli(['doctor', '--data-dir', dir, ...HTTPS], {
      env: { CREWBELL_SECRET_KEY: randomBytes(32).toString('base64url') },
    });
    assert.match(lines(withEnv.stdout).get('secret-key')!, /^ok .*CREWBELL_SECRET_KEY/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('doctor says which push devices fail and why in words, as the worker recorded it; devices failing none is ok', async () => {
  const dir = await readyDataDir();
  const db = openDatabase(databasePath(dir));
  const userId = randomUUID();
  db.prepare('INSERT INTO users (id, username, is_admin, created_at) VALUES (?, ?, 0, 0)').run(userId, 'skipper');
  const device = (n: number, failingSince: number | null, reason: string | null) =>
    db
      .prepare(
        `INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, locale, created_at, failing_since, failing_reason)
         VALUES (?, ?, ?, 'k', 'a', 'en', 0, ?, ?)`,
      )
      .run(randomUUID(), userId, `https://push.example.org/${n}`, failingSince, reason);
  device(1, null, null);
  try {
    const healthy = await cli(['doctor', '--data-dir', dir, ...HTTPS]);
    assert.match(lines(healthy.stdout).get('push')!, /^ok\s+push\s+1 device, none failing$/);
    const clock = 'certificate not trusted — is the clock right? (CERT_NOT_YET_VALID)';
    device(2, Date.now() - 3 * 3_600_000, clock);
    device(3, Date.now() - 60_000, clock);
    device(4, Date.now() - 60_000, 'the push service had trouble (HTTP 503)');
    db.close();
    const result = await cli(['doctor', '--data-dir', dir, ...HTTPS]);
    assert.equal(result.code, 1);
    assert.equal(
      lines(result.stdout).get('push'),
      `problem  push        3 of 4 devices failing for 3 h: ${clock} (2); the push service had trouble (HTTP 503) (1); fix: check the clock (timedatectl), then wait for the next retry; the devices are kept`,
    );
  } finally {
    if (db.isOpen) db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('doctor: a secret.key that does not open the stored VAPID key (a restore without its key)', async () => {
  const dir = await readyDataDir();
  try {
    writeFileSync(path.join(dir, 'secret.key'), randomBytes(32).toString('base64url'), { mode: 0o600 });
    const result = await cli(['doctor', '--data-dir', dir, ...HTTPS]);
    assert.equal(result.code, 1);
    const checks = lines(result.stdout);
    assert.match(checks.get('vapid-keys')!, /^problem .*cannot be opened.*; fix: put back the secret\.key/);
    assert.match(checks.get('secret-key')!, /^ok /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('doctor on a fresh data dir says what to run, and brings an old database up to date', async () => {
  const fresh = tempDir('crewbell-doctor-');
  try {
    const result = await cli(['doctor', '--data-dir', fresh]);
    assert.equal(result.code, 1);
    assert.match(lines(result.stdout).get('database')!, /^problem .*no database.*; fix: start crewbell serve once/);
    assert.equal(existsSync(databasePath(fresh)), false, 'doctor does not create a database');

    openDatabase(databasePath(fresh), { schemaVersion: 1 }).close();
    const old = await cli(['doctor', '--data-dir', fresh]);
    assert.match(lines(old.stdout).get('database')!, new RegExp(`^ok .*schema step ${latestSchemaVersion()} of`));
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
});

test('doctor run as another user than the data dir owner does not touch the database', {
  skip: process.getuid?.() !== 0 && 'needs root to hand the folder to another uid',
}, async () => {
  const dir = await readyDataDir();
  try {
    chownSync(dir, 4242, 4242);
    const result = await cli(['doctor', '--data-dir', dir, ...HTTPS]);
    assert.equal(result.code, 1);
    assert.match(
      lines(result.stdout).get('data-dir')!,
      /^problem .*uid 4242.*; fix: run crewbell commands as the service user/,
    );
    assert.deepEqual(readdirSync(dir).sort(), ['crewbell.db', 'secret.key'], 'no -wal or -shm file left behind');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('doctor exits 2 on an unknown flag, like every command', async () => {
  const result = await cli(['doctor', '--no-such-flag']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /unknown flag --no-such-flag/);
});
