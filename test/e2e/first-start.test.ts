// A fresh install needs no second command: while the database has no account, `serve`
// prints a one-time admin sign-up link (a QR code too on a terminal). Each start makes a new
// one and kills the previous; once any account exists the link is dead and none is printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mainTs, runCli, startServer, tempDir, waitFor, type TestServer } from '../helpers/server.ts';
import { Client, assertError } from '../helpers/client.ts';
import { signUp } from '../helpers/passkey.ts';
import { createUserWithSession } from '../helpers/accounts.ts';
import { rmSync } from 'node:fs';

const LINK = /^(http:\/\/localhost:\d+)\/signup\?token=([A-Za-z0-9_-]{32,})$/gm;

function links(server: TestServer): { origin: string; token: string }[] {
  return [...server.output().matchAll(LINK)].map((m) => ({ origin: m[1]!, token: m[2]! }));
}

/** The first-start link of a server that just started, waited for (it follows the listening line). */
async function linkOf(server: TestServer): Promise<string> {
  await waitFor(() => links(server).length > 0, 'the first-start link', 20_000);
  return links(server)[0]!.token;
}

async function tryToken(server: TestServer, token: string, username = 'bosun') {
  return new Client(server.url, server.origin).post('/api/auth/register/options', { username, inviteToken: token });
}

test('a fresh start prints one admin sign-up link; it makes an admin with the name its opener picks, then dies', async () => {
  const server = await startServer();
  try {
    const token = await linkOf(server);
    assert.equal(links(server).length, 1, 'printed once');
    assert.equal(links(server)[0]!.origin, server.origin, "on the server's origin");
    assert.match(server.output(), /No account yet\. Open this one-time link to make the admin account/);
    assert.doesNotMatch(server.output(), /\x1b\[/, 'no QR code when stdout is not a terminal');
    const [row] = server.query('SELECT token_hash, is_admin, first_start FROM signup_tokens');
    assert.deepEqual(row, {
      token_hash: createHash('sha256').update(token).digest('hex'),
      is_admin: 1,
      first_start: 1,
    });

    const captain = await signUp(server, 'Captain', { inviteToken: token });
    assert.deepEqual(
      { username: captain.user.username, isAdmin: captain.user.isAdmin },
      { username: 'Captain', isAdmin: true },
    );
    assertError(await tryToken(server, token), 403, 'registration_closed');
  } finally {
    await server.stop();
  }
  const again = await startServer({ dataDir: server.dataDir });
  try {
    await again.stop();
    assert.deepEqual(links(again), [], 'an account exists: no link at the next start');
    assert.deepEqual(again.query('SELECT token_hash FROM signup_tokens WHERE first_start = 1'), []);
  } finally {
    again.cleanup();
  }
});

test('each start makes a new link and kills the one before', async () => {
  const first = await startServer();
  const old = await linkOf(first);
  await first.stop();
  const second = await startServer({ dataDir: first.dataDir });
  try {
    const fresh = await linkOf(second);
    assert.notEqual(fresh, old);
    assertError(await tryToken(second, old), 403, 'registration_closed');
    assert.equal((await tryToken(second, fresh)).status, 200);
    assert.equal(second.query('SELECT token_hash FROM signup_tokens WHERE first_start = 1').length, 1);
  } finally {
    await second.stop();
    second.cleanup();
  }
});

test('the link dies once any account exists, however it was made', async () => {
  const server = await startServer();
  try {
    const token = await linkOf(server);
    assert.equal((await tryToken(server, token)).status, 200, 'alive while there is no account');
    createUserWithSession(server, 'skipper', { isAdmin: true });
    assertError(await tryToken(server, token), 403, 'registration_closed');
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('on a terminal the link comes with a QR code', async () => {
  const dataDir = tempDir();
  // `script` gives serve a real pseudo-terminal for stdout.
  const child = spawn(
    'script',
    ['-qfec', `${process.execPath} ${mainTs} serve --port 0 --data-dir ${dataDir}`, '/dev/null'],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await waitFor(() => /\/signup\?token=[A-Za-z0-9_-]{32,}/.test(out), 'the link on the terminal', 20_000);
    const before = out.slice(out.indexOf('No account yet'), out.search(/http:\/\/localhost:\d+\/signup/));
    assert.match(before, /[▀▄█]/, 'a QR code between the notice and the link');
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('the link comes back when the account count returns to zero while the server runs (issue 18)', async () => {
  const server = await startServer();
  try {
    const first = await linkOf(server);
    const captain = await signUp(server, 'Captain', { inviteToken: first });
    assert.equal(captain.user.isAdmin, true);
    // The only account goes (here through the CLI, beside the running server).
    const deleted = await runCli(['user', 'delete', 'Captain', '--data-dir', server.dataDir]);
    assert.equal(deleted.code, 0, deleted.stderr);
    await waitFor(() => links(server).length === 2, 'a new first-start link', 10_000);
    const fresh = links(server)[1]!.token;
    assert.notEqual(fresh, first);
    assertError(await tryToken(server, first), 403, 'registration_closed');
    const again = await signUp(server, 'Bosun', { inviteToken: fresh });
    assert.equal(again.user.isAdmin, true);
    assert.equal(links(server).length, 2, 'printed once, not again while an account exists');
  } finally {
    await server.stop();
    server.cleanup();
  }
});
