// `crewbell user recover`: the way back in for someone whose phone (and passkey) went
// overboard. The in-process app on a real data dir, the CLI in this process: the old sessions
// end at once, the link adds a passkey to the same account (logbooks and crew stay), works
// once, for one name, for 24 hours; with --remove-passkeys the old passkeys are gone too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH, createHash, randomBytes } from 'node:crypto';
import { startApp, type TestApp } from '../helpers/app.ts';
import { cli } from '../helpers/cli.ts';
import { signIn, signUp, SoftAuthenticator } from '../helpers/passkey.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const lastLine = (text: string) => text.trimEnd().split('\n').at(-1)!;

async function withServer(run: (server: TestApp) => Promise<void>): Promise<void> {
  const server = startApp({ flags: ['--open-registration'] });
  try {
    await run(server);
  } finally {
    await server.stop();
    server.cleanup();
  }
}

async function recover(server: TestApp, ...args: string[]) {
  return cli(['user', 'recover', ...args, '--data-dir', server.dataDir, '--origin', server.origin]);
}

test('a recovery link ends the old sessions, adds a passkey to the same account, and works once', async () => {
  await withServer(async (server) => {
    const skipper = await signUp(server, 'skipper');
    const logbook = await skipper.client.post('/api/logbooks', { id: crypto.randomUUID(), meta: 'c2VhbGVk' });
    assert.equal(logbook.status, 201, logbook.text);

    const out = await recover(server, 'Skipper');
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /skipper is signed out on every device \(1 session ended\)/);
    assert.match(out.stdout, /Recovery link for skipper.*valid until \d{4}-/);
    const link = new URL(lastLine(out.stdout));
    assert.equal(link.origin + link.pathname, `${server.origin}/recover`);
    const token = link.searchParams.get('token')!;
    const [row] = server.query<{ purpose: string; life: number }>(
      'SELECT purpose, expires_at - created_at AS life FROM signup_tokens WHERE token_hash = ?',
      sha256(token),
    );
    assert.deepEqual({ ...row }, { purpose: 'recover', life: 86_400_000 });

    // The lost phone's session no longer works; its passkey is still on the account.
    assert.equal((await skipper.client.get('/api/auth/me')).status, 401);
    assert.equal(server.query('SELECT id FROM passkeys WHERE user_id = ?', skipper.user.id).length, 1);

    // Whoever still holds the old phone can sign in with it until the new passkey is made;
    // making it signs everyone else out once more.
    const oldPhone = await signIn(server, skipper.authenticator);
    assert.equal((await oldPhone.client.get('/api/auth/me')).status, 200);

    // The link is for this name only.
    const stranger = server.anonymous();
    const other = await stranger.post('/api/auth/register/options', { username: 'deckhand', inviteToken: token });
    assert.equal(other.status, 403);
    assert.match(other.body.error.message, /recovery link is for the username "skipper"/);

    // A new phone: same account, its old passkey excluded, a new one added.
    const phone = server.anonymous();
    const start = await phone.post('/api/auth/register/options', { username: 'SKIPPER', inviteToken: token });
    assert.equal(start.status, 200, start.text);
    assert.equal(Buffer.from(start.body.options.user.id, 'base64url').toString(), skipper.user.id);
    assert.deepEqual(
      start.body.options.excludeCredentials.map((c: { id: string }) => c.id),
      [skipper.authenticator.credentials[0]!.id],
    );
    const authenticator = new SoftAuthenticator(server.origin);
    const verify = await phone.post('/api/auth/register/verify', {
      response: authenticator.register(start.body.options),
    });
    assert.equal(verify.status, 200, verify.text);
    assert.deepEqual(verify.body.user, skipper.user);
    assert.equal(server.query('SELECT id FROM users').length, 1, 'no second account');
    assert.equal((await oldPhone.client.get('/api/auth/me')).status, 401, 'the old phone is signed out');
    assert.equal((await phone.get('/api/auth/me')).status, 200);
    assert.equal(server.query('SELECT id FROM passkeys WHERE user_id = ?', skipper.user.id).length, 2);
    const logbooks = await phone.get('/api/logbooks');
    assert.deepEqual(
      logbooks.body.logbooks.map((l: { id: string; role: string }) => l.role),
      ['OWNER'],
      "the logbook is still the skipper's",
    );

    // Signing in later with the new passkey works; the link does not work twice.
    const again = await signIn(server, authenticator);
    assert.equal(again.user.id, skipper.user.id);
    const reuse = await server.anonymous().post('/api/auth/register/options', {
      username: 'skipper',
      inviteToken: token,
    });
    assert.equal(reuse.status, 403);
    assert.equal(reuse.body.error.code, 'registration_closed');
  });
});

test('recover --remove-passkeys leaves the account without its old passkeys; an expired link is refused', async () => {
  await withServer(async (server) => {
    const skipper = await signUp(server, 'skipper');
    // The stolen phone's push device (issue 18): it must receive nothing more.
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const subscribed = await skipper.client.put('/api/push/subscription', {
      endpoint: `https://fcm.googleapis.com/fcm/send/${randomBytes(12).toString('base64url')}`,
      keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') },
    });
    assert.equal(subscribed.status, 200, subscribed.text);
    const out = await recover(server, 'skipper', '--remove-passkeys');
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /has no passkeys left \(1 removed\) and no push devices \(1 removed\)/);
    assert.equal(server.query('SELECT id FROM passkeys WHERE user_id = ?', skipper.user.id).length, 0);
    assert.deepEqual(server.query('SELECT id FROM push_subscriptions WHERE user_id = ?', skipper.user.id), []);
    const client = server.anonymous();
    const login = await client.post('/api/auth/login/options', {});
    const refused = await client.post('/api/auth/login/verify', {
      response: skipper.authenticator.signIn(login.body.options),
    });
    assert.equal(refused.status, 401, 'the old passkey no longer signs in');
    assert.equal(refused.body.error.code, 'login_failed');

    const token = new URL(lastLine(out.stdout)).searchParams.get('token')!;
    server.query('UPDATE signup_tokens SET expires_at = ? WHERE token_hash = ?', Date.now() - 1, sha256(token));
    const expired = await server.anonymous().post('/api/auth/register/options', {
      username: 'skipper',
      inviteToken: token,
    });
    assert.equal(expired.status, 403);
    assert.equal(expired.body.error.code, 'registration_closed');
  });
});

test('recover refuses an unknown name (exit 1), and invite points a taken name to recover', async () => {
  await withServer(async (server) => {
    await signUp(server, 'skipper');
    const unknown = await recover(server, 'nobody');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no user named "nobody"/);
    const taken = await cli(['user', 'invite', 'skipper', '--data-dir', server.dataDir]);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /taken \(to give skipper a new passkey: crewbell user recover skipper\)/);
    assert.equal(
      server.query('SELECT token_hash FROM signup_tokens WHERE first_start = 0').length,
      0,
      'neither made a link',
    );
  });
});
