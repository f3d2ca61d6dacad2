// The push API contract, in-process (app.request on a temp SQLite file), with the strict
// endpoint checks (no --push-allow-insecure): subscription bodies, upsert and unsubscribe, preferences, the
// admin list, /metrics access, and the VAPID private key staying out of every output.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { startApp, type TestApp } from '../helpers/app.ts';
import { Client } from '../helpers/client.ts';
import { createUserWithSession } from '../helpers/accounts.ts';
import { openPrivateKey } from '../../src/push/vapid.ts';
import { endpointProblem, isPublicAddress } from '../../src/push/endpoint-guard.ts';

let server: TestApp;
let n = 0;
const user = (name = 'sailor', isAdmin = false) => createUserWithSession(server, `${name}${++n}`, { isAdmin });

before(() => {
  server = startApp({ flags: ['--metrics-token', 'sesame-sesame'], processMetrics: true });
});
after(async () => {
  await server.stop();
  server.cleanup();
});

function browserSubscription(
  endpoint = `https://fcm.googleapis.com/fcm/send/${randomBytes(12).toString('base64url')}`,
) {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return {
    endpoint,
    expirationTime: null,
    keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') },
  };
}

function assertInvalid(res: { status: number; body: any; text: string }, field: string) {
  assert.equal(res.status, 400, res.text);
  assert.equal(res.body.error.code, 'invalid_request');
  assert.ok(res.body.error.message.startsWith(field), `${res.body.error.message} should name ${field}`);
}

const rows = <T>(sql: string, ...params: string[]): T[] => server.query<T>(sql, ...params);

test('GET /api/push/vapid-public-key needs no session and gives a 65-byte P-256 point', async () => {
  const res = await new Client(server.url, server.origin, server.fetch).get('/api/push/vapid-public-key');
  assert.equal(res.status, 200);
  const key = Buffer.from(res.body.publicKey, 'base64url');
  assert.equal(key.length, 65);
  assert.equal(key[0], 4);
  assert.deepEqual(Object.keys(res.body), ['publicKey']);
});

test('subscribing needs a session', async () => {
  const res = await new Client(server.url, server.origin, server.fetch).put(
    '/api/push/subscription',
    browserSubscription(),
  );
  assert.equal(res.status, 401);
  assert.equal(res.body.error.code, 'unauthenticated');
});

test('a subscription is an upsert on the endpoint, bound to whoever is signed in', async () => {
  const alice = user();
  const bob = user();
  const sub = browserSubscription();
  const first = await alice.client.put('/api/push/subscription', { ...sub, locale: 'de' });
  assert.equal(first.status, 200, first.text);
  assert.match(first.body.id, /^[0-9a-f-]{36}$/);
  const again = await alice.client.put('/api/push/subscription', { ...sub, keys: browserSubscription().keys });
  assert.equal(again.body.id, first.body.id);
  // The same browser, now signed in as bob: the subscription moves to bob.
  const moved = await bob.client.put('/api/push/subscription', sub, { headers: { 'accept-language': 'de-AT' } });
  assert.equal(moved.body.id, first.body.id);
  const [row] = rows<{ user_id: string; locale: string }>(
    'SELECT user_id, locale FROM push_subscriptions WHERE id = ?',
    first.body.id,
  );
  assert.deepEqual(row, { user_id: bob.id, locale: 'de' });
  // Alice cannot remove bob's device; bob can, and again is still 204.
  assert.equal((await alice.client.delete('/api/push/subscription', { endpoint: sub.endpoint })).status, 204);
  assert.equal(rows('SELECT 1 FROM push_subscriptions WHERE id = ?', first.body.id).length, 1);
  assert.equal((await bob.client.delete('/api/push/subscription', { endpoint: sub.endpoint })).status, 204);
  assert.equal(rows('SELECT 1 FROM push_subscriptions WHERE id = ?', first.body.id).length, 0);
  assert.equal((await bob.client.delete('/api/push/subscription', { endpoint: sub.endpoint })).status, 204);
});

test("a user lists their own devices, whole endpoints, and nobody else's", async () => {
  const owner = user();
  const other = user();
  const phone = browserSubscription();
  const laptop = browserSubscription();
  await owner.client.put('/api/push/subscription', { ...phone, locale: 'de' });
  await owner.client.put('/api/push/subscription', laptop);
  await other.client.put('/api/push/subscription', browserSubscription());
  const res = await owner.client.get('/api/push/subscriptions');
  assert.equal(res.status, 200);
  assert.deepEqual(
    res.body.subscriptions.map((s: { endpoint: string; locale: string }) => [s.endpoint, s.locale]).sort(),
    [
      [phone.endpoint, 'de'],
      [laptop.endpoint, 'en'],
    ].sort(),
  );
  assert.ok(!res.text.includes(phone.keys.auth), 'keys stay on the server');
  assert.equal((await new Client(server.url, server.origin, server.fetch).get('/api/push/subscriptions')).status, 401);
});

test('locale falls back to Accept-Language, then en', async () => {
  const u = user();
  const fr = await u.client.put('/api/push/subscription', browserSubscription(), {
    headers: { 'accept-language': 'ja;q=0.95, fr-CH;q=0.9, de;q=0.8, en;q=0.5' },
  });
  const none = await u.client.put('/api/push/subscription', browserSubscription(), {
    headers: { 'accept-language': 'ja, zh;q=0.8' },
  });
  const hr = await u.client.put('/api/push/subscription', { ...browserSubscription(), locale: 'hr' });
  const locale = (id: string) =>
    rows<{ locale: string }>('SELECT locale FROM push_subscriptions WHERE id = ?', id)[0]!.locale;
  assert.equal(fr.status, 200, JSON.stringify(fr.body));
  assert.equal(locale(fr.body.id), 'fr', 'the best-rated of the eleven, its region dropped');
  assert.equal(locale(none.body.id), 'en');
  assert.equal(locale(hr.body.id), 'hr', 'any of the eleven, given by the app');
});

test('bad subscriptions are refused with 400 naming the field', async () => {
  const u = user();
  const good = browserSubscription();
  const cases: [object, string][] = [
    [{ ...good, endpoint: 'http://fcm.googleapis.com/fcm/send/x' }, 'endpoint'],
    [{ ...good, endpoint: 'https://127.0.0.1/push' }, 'endpoint'],
    [{ ...good, endpoint: 'https://[::1]/push' }, 'endpoint'],
    [{ ...good, endpoint: 'https://10.0.0.7/push' }, 'endpoint'],
    [{ ...good, endpoint: 'https://169.254.169.254/latest' }, 'endpoint'],
    [{ ...good, endpoint: 'https://localhost/push' }, 'endpoint'],
    [{ ...good, endpoint: `https://fcm.googleapis.com/${'a'.repeat(3000)}` }, 'endpoint'],
    [{ ...good, endpoint: 'not a url' }, 'endpoint'],
    [{ ...good, keys: { ...good.keys, p256dh: randomBytes(64).toString('base64url') } }, 'keys.p256dh'],
    [
      {
        ...good,
        keys: { ...good.keys, p256dh: Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]).toString('base64url') },
      },
      'keys.p256dh',
    ],
    [{ ...good, keys: { ...good.keys, auth: randomBytes(15).toString('base64url') } }, 'keys.auth'],
    [{ ...good, keys: { p256dh: good.keys.p256dh } }, 'keys.auth'],
    [{ ...good, locale: 'xx' }, 'locale'],
    [{ ...good, locale: 'de-DE' }, 'locale'],
    [{ ...good, expirationTime: 'soon' }, 'expirationTime'],
    [{ keys: good.keys }, 'endpoint'],
  ];
  for (const [body, field] of cases) assertInvalid(await u.client.put('/api/push/subscription', body), field);
  assert.equal(rows('SELECT 1 FROM push_subscriptions WHERE user_id = ?', u.id).length, 0);
});

test('the address checks: public only, IPv4-mapped and private ranges refused', () => {
  for (const a of [
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '224.0.0.1',
  ]) {
    assert.equal(isPublicAddress(a), false, a);
  }
  for (const a of ['142.250.185.74', '2a00:1450:4001:82b::200a', '::ffff:8.8.8.8'])
    assert.equal(isPublicAddress(a), true, a);
  assert.equal(endpointProblem('https://user:pw@fcm.googleapis.com/x', false), 'must not carry credentials');
  assert.equal(endpointProblem('http://127.0.0.1:9/x', true), undefined, '--push-allow-insecure lifts the checks');
});

test('preferences are off by default and can be turned on and off', async () => {
  const u = user();
  assert.deepEqual((await u.client.get('/api/push/prefs')).body, {
    collaboratorChangesEnabled: false,
    quietHours: null,
    emailWhenNoPush: true,
  });
  assert.deepEqual((await u.client.put('/api/push/prefs', { collaboratorChangesEnabled: true })).body, {
    collaboratorChangesEnabled: true,
    quietHours: null,
    emailWhenNoPush: true,
  });
  assert.deepEqual((await u.client.get('/api/push/prefs')).body, {
    collaboratorChangesEnabled: true,
    quietHours: null,
    emailWhenNoPush: true,
  });
  assert.deepEqual((await u.client.put('/api/push/prefs', { collaboratorChangesEnabled: false })).body, {
    collaboratorChangesEnabled: false,
    quietHours: null,
    emailWhenNoPush: true,
  });
  assertInvalid(
    await u.client.put('/api/push/prefs', { collaboratorChangesEnabled: 'yes' }),
    'collaboratorChangesEnabled',
  );
  assert.equal((await new Client(server.url, server.origin, server.fetch).get('/api/push/prefs')).status, 401);
});

test('POST /api/push/test with no device queues nothing', async () => {
  const res = await user().client.post('/api/push/test');
  assert.equal(res.status, 202);
  assert.deepEqual(res.body, { queued: 0 });
});

test('admins list subscriptions with truncated endpoints; others get 403', async () => {
  const owner = user();
  const sub = browserSubscription('https://fcm.googleapis.com/fcm/send/averyveryverylongdevicetoken123456');
  const { body } = await owner.client.put('/api/push/subscription', sub);
  assert.equal((await owner.client.get('/api/admin/subscriptions')).status, 403);
  const admin = user('admin', true);
  const res = await admin.client.get('/api/admin/subscriptions');
  assert.equal(res.status, 200);
  const listed = res.body.subscriptions.find((s: { id: string }) => s.id === body.id);
  assert.deepEqual(Object.keys(listed).sort(), ['createdAt', 'endpoint', 'failures', 'id', 'lastUsedAt', 'userId']);
  assert.equal(listed.userId, owner.id);
  assert.equal(listed.failures, 0);
  assert.equal(listed.lastUsedAt, null);
  assert.ok(
    Math.abs(Date.parse(listed.createdAt) - Date.now()) < 60_000,
    `createdAt is an ISO time: ${listed.createdAt}`,
  );
  assert.ok(!listed.endpoint.includes('averyveryverylongdevicetoken'), listed.endpoint);
  assert.ok(listed.endpoint.startsWith('https://fcm.googleapis.com/'));
  assert.ok(!res.text.includes(sub.keys.auth) && !res.text.includes(sub.keys.p256dh));
});

test('/metrics needs the bearer token when one is set, and lists the push metrics', async () => {
  const none = await server.fetch(`${server.url}/metrics`);
  assert.equal(none.status, 401);
  const wrong = await server.fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer sesame' } });
  assert.equal(wrong.status, 401);
  const res = await server.fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer sesame-sesame' } });
  assert.equal(res.status, 200);
  const text = await res.text();
  for (const name of [
    'crewbell_push_sent_total{result="success"}',
    'crewbell_push_sent_total{result="retry"}',
    'crewbell_push_sent_total{result="gone"}',
    'crewbell_push_sent_total{result="failed"}',
    'crewbell_push_duration_seconds_bucket',
    'crewbell_push_subscriptions ',
    'crewbell_push_outbox_depth ',
    'crewbell_notify_coalesced_changes_total ',
    'process_cpu_seconds_total',
  ]) {
    assert.ok(text.includes(name), `missing ${name}`);
  }
});

test('the VAPID private key is sealed at rest and appears in no response or log line', async () => {
  const secretFile = path.join(server.dataDir, 'secret.key');
  assert.equal(statSync(secretFile).mode & 0o777, 0o600);
  const [row] = rows<{ public_key: string; private_key_sealed: string; subject: string }>(
    'SELECT public_key, private_key_sealed, subject FROM vapid_keys',
  );
  const secret = Buffer.from(readFileSync(secretFile, 'utf8').trim(), 'base64url');
  const privateKey = openPrivateKey(secret, row!.private_key_sealed).toString('base64url');
  assert.equal(privateKey.length, 43);
  assert.ok(!row!.private_key_sealed.includes(privateKey));
  assert.equal(row!.subject, 'mailto:crewbell@example.org', 'http://localhost gets the documented placeholder');
  const dbBytes =
    readFileSync(path.join(server.dataDir, 'crewbell.db')).toString('latin1') +
    readFileSync(path.join(server.dataDir, 'crewbell.db-wal')).toString('latin1');
  assert.ok(!dbBytes.includes(privateKey));
  assert.ok(!server.output().includes(privateKey));
  const key = await new Client(server.url, server.origin, server.fetch).get('/api/push/vapid-public-key');
  assert.ok(!key.text.includes(privateKey));
});

test('the address connected to is checked, not just the name: a DNS answer of 127.0.0.1 is refused', async () => {
  const { createTransport } = await import('../../src/push/transport.ts');
  const asked: string[] = [];
  const transport = createTransport({
    timeoutMs: 2_000,
    allowInsecure: false,
    resolve: (hostname, _options, callback) => {
      asked.push(hostname);
      callback(null, [{ address: '127.0.0.1', family: 4 }]);
    },
  });
  try {
    const outcome = await transport.send({
      endpoint: 'https://push.example.org/x',
      body: Buffer.alloc(100),
      authorization: 'vapid t=a.b.c, k=x',
      ttlSeconds: 60,
      urgency: 'normal',
    });
    // Transient: a captive portal's DNS lies only until the boat leaves the marina.
    assert.deepEqual(outcome, {
      kind: 'retry',
      reason: 'the push service name resolved to a private address — a captive portal or a local DNS?',
    });
    assert.deepEqual(asked, ['push.example.org']);
  } finally {
    transport.close();
  }
});

test('the VAPID key the browser subscribed with is kept when sent (vapidPublicKey or applicationServerKey)', async () => {
  const u = user();
  const key = (await new Client(server.url, server.origin, server.fetch).get('/api/push/vapid-public-key')).body
    .publicKey;
  const a = await u.client.put('/api/push/subscription', { ...browserSubscription(), vapidPublicKey: key });
  const b = await u.client.put('/api/push/subscription', { ...browserSubscription(), applicationServerKey: key });
  for (const id of [a.body.id, b.body.id]) {
    assert.deepEqual(rows('SELECT vapid_public_key FROM push_subscriptions WHERE id = ?', id), [
      { vapid_public_key: key },
    ]);
  }
  assertInvalid(
    await u.client.put('/api/push/subscription', { ...browserSubscription(), vapidPublicKey: 'abc' }),
    'vapidPublicKey',
  );
});
