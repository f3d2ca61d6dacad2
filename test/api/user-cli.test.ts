// `crewbell user invite|list|delete` in this process against a real data dir, with the sign-up
// link used on the in-process app: the link is the last line, works once, makes an admin when asked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/server.ts';
import { startApp, type TestApp } from '../helpers/app.ts';
import { cli } from '../helpers/cli.ts';
import { signUp, SoftAuthenticator } from '../helpers/passkey.ts';
import { createUserWithSession } from '../helpers/accounts.ts';
import { rmSync } from 'node:fs';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function lastLine(text: string): string {
  return text.trimEnd().split('\n').at(-1)!;
}

function tokenOf(link: string): string {
  return new URL(link).searchParams.get('token')!;
}

function count(server: TestApp, query: string, ...params: string[]): number {
  return Number(server.query<{ n: number }>(query, ...params)[0]!.n);
}

test('user invite prints the sign-up link last; its token signs up once, as an admin with --admin', async () => {
  const dataDir = tempDir();
  const invite = await cli([
    'user',
    'invite',
    'Skipper',
    '--admin',
    '--data-dir',
    dataDir,
    '--origin',
    'https://boat.example.org',
  ]);
  assert.equal(invite.code, 0, invite.stderr);
  const link = lastLine(invite.stdout);
  assert.match(link, /^https:\/\/boat\.example\.org\/signup\?token=[A-Za-z0-9_-]{32,}$/);
  assert.doesNotMatch(invite.stdout, /\x1b\[/, 'no QR code when stdout is not a terminal');
  assert.match(invite.stdout, /Skipper \(admin\).*valid until \d{4}-\d\d-\d\dT/);
  const token = tokenOf(link);

  const server = startApp({ dataDir });
  try {
    const db = server.db();
    const rows = db
      .prepare(
        'SELECT token_hash, username, is_admin, expires_at - created_at AS life FROM signup_tokens WHERE first_start = 0',
      )
      .all() as any[];
    db.close();
    assert.equal(rows.length, 1);
    assert.equal(rows[0].token_hash, sha256(token), 'only the SHA-256 is stored');
    assert.equal(rows[0].is_admin, 1);
    assert.equal(rows[0].life, 7 * 86_400_000);
    assert.ok(
      !readFileSync(path.join(dataDir, 'crewbell.db')).includes(token),
      'the token itself is nowhere in the database',
    );

    const { user } = await signUp(server, 'skipper', { inviteToken: token });
    assert.equal(user.isAdmin, true);
    const again = server.anonymous();
    const second = await again.post('/api/auth/register/options', { username: 'skipper2', inviteToken: token });
    assert.equal(second.status, 403);
    assert.equal(second.body.error.code, 'registration_closed');
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('user invite without --origin uses CREWBELL_ORIGIN, else http://localhost:8080; a plain invite makes no admin', async () => {
  const dataDir = tempDir();
  try {
    const fromEnv = await cli(['user', 'invite', 'deckhand', '--data-dir', dataDir], {
      env: { CREWBELL_ORIGIN: 'https://marina.example.net' },
    });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    assert.match(lastLine(fromEnv.stdout), /^https:\/\/marina\.example\.net\/signup\?token=/);
    const plain = await cli(['user', 'invite', 'cook', '--data-dir', dataDir], { env: { CREWBELL_ORIGIN: '' } });
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(lastLine(plain.stdout), /^http:\/\/localhost:8080\/signup\?token=/);
    assert.doesNotMatch(plain.stdout, /admin/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('user invite on a terminal draws a QR code and still ends with the link', async () => {
  const dataDir = tempDir();
  try {
    const { code, stdout: out } = await cli(['user', 'invite', 'navigator', '--data-dir', dataDir], { isTTY: true });
    assert.equal(code, 0);
    assert.match(out, /[▀▄█]/, 'QR blocks were drawn');
    assert.match(lastLine(out), /^http:\/\/localhost:8080\/signup\?token=[A-Za-z0-9_-]+$/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('user invite refuses: a taken username → exit 1; no NAME, a bad NAME or a bad --origin → exit 2; one line each', async () => {
  const server = startApp({ flags: ['--open-registration'] });
  try {
    await signUp(server, 'Bosun');
    const cases: Array<[string[], number, RegExp]> = [
      [['user', 'invite', 'bosun'], 1, /username "bosun" is taken/],
      [['user', 'invite'], 2, /needs a username/],
      [['user', 'invite', 'x'], 2, /at least 3 characters/],
      [['user', 'invite', 'no spaces'], 2, /may only contain/],
      [['user', 'invite', 'okname', '--origin', 'ftp://boat'], 2, /--origin/],
      [['user', 'delete'], 2, /needs a username/],
      [['user', 'list', 'extra'], 2, /unexpected argument/],
    ];
    for (const [args, code, pattern] of cases) {
      const r = await cli([...args, '--data-dir', server.dataDir]);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line for ${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.equal(r.stdout, '', `${args.join(' ')} prints no link`);
    }
    assert.equal(count(server, 'SELECT COUNT(*) AS n FROM signup_tokens WHERE first_start = 0'), 0);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('user list shows username, admin, passkeys and created for every account', async () => {
  const server = startApp({ flags: ['--open-registration'] });
  try {
    const empty = await cli(['user', 'list', '--data-dir', server.dataDir]);
    assert.equal(empty.code, 0);
    assert.match(empty.stderr, /no accounts yet/);
    const captain = await signUp(server, 'captain');
    const laptop = new SoftAuthenticator(server.origin);
    const start = await captain.client.post('/api/auth/passkeys/options', {});
    assert.equal(
      (await captain.client.post('/api/auth/passkeys/verify', { response: laptop.register(start.body.options) }))
        .status,
      200,
    );
    createUserWithSession(server, 'admiral', { isAdmin: true });

    const r = await cli(['user', 'list', '--data-dir', server.dataDir]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.trim().split(/\s{2,}/));
    assert.deepEqual(lines[0], ['USERNAME', 'ADMIN', 'PASSKEYS', 'CREATED (UTC)']);
    const byName = new Map(lines.slice(1).map((cols) => [cols[0], cols]));
    assert.equal(byName.size, 2);
    assert.deepEqual(byName.get('captain')!.slice(1, 3), ['no', '2']);
    assert.deepEqual(byName.get('admiral')!.slice(1, 3), ['yes', '0']);
    assert.match(byName.get('captain')![3]!, /^\d{4}-\d\d-\d\d \d\d:\d\d$/);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('user delete removes the account and what it owns; deleting an unknown name warns and exits 0', async () => {
  const server = startApp({ flags: ['--open-registration'] });
  try {
    const { client, user } = await signUp(server, 'Purser');
    const keeper = await signUp(server, 'keeper');
    const r = await cli(['user', 'delete', 'purser', '--data-dir', server.dataDir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /deleted user Purser/);
    for (const table of ['users WHERE id = ?', 'sessions WHERE user_id = ?', 'passkeys WHERE user_id = ?']) {
      assert.equal(count(server, `SELECT COUNT(*) AS n FROM ${table}`, user.id), 0, table);
    }
    assert.equal((await client.get('/api/auth/me')).status, 401, 'the running server sees the session gone');
    assert.equal((await keeper.client.get('/api/auth/me')).status, 200, 'others are untouched');

    const again = await cli(['user', 'delete', 'purser', '--data-dir', server.dataDir]);
    assert.equal(again.code, 0);
    assert.equal(again.stdout, '');
    assert.equal(again.stderr.trim().split('\n').length, 1);
    assert.match(again.stderr, /no user named "purser"/);
  } finally {
    await server.stop();
    server.cleanup();
  }
});
