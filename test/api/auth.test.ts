// Accounts and passkeys through the real app in-process (app.request on a temp SQLite
// file): sign-up (open, admin token, crew invite, closed), discoverable sign-in,
// challenges, sessions and their cookies, more passkeys, re-verification, deleting the
// account, rate limits and bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { withApp, type TestApp } from '../helpers/app.ts';
import { Client, type ApiResponse, assertError } from '../helpers/client.ts';
import { addPasskey, reauth, signIn, signUp, SoftAuthenticator } from '../helpers/passkey.ts';
import { createUserWithSession } from '../helpers/accounts.ts';
import { createLogbook, invite } from '../helpers/crew.ts';

const DAY = 86_400_000;

/** A fresh app per test: rate limits and registration settings start clean. */
function withServer(flags: string[], fn: (server: TestApp) => Promise<void>): Promise<void> {
  return withApp({ flags }, fn);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface SetCookie {
  value: string;
  /** Attribute names in lower case → their value ('' for flags). */
  attrs: Map<string, string>;
}

function setCookie(res: ApiResponse, name: string): SetCookie | undefined {
  for (const line of res.headers.getSetCookie()) {
    const [pair, ...rest] = line.split(';').map((s) => s.trim());
    if (!pair!.startsWith(`${name}=`)) continue;
    const attrs = new Map<string, string>();
    for (const a of rest) {
      const eq = a.indexOf('=');
      attrs.set((eq === -1 ? a : a.slice(0, eq)).toLowerCase(), eq === -1 ? '' : a.slice(eq + 1));
    }
    return { value: pair!.slice(name.length + 1), attrs };
  }
  return undefined;
}

/** A logbook owned by a fresh user, with a crew invite whose token the test knows. */
function logbookWithInvite(server: TestApp, role: 'WRITE' | 'READ' = 'WRITE', expiresAt = Date.now() + 7 * DAY) {
  const owner = createUserWithSession(server, `owner-${randomBytes(3).toString('hex')}`);
  const logbookId = randomUUID();
  const token = randomBytes(24).toString('base64url');
  server.query(
    'INSERT INTO logbooks (id, owner_id, meta, created_at) VALUES (?, ?, ?, ?)',
    logbookId,
    owner.id,
    'bWV0YQ',
    Date.now(),
  );
  server.query(
    'INSERT INTO invites (token_hash, logbook_id, role, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
    sha256(token),
    logbookId,
    role,
    owner.id,
    Date.now(),
    expiresAt,
  );
  return { owner, logbookId, token };
}

/** An admin sign-up token as `crewbell user invite` stores it: only the hash. */
function signupToken(server: TestApp, username: string, options: { admin?: boolean; expiresAt?: number } = {}): string {
  const token = randomBytes(24).toString('base64url');
  server.query(
    'INSERT INTO signup_tokens (token_hash, username, is_admin, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
    sha256(token),
    username,
    options.admin ? 1 : 0,
    Date.now(),
    options.expiresAt ?? Date.now() + 7 * DAY,
  );
  return token;
}

test('open registration: sign up with a passkey, get a session cookie (HttpOnly; SameSite=Lax; Path=/), /me names the user', async () => {
  await withServer(['--open-registration'], async (server) => {
    const client = new Client(server.url, server.origin, server.fetch);
    const authenticator = new SoftAuthenticator(server.origin);
    const start = await client.post('/api/auth/register/options', { username: 'Skipper' });
    assert.equal(start.status, 200);
    const options = start.body.options;
    assert.equal(options.rp.id, 'localhost');
    assert.equal(options.rp.name, 'crewbell');
    assert.equal(options.user.name, 'Skipper');
    assert.equal(options.authenticatorSelection.residentKey, 'required');
    assert.equal(options.authenticatorSelection.userVerification, 'required');
    const challenge = setCookie(start, 'crewbell_challenge')!;
    assert.ok(challenge, 'options set the challenge cookie');
    assert.deepEqual([...challenge.attrs.keys()].sort(), ['httponly', 'max-age', 'path', 'samesite']);
    assert.equal(challenge.attrs.get('max-age'), '300');
    // Only the cookie's hash is a row id.
    assert.equal(server.query('SELECT id FROM auth_challenges')[0].id, sha256(challenge.value));

    const verify = await client.post('/api/auth/register/verify', { response: authenticator.register(options) });
    assert.equal(verify.status, 200, verify.text);
    assert.equal(verify.body.user.username, 'Skipper');
    assert.equal(verify.body.user.isAdmin, false);
    assert.equal(verify.body.joined, undefined);
    const session = setCookie(verify, 'crewbell_session')!;
    assert.deepEqual([...session.attrs.keys()].sort(), ['expires', 'httponly', 'path', 'samesite']);
    assert.equal(session.attrs.get('path'), '/');
    assert.equal(session.attrs.get('samesite'), 'Lax');
    const expires = Date.parse(session.attrs.get('expires')!);
    assert.ok(Math.abs(expires - (Date.now() + 30 * DAY)) < 60_000, 'a 30-day session');
    assert.equal(setCookie(verify, 'crewbell_challenge')?.attrs.get('max-age'), '0', 'challenge cookie cleared');

    const me = await client.get('/api/auth/me');
    assert.equal(me.status, 200);
    assert.deepEqual(me.body, { user: { id: verify.body.user.id, username: 'Skipper', isAdmin: false } });

    const rows = server.query('SELECT id FROM sessions WHERE user_id = ?', verify.body.user.id);
    assert.deepEqual(
      rows.map((r) => r.id),
      [sha256(session.value)],
      'the database keeps only the token hash',
    );
    const passkeys = server.query(
      'SELECT id, counter, transports FROM passkeys WHERE user_id = ?',
      verify.body.user.id,
    );
    assert.deepEqual(
      passkeys.map((p) => ({ ...p })),
      [{ id: authenticator.credentials[0]!.id, counter: 0, transports: '["internal"]' }],
    );
    assert.equal(server.query('SELECT COUNT(*) AS n FROM auth_challenges')[0].n, 0, 'the challenge was used up');
  });
});

test('discoverable sign-in on a new browser: empty allowCredentials, user verification required, counter and last_used_at recorded', async () => {
  await withServer(['--open-registration'], async (server) => {
    const { authenticator, user } = await signUp(server, 'mate');
    const client = new Client(server.url, server.origin, server.fetch);
    const start = await client.post('/api/auth/login/options', {});
    assert.equal(start.status, 200);
    assert.deepEqual(start.body.options.allowCredentials, []);
    assert.equal(start.body.options.userVerification, 'required');
    assert.equal(start.body.options.rpId, 'localhost');
    const verify = await client.post('/api/auth/login/verify', { response: authenticator.signIn(start.body.options) });
    assert.equal(verify.status, 200, verify.text);
    assert.deepEqual(verify.body, { user: { id: user.id, username: 'mate', isAdmin: false } });
    assert.ok(setCookie(verify, 'crewbell_session'));
    assert.equal((await client.get('/api/auth/me')).body.user.id, user.id);
    const [passkey] = server.query('SELECT counter, last_used_at FROM passkeys WHERE user_id = ?', user.id);
    assert.equal(passkey.counter, 1);
    assert.ok(Math.abs(passkey.last_used_at - Date.now()) < 60_000);
    assert.equal(
      server.query('SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?', user.id)[0].n,
      2,
      'one session per browser',
    );
  });
});

test('usernames: taken (any case) → 409 username_taken; too short, too long or odd characters → 400 naming username', async () => {
  await withServer(['--open-registration'], async (server) => {
    await signUp(server, 'Anna.B_1-x');
    const client = new Client(server.url, server.origin, server.fetch);
    assertError(await client.post('/api/auth/register/options', { username: 'anna.b_1-X' }), 409, 'username_taken');
    for (const username of ['ab', 'a'.repeat(33), 'anna b', 'anna@boat', 'ännä', '']) {
      assertError(await client.post('/api/auth/register/options', { username }), 400, 'invalid_request', /^username: /);
    }
    assertError(await client.post('/api/auth/register/options', {}), 400, 'invalid_request', /^username: /);
    assert.equal((await client.post('/api/auth/register/options', { username: 'a'.repeat(32) })).status, 200);
  });
});

test('two sign-ups racing for one username: the second verify is refused with 409 and leaves nothing behind', async () => {
  await withServer(['--open-registration'], async (server) => {
    const first = new Client(server.url, server.origin, server.fetch);
    const second = new Client(server.url, server.origin, server.fetch);
    const a = await first.post('/api/auth/register/options', { username: 'bosun' });
    const b = await second.post('/api/auth/register/options', { username: 'BOSUN' });
    const auth = new SoftAuthenticator(server.origin);
    assert.equal(
      (await first.post('/api/auth/register/verify', { response: auth.register(a.body.options) })).status,
      200,
    );
    assertError(
      await second.post('/api/auth/register/verify', { response: auth.register(b.body.options) }),
      409,
      'username_taken',
    );
    assert.equal(server.query('SELECT COUNT(*) AS n FROM passkeys')[0].n, 1);
    assert.equal(second.cookies.has('crewbell_session'), false);
  });
});

test('a challenge is used once: replaying register/verify or login/verify with the same cookie is refused', async () => {
  await withServer(['--open-registration'], async (server) => {
    const client = new Client(server.url, server.origin, server.fetch);
    const authenticator = new SoftAuthenticator(server.origin);
    const start = await client.post('/api/auth/register/options', { username: 'navigator' });
    const cookie = client.cookies.get('crewbell_challenge')!;
    const response = authenticator.register(start.body.options);
    assert.equal((await client.post('/api/auth/register/verify', { response })).status, 200);
    // The client dropped the cleared cookie; a replay puts it back by hand.
    const replay = new Client(server.url, server.origin, server.fetch);
    replay.cookies.set('crewbell_challenge', cookie);
    assertError(
      await replay.post('/api/auth/register/verify', { response }),
      400,
      'registration_failed',
      /expired or was already used/,
    );

    const login = new Client(server.url, server.origin, server.fetch);
    const options = (await login.post('/api/auth/login/options', {})).body.options;
    const loginCookie = login.cookies.get('crewbell_challenge')!;
    const assertion = authenticator.signIn(options);
    assert.equal((await login.post('/api/auth/login/verify', { response: assertion })).status, 200);
    const again = new Client(server.url, server.origin, server.fetch);
    again.cookies.set('crewbell_challenge', loginCookie);
    assertError(await again.post('/api/auth/login/verify', { response: assertion }), 401, 'login_failed');
    assert.equal(again.cookies.has('crewbell_session'), false);
  });
});

test('a failed verify uses the challenge up too: a good answer after a bad one needs new options', async () => {
  await withServer(['--open-registration'], async (server) => {
    const { authenticator } = await signUp(server, 'helmsman');
    const client = new Client(server.url, server.origin, server.fetch);
    const options = (await client.post('/api/auth/login/options', {})).body.options;
    const cookie = client.cookies.get('crewbell_challenge')!;
    const failed = await client.post('/api/auth/login/verify', {
      response: authenticator.signIn(options, { tamperSignature: true }),
    });
    assertError(failed, 401, 'login_failed');
    assert.equal(
      setCookie(failed, 'crewbell_challenge')?.attrs.get('max-age'),
      '0',
      'the browser is told to forget the challenge',
    );
    client.cookies.set('crewbell_challenge', cookie);
    assertError(
      await client.post('/api/auth/login/verify', { response: authenticator.signIn(options) }),
      401,
      'login_failed',
    );
    assert.equal(server.query('SELECT COUNT(*) AS n FROM auth_challenges')[0].n, 0);
  });
});

test('an expired challenge (back-dated in SQL) is refused for sign-up and sign-in', async () => {
  await withServer(['--open-registration'], async (server) => {
    const client = new Client(server.url, server.origin, server.fetch);
    const authenticator = new SoftAuthenticator(server.origin);
    const start = await client.post('/api/auth/register/options', { username: 'lookout' });
    server.query('UPDATE auth_challenges SET expires_at = ?', Date.now() - 1000);
    assertError(
      await client.post('/api/auth/register/verify', { response: authenticator.register(start.body.options) }),
      400,
      'registration_failed',
    );
    assert.equal(server.query('SELECT COUNT(*) AS n FROM users')[0].n, 0);

    const { authenticator: auth2 } = await signUp(server, 'lookout');
    const login = new Client(server.url, server.origin, server.fetch);
    const options = (await login.post('/api/auth/login/options', {})).body.options;
    server.query('UPDATE auth_challenges SET expires_at = ?', Date.now() - 1000);
    assertError(await login.post('/api/auth/login/verify', { response: auth2.signIn(options) }), 401, 'login_failed');
  });
});

test('sign-in failures are all 401 login_failed: no user verification, tampered signature, unknown passkey, wrong origin, no challenge', async () => {
  await withServer(['--open-registration'], async (server) => {
    const { authenticator } = await signUp(server, 'deckhand');
    const attempt = async (answer: (options: any) => unknown, withCookie = true) => {
      const client = new Client(server.url, server.origin, server.fetch);
      const options = (await client.post('/api/auth/login/options', {})).body.options;
      if (!withCookie) client.cookies.delete('crewbell_challenge');
      const res = await client.post('/api/auth/login/verify', { response: answer(options) });
      assert.equal(client.cookies.has('crewbell_session'), res.status === 200, 'a session only on success');
      return res;
    };
    assertError(await attempt((o) => authenticator.signIn(o, { userVerified: false })), 401, 'login_failed');
    assertError(await attempt((o) => authenticator.signIn(o, { tamperSignature: true })), 401, 'login_failed');
    const stranger = new SoftAuthenticator(server.origin);
    stranger.register({
      ...(
        await new Client(server.url, server.origin, server.fetch).post('/api/auth/register/options', {
          username: 'stranger',
        })
      ).body.options,
    });
    assertError(await attempt((o) => stranger.signIn(o)), 401, 'login_failed');
    const phishing = new SoftAuthenticator('http://localhost.evil.example', 'localhost');
    phishing.credentials.push(...authenticator.credentials);
    assertError(await attempt((o) => phishing.signIn(o)), 401, 'login_failed');
    assertError(await attempt((o) => authenticator.signIn(o), false), 401, 'login_failed');
    // The real passkey still works afterwards.
    assert.equal((await attempt((o) => authenticator.signIn(o))).status, 200);
  });
});

test('logout: 204, the session row is gone, the cookie is cleared, /me is 401 unauthenticated', async () => {
  await withServer(['--open-registration'], async (server) => {
    const { client, user } = await signUp(server, 'cook');
    const token = client.cookies.get('crewbell_session')!;
    const res = await client.post('/api/auth/logout');
    assert.equal(res.status, 204);
    const cleared = setCookie(res, 'crewbell_session')!;
    assert.equal(cleared.value, '');
    assert.equal(cleared.attrs.get('max-age'), '0');
    assert.equal(server.query('SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?', user.id)[0].n, 0);
    assertError(await client.get('/api/auth/me'), 401, 'unauthenticated');
    const stale = new Client(server.url, server.origin, server.fetch);
    stale.cookies.set('crewbell_session', token);
    assertError(await stale.get('/api/auth/me'), 401, 'unauthenticated');
  });
});

test('an expired session (back-dated in SQL) is 401 and its row is deleted', async () => {
  await withServer(['--open-registration'], async (server) => {
    const { client, user } = await signUp(server, 'purser');
    server.query('UPDATE sessions SET expires_at = ? WHERE user_id = ?', Date.now() - 1000, user.id);
    const res = await client.get('/api/auth/me');
    assertError(res, 401, 'unauthenticated');
    assert.equal(setCookie(res, 'crewbell_session')?.attrs.get('max-age'), '0');
    assert.equal(server.query('SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?', user.id)[0].n, 0);
  });
});

test('a session used with less than 15 days left is renewed: new Set-Cookie and a later expires_at', async () => {
  await withServer(['--open-registration'], async (server) => {
    const { client, user } = await signUp(server, 'engineer');
    const fresh = await client.get('/api/auth/me');
    assert.equal(setCookie(fresh, 'crewbell_session'), undefined, 'a fresh session is not re-sent');
    const old = Date.now() + 10 * DAY;
    server.query('UPDATE sessions SET expires_at = ? WHERE user_id = ?', old, user.id);
    const res = await client.get('/api/auth/me');
    assert.equal(res.status, 200);
    const renewed = setCookie(res, 'crewbell_session')!;
    assert.equal(renewed.value, client.cookies.get('crewbell_session'));
    assert.ok(Date.parse(renewed.attrs.get('expires')!) > old + 19 * DAY);
    assert.equal(renewed.attrs.get('samesite'), 'Lax');
    assert.ok(renewed.attrs.has('httponly'));
    const [row] = server.query('SELECT expires_at FROM sessions WHERE user_id = ?', user.id);
    assert.ok(row.expires_at > old + 19 * DAY);
  });
});

test('on an https origin both cookies carry Secure', async () => {
  await withServer(
    ['--open-registration', '--origin', 'https://crewbell.example.org', '--vapid-subject', 'mailto:a@example.org'],
    async (server) => {
      const client = new Client(server.url, server.origin, server.fetch);
      const authenticator = new SoftAuthenticator(server.origin);
      const start = await client.post('/api/auth/register/options', { username: 'captain' });
      assert.equal(start.body.options.rp.id, 'crewbell.example.org');
      assert.deepEqual([...setCookie(start, 'crewbell_challenge')!.attrs.keys()].sort(), [
        'httponly',
        'max-age',
        'path',
        'samesite',
        'secure',
      ]);
      const verify = await client.post('/api/auth/register/verify', {
        response: authenticator.register(start.body.options),
      });
      assert.equal(verify.status, 200, verify.text);
      const session = setCookie(verify, 'crewbell_session')!;
      assert.deepEqual([...session.attrs.keys()].sort(), ['expires', 'httponly', 'path', 'samesite', 'secure']);
      assert.equal(session.attrs.get('path'), '/');
      assert.equal(session.attrs.get('samesite'), 'Lax');
      // A passkey made for another RP id is no good here.
      const other = new SoftAuthenticator('https://crewbell.example.org', 'example.org');
      const again = await client.post('/api/auth/register/options', { username: 'purser' });
      assertError(
        await client.post('/api/auth/register/verify', {
          response: other.register({ ...again.body.options, rp: { name: 'x', id: 'example.org' } }),
        }),
        400,
        'registration_failed',
      );
    },
  );
});

test('closed registration: no token, an unknown token or an expired one → 403 registration_closed', async () => {
  await withServer([], async (server) => {
    const client = new Client(server.url, server.origin, server.fetch);
    assertError(await client.post('/api/auth/register/options', { username: 'stowaway' }), 403, 'registration_closed');
    assertError(
      await client.post('/api/auth/register/options', {
        username: 'stowaway',
        inviteToken: randomBytes(24).toString('base64url'),
      }),
      403,
      'registration_closed',
    );
    const expired = signupToken(server, 'stowaway', { expiresAt: Date.now() - 1000 });
    assertError(
      await client.post('/api/auth/register/options', { username: 'stowaway', inviteToken: expired }),
      403,
      'registration_closed',
    );
    const crewExpired = logbookWithInvite(server, 'READ', Date.now() - 1000);
    assertError(
      await client.post('/api/auth/register/options', { username: 'stowaway', inviteToken: crewExpired.token }),
      403,
      'registration_closed',
    );
    assert.equal(client.cookies.has('crewbell_challenge'), false);
    assert.equal(server.query("SELECT COUNT(*) AS n FROM users WHERE username = 'stowaway'")[0].n, 0);
  });
});

test('admin sign-up token: isAdmin true, only for its username, single use', async () => {
  await withServer([], async (server) => {
    const token = signupToken(server, 'Harbourmaster', { admin: true });
    const client = new Client(server.url, server.origin, server.fetch);
    assertError(
      await client.post('/api/auth/register/options', { username: 'someone', inviteToken: token }),
      403,
      'registration_closed',
      /Harbourmaster/,
    );
    const { user, client: signedIn } = await signUp(server, 'harbourmaster', { inviteToken: token });
    assert.equal(user.isAdmin, true);
    assert.equal((await signedIn.get('/api/auth/me')).body.user.isAdmin, true);
    const [row] = server.query('SELECT used_at FROM signup_tokens WHERE token_hash = ?', sha256(token));
    assert.ok(row.used_at > 0);
    // Used: neither the same name (taken anyway) nor a fresh attempt gets in with it.
    assertError(
      await client.post('/api/auth/register/options', { username: 'harbourmaster2', inviteToken: token }),
      403,
      'registration_closed',
    );
    // A plain (non-admin) token makes a plain account.
    const plain = await signUp(server, 'deckhand', { inviteToken: signupToken(server, 'deckhand') });
    assert.equal(plain.user.isAdmin, false);
  });
});

test('a sign-up token used between options and verify is refused at verify, and nothing is created', async () => {
  await withServer([], async (server) => {
    const token = signupToken(server, 'racer');
    const client = new Client(server.url, server.origin, server.fetch);
    const start = await client.post('/api/auth/register/options', { username: 'racer', inviteToken: token });
    assert.equal(start.status, 200);
    server.query('UPDATE signup_tokens SET used_at = ?', Date.now());
    const res = await client.post('/api/auth/register/verify', {
      response: new SoftAuthenticator(server.origin).register(start.body.options),
    });
    assertError(res, 403, 'registration_closed');
    assert.equal(server.query('SELECT COUNT(*) AS n FROM users')[0].n, 0);
    assert.equal(server.query('SELECT COUNT(*) AS n FROM passkeys')[0].n, 0);
  });
});

test('crew invite token: signing up joins the logbook as crew with the invite role, and the invite is used', async () => {
  await withServer([], async (server) => {
    const { logbookId, token } = logbookWithInvite(server, 'READ');
    const crew = await signUp(server, 'crewmate', { inviteToken: token });
    assert.deepEqual(crew.joined, { logbookId, role: 'READ' });
    assert.equal(crew.user.isAdmin, false);
    const members = server.query('SELECT user_id, role FROM logbook_members WHERE logbook_id = ?', logbookId);
    assert.deepEqual(
      members.map((m) => ({ ...m })),
      [{ user_id: crew.user.id, role: 'READ' }],
    );
    const [invite] = server.query('SELECT used_at, used_by FROM invites WHERE token_hash = ?', sha256(token));
    assert.equal(invite.used_by, crew.user.id);
    const client = new Client(server.url, server.origin, server.fetch);
    assertError(
      await client.post('/api/auth/register/options', { username: 'latecomer', inviteToken: token }),
      403,
      'registration_closed',
    );
  });
});

test('the join story through the API: an owner invites, a newcomer reads the invite, signs up with it and is crew', async () => {
  await withServer([], async (server) => {
    const owner = createUserWithSession(server, 'owner');
    const logbook = await createLogbook(owner);
    const token = await invite(owner, logbook.id, 'WRITE');
    const newcomer = new Client(server.url, server.origin, server.fetch);
    const shown = await newcomer.get(`/api/invites/${token}`);
    assert.equal(shown.status, 200, shown.text);
    const { client, joined, user } = await signUp(server, 'newcomer', { client: newcomer, inviteToken: token });
    assert.deepEqual(joined, { logbookId: logbook.id, role: 'WRITE' });
    const mine = await client.get('/api/logbooks');
    assert.deepEqual(
      mine.body.logbooks.map((l: { id: string; role: string }) => [l.id, l.role]),
      [[logbook.id, 'WRITE']],
    );
    const members = await owner.client.get(`/api/logbooks/${logbook.id}/members`);
    assert.ok(
      members.body.members.some((m: { userId: string; role: string }) => m.userId === user.id && m.role === 'WRITE'),
    );
  });
});

test('a second passkey (another device): options exclude the first, sign-in works with either', async () => {
  await withServer(['--open-registration'], async (server) => {
    const { client, authenticator: phone, user } = await signUp(server, 'navigator');
    const start = await client.post('/api/auth/passkeys/options', {});
    assert.equal(start.status, 200);
    assert.deepEqual(
      start.body.options.excludeCredentials.map((c: { id: string }) => c.id),
      [phone.credentials[0]!.id],
    );
    assert.throws(
      () => phone.register(start.body.options),
      /InvalidStateError/,
      'the same device is not registered twice',
    );
    const laptop = new SoftAuthenticator(server.origin);
    const verify = await client.post('/api/auth/passkeys/verify', { response: laptop.register(start.body.options) });
    assert.equal(verify.status, 200, verify.text);
    assert.equal(verify.body.passkey.id, laptop.credentials[0]!.id);
    assert.equal(server.query('SELECT COUNT(*) AS n FROM passkeys WHERE user_id = ?', user.id)[0].n, 2);
    assert.equal((await signIn(server, laptop)).user.id, user.id);
    assert.equal((await signIn(server, phone)).user.id, user.id);
    // Replaying the same registration is refused.
    const again = await client.post('/api/auth/passkeys/options', {});
    const tablet = new SoftAuthenticator(server.origin);
    const response = tablet.register(again.body.options);
    assert.equal((await client.post('/api/auth/passkeys/verify', { response })).status, 200);
    assertError(await client.post('/api/auth/passkeys/verify', { response }), 400, 'registration_failed');
  });
});

test('a passkey registered to an account already is refused; an account holds at most 20', async () => {
  await withServer(['--open-registration'], async (server) => {
    const { client, user } = await signUp(server, 'bosun');
    const other = await signUp(server, 'cook');
    const start = await client.post('/api/auth/passkeys/options', {});
    const response = new SoftAuthenticator(server.origin).register(start.body.options);
    // The same credential id lands on another account first (as if synced there).
    server.query(
      "INSERT INTO passkeys (id, user_id, public_key, counter, transports, created_at) VALUES (?, ?, x'00', 0, '[]', ?)",
      response.id,
      other.user.id,
      Date.now(),
    );
    assertError(await client.post('/api/auth/passkeys/verify', { response }), 409, 'passkey_exists');
    assert.equal(
      server.query('SELECT user_id FROM passkeys WHERE id = ?', response.id)[0].user_id,
      other.user.id,
      'the other account keeps it',
    );

    for (let i = 0; i < 19; i++) {
      server.query(
        "INSERT INTO passkeys (id, user_id, public_key, counter, transports, created_at) VALUES (?, ?, x'00', 0, '[]', ?)",
        `spare${i}`,
        user.id,
        Date.now(),
      );
    }
    assertError(await client.post('/api/auth/passkeys/options', {}), 409, 'too_many_passkeys');
    assert.equal(server.query('SELECT COUNT(*) AS n FROM passkeys WHERE user_id = ?', user.id)[0].n, 20);
  });
});

test('passkeys and reauth need a session: 401 unauthenticated', async () => {
  await withServer(['--open-registration'], async (server) => {
    const client = new Client(server.url, server.origin, server.fetch);
    for (const path of [
      '/api/auth/passkeys/options',
      '/api/auth/passkeys/verify',
      '/api/auth/reauth/options',
      '/api/auth/reauth/verify',
    ]) {
      assertError(await client.post(path, {}), 401, 'unauthenticated');
    }
    assertError(await client.get('/api/auth/me'), 401, 'unauthenticated');
    assertError(await client.delete('/api/auth/account'), 401, 'unauthenticated');
  });
});

test('a passkey challenge of one user cannot add a passkey to another', async () => {
  await withServer(['--open-registration'], async (server) => {
    const alice = await signUp(server, 'alice');
    const bob = await signUp(server, 'bob');
    const start = await alice.client.post('/api/auth/passkeys/options', {});
    bob.client.cookies.set('crewbell_challenge', alice.client.cookies.get('crewbell_challenge')!);
    const res = await bob.client.post('/api/auth/passkeys/verify', {
      response: new SoftAuthenticator(server.origin).register(start.body.options),
    });
    assertError(res, 400, 'registration_failed');
    assert.equal(server.query('SELECT COUNT(*) AS n FROM passkeys')[0].n, 2);
  });
});

test('delete account: 403 reauth_required until re-verified, then 204 and everything the user owns is gone', async () => {
  await withServer(['--open-registration'], async (server) => {
    const { client, authenticator, user } = await signUp(server, 'owner');
    const second = await signIn(server, authenticator);
    const logbookId = randomUUID();
    server.query(
      'INSERT INTO logbooks (id, owner_id, meta, created_at) VALUES (?, ?, ?, ?)',
      logbookId,
      user.id,
      'bWV0YQ',
      Date.now(),
    );
    const crew = createUserWithSession(server, 'crewmember');
    server.query(
      "INSERT INTO logbook_members (logbook_id, user_id, role, joined_at) VALUES (?, ?, 'WRITE', ?)",
      logbookId,
      crew.id,
      Date.now(),
    );
    server.query(
      'INSERT INTO entries (logbook_id, entity_id, version, payload, updated_at, updated_by, seq) VALUES (?, ?, 1, ?, ?, ?, 1)',
      logbookId,
      'e1',
      'eA',
      Date.now(),
      user.id,
    );
    // A sign-in counts as re-verified for 5 minutes; these sign-ins are past that.
    server.query('UPDATE sessions SET reverified_at = ? WHERE user_id = ?', Date.now() - 5 * 60_000 - 5000, user.id);

    assertError(await client.delete('/api/auth/account'), 403, 'reauth_required');
    const reauthStart = await client.post('/api/auth/reauth/options', {});
    assert.deepEqual(
      reauthStart.body.options.allowCredentials.map((c: { id: string }) => c.id),
      [authenticator.credentials[0]!.id],
    );
    assert.equal(reauthStart.body.options.userVerification, 'required');
    const reauthRes = await client.post('/api/auth/reauth/verify', {
      response: authenticator.signIn(reauthStart.body.options),
    });
    assert.equal(reauthRes.status, 200, reauthRes.text);
    assert.equal(reauthRes.body.user.id, user.id);
    assert.ok(
      server.query(
        'SELECT reverified_at FROM sessions WHERE id = ?',
        sha256(client.cookies.get('crewbell_session')!),
      )[0].reverified_at > 0,
    );
    // Re-verification belongs to the session that did it.
    assertError(await second.client.delete('/api/auth/account'), 403, 'reauth_required');

    const res = await client.delete('/api/auth/account');
    assert.equal(res.status, 204);
    assert.equal(setCookie(res, 'crewbell_session')?.attrs.get('max-age'), '0');
    for (const table of [
      'users WHERE id = ?',
      'sessions WHERE user_id = ?',
      'passkeys WHERE user_id = ?',
      'logbooks WHERE owner_id = ?',
    ]) {
      assert.equal(server.query(`SELECT COUNT(*) AS n FROM ${table}`, user.id)[0].n, 0, table);
    }
    assert.equal(server.query('SELECT COUNT(*) AS n FROM logbook_members WHERE logbook_id = ?', logbookId)[0].n, 0);
    assert.equal(server.query('SELECT COUNT(*) AS n FROM entries WHERE logbook_id = ?', logbookId)[0].n, 0);
    assert.equal(
      server.query('SELECT COUNT(*) AS n FROM users WHERE id = ?', crew.id)[0].n,
      1,
      'crew keep their accounts',
    );
    assertError(await second.client.get('/api/auth/me'), 401, 'unauthenticated');
    const after = new Client(server.url, server.origin, server.fetch);
    const options = (await after.post('/api/auth/login/options', {})).body.options;
    assertError(
      await after.post('/api/auth/login/verify', { response: authenticator.signIn(options) }),
      401,
      'login_failed',
    );
  });
});

test("re-verification lasts 5 minutes (back-dated in SQL) and only the user's own passkey counts", async () => {
  await withServer(['--open-registration'], async (server) => {
    const { client, authenticator, user } = await signUp(server, 'first');
    const other = await signUp(server, 'second');
    await reauth(client, authenticator);
    server.query('UPDATE sessions SET reverified_at = ? WHERE user_id = ?', Date.now() - 5 * 60_000 - 5000, user.id);
    assertError(await client.delete('/api/auth/account'), 403, 'reauth_required');

    const start = await client.post('/api/auth/reauth/options', {});
    const foreign = other.authenticator.signIn({ ...start.body.options, allowCredentials: [] });
    assertError(await client.post('/api/auth/reauth/verify', { response: foreign }), 401, 'login_failed');
    const noUv = await client.post('/api/auth/reauth/options', {});
    assertError(
      await client.post('/api/auth/reauth/verify', {
        response: authenticator.signIn(noUv.body.options, { userVerified: false }),
      }),
      401,
      'login_failed',
    );
    assertError(await client.delete('/api/auth/account'), 403, 'reauth_required');
    await reauth(client, authenticator);
    assert.equal((await client.delete('/api/auth/account')).status, 204);
  });
});

test('passkeys are listed without key material; removing one needs re-verification, never takes the last, and signs out other devices', async () => {
  await withServer(['--open-registration'], async (server) => {
    const phone = await signUp(server, 'skipper');
    const laptopKey = new SoftAuthenticator(server.origin);
    const laptopId = await addPasskey(phone.client, laptopKey);
    const laptop = await signIn(server, laptopKey);
    const stranger = await signUp(server, 'stranger');

    const list = await phone.client.get('/api/auth/passkeys');
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.passkeys.map((p: { id: string }) => p.id),
      [phone.authenticator.credentials[0]!.id, laptopId],
    );
    for (const p of list.body.passkeys) {
      assert.deepEqual(Object.keys(p).sort(), ['createdAt', 'id', 'lastUsedAt', 'transports']);
      assert.match(p.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    assert.equal(list.body.passkeys[1].lastUsedAt !== null, true, 'the laptop signed in with it');
    assertError(
      await new Client(server.url, server.origin, server.fetch).get('/api/auth/passkeys'),
      401,
      'unauthenticated',
    );

    // Removing the phone's passkey (it went overboard), from the laptop, whose sign-in is past its 5 minutes.
    server.query(
      'UPDATE sessions SET reverified_at = ? WHERE user_id = ?',
      Date.now() - 5 * 60_000 - 5000,
      phone.user.id,
    );
    const phoneId = phone.authenticator.credentials[0]!.id;
    assertError(
      await laptop.client.delete(`/api/auth/passkeys/${phoneId}`),
      403,
      'reauth_required',
      /remove the passkey/,
    );
    await reauth(laptop.client, laptopKey);
    assertError(
      await laptop.client.delete(`/api/auth/passkeys/${stranger.authenticator.credentials[0]!.id}`),
      404,
      'not_found',
    );
    assertError(await laptop.client.delete('/api/auth/passkeys/not%20base64'), 404, 'not_found');
    assert.equal((await laptop.client.delete(`/api/auth/passkeys/${phoneId}`)).status, 204);
    assertError(await phone.client.get('/api/auth/me'), 401, 'unauthenticated');
    assert.equal((await laptop.client.get('/api/auth/me')).status, 200, 'this device stays signed in');
    assert.equal((await stranger.client.get('/api/auth/me')).status, 200, 'other accounts are untouched');
    const after = new Client(server.url, server.origin, server.fetch);
    const options = (await after.post('/api/auth/login/options', {})).body.options;
    assertError(
      await after.post('/api/auth/login/verify', { response: phone.authenticator.signIn(options) }),
      401,
      'login_failed',
    );

    // The last passkey stays.
    assertError(await laptop.client.delete(`/api/auth/passkeys/${laptopId}`), 409, 'last_passkey');
    assert.deepEqual(
      (await laptop.client.get('/api/auth/passkeys')).body.passkeys.map((p: { id: string }) => p.id),
      [laptopId],
    );
  });
});

test('auth routes are rate limited per client: 429 rate_limited with Retry-After', async () => {
  await withServer([], async (server) => {
    const client = new Client(server.url, server.origin, server.fetch);
    let limited: ApiResponse | undefined;
    let ok = 0;
    for (let i = 0; i < 100 && !limited; i++) {
      const res = await client.post('/api/auth/login/options', {});
      if (res.status === 429) limited = res;
      else {
        assert.equal(res.status, 200);
        ok++;
      }
    }
    assert.ok(limited, 'limited within 100 requests');
    assert.ok(ok >= 10, `a burst is allowed first (${ok})`);
    assertError(limited, 429, 'rate_limited');
    assert.match(limited.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    // Other routes are not affected.
    assert.equal((await client.get('/healthz')).status, 200);
  });
});

test('bad input on auth routes: malformed JSON, wrong types, missing fields → 400 naming the field; oversize → 413', async () => {
  await withServer(['--open-registration'], async (server) => {
    const client = new Client(server.url, server.origin, server.fetch);
    const json = { 'content-type': 'application/json' };
    assertError(
      await client.post('/api/auth/register/options', undefined, { rawBody: '{"username": ', headers: json }),
      400,
      'invalid_request',
      /^body: not valid JSON/,
    );
    assertError(
      await client.post('/api/auth/login/options', undefined, { rawBody: '[1,', headers: json }),
      400,
      'invalid_request',
      /JSON/,
    );
    assertError(
      await client.post('/api/auth/register/options', { username: 42 }),
      400,
      'invalid_request',
      /^username: must be a string/,
    );
    assertError(
      await client.post('/api/auth/register/options', { username: 'okname', inviteToken: 'short' }),
      400,
      'invalid_request',
      /^inviteToken: /,
    );
    assertError(await client.post('/api/auth/register/options', ['username']), 400, 'invalid_request');
    assertError(await client.post('/api/auth/login/options', 'hello'), 400, 'invalid_request');
    assertError(await client.post('/api/auth/register/verify', {}), 400, 'invalid_request', /^response: /);
    assertError(
      await client.post('/api/auth/register/verify', {
        response: { id: 'abc', rawId: 'abc', type: 'public-key', response: { clientDataJSON: 'e30' } },
      }),
      400,
      'invalid_request',
      /^response\.response\.attestationObject: /,
    );
    assertError(
      await client.post('/api/auth/login/verify', {
        response: { id: 'a b', rawId: 'abc', type: 'public-key', response: {} },
      }),
      400,
      'invalid_request',
      /^response\.id: must be base64url/,
    );
    assertError(
      await client.post('/api/auth/login/verify', {
        response: {
          id: 'abc',
          rawId: 'abc',
          type: 'password',
          response: { clientDataJSON: 'e30', authenticatorData: 'AA', signature: 'AA' },
        },
      }),
      400,
      'invalid_request',
      /^response\.type: /,
    );
    const big = JSON.stringify({ username: 'bigname', pad: 'x'.repeat(70 * 1024) });
    assertError(
      await client.post('/api/auth/register/options', undefined, { rawBody: big, headers: json }),
      413,
      'payload_too_large',
    );
    // Garbage that is well-formed base64url reaches the verifier and fails cleanly, without a 500.
    const options = (await client.post('/api/auth/register/options', { username: 'garbage' })).body.options;
    assert.ok(options);
    const garbage = {
      id: 'AAAA',
      rawId: 'AAAA',
      type: 'public-key',
      clientExtensionResults: {},
      response: { clientDataJSON: 'AAAA', attestationObject: 'AAAA' },
    };
    assertError(await client.post('/api/auth/register/verify', { response: garbage }), 400, 'registration_failed');
    await client.post('/api/auth/login/options', {});
    assertError(
      await client.post('/api/auth/login/verify', {
        response: { ...garbage, response: { clientDataJSON: 'AAAA', authenticatorData: 'AAAA', signature: 'AAAA' } },
      }),
      401,
      'login_failed',
    );
    assert.doesNotMatch(server.output(), /request failed/, 'no unexpected errors were logged');
  });
});
