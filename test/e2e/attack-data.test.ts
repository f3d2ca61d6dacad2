// Hardening, the data half (issue 9): tried as an attacker and as a power cut would. One test
// per point, each against the real thing (SQLite files, a server process, the local push
// service, the software passkey); each failed before its fix.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs, { copyFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { openDatabase, databasePath, transaction } from '../../src/db.ts';
import { ManualClock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { loadSecretKey } from '../../src/push/vapid.ts';
import { freshVapidKeys } from '../helpers/vapid.ts';
import { createVapidSigner } from '../../src/push/authorization.ts';
import { endpointProblem, isPublicAddress } from '../../src/push/endpoint-guard.ts';
import { createTransport } from '../../src/push/transport.ts';
import { createOutboxWorker } from '../../src/push/worker.ts';
import { queueForUser } from '../../src/push/outbox.ts';
import { testMessage } from '../../src/push/messages.ts';
import { recordPasskeyUse } from '../../src/auth/passkeys.ts';
import { runCli, startServer, tempDir, waitFor, type TestServer } from '../helpers/server.ts';
import { cli } from '../helpers/cli.ts';
import { createUserWithSession } from '../helpers/accounts.ts';
import { addCrew, ciphertext, createLogbook } from '../helpers/crew.ts';
import { Client, assertError } from '../helpers/client.ts';
import { reauth, signUp, SoftAuthenticator } from '../helpers/passkey.ts';
import { startPushService, type PushService } from '../helpers/push-service.ts';

const lastLine = (text: string) => text.trimEnd().split('\n').at(-1)!;

// ---- durability ----

test('power cut: the database commits with synchronous=FULL', () => {
  const dir = tempDir();
  try {
    const db = openDatabase(path.join(dir, 'crewbell.db'));
    assert.equal((db.prepare('PRAGMA synchronous').get() as { synchronous: number }).synchronous, 2, 'FULL');
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('power cut: a new secret.key is fsynced, and so is its folder', () => {
  const dir = tempDir();
  const synced: string[] = [];
  const original = fs.fsyncSync;
  fs.fsyncSync = (fd: number) => {
    synced.push(readlinkSync(`/proc/self/fd/${fd}`));
    return original(fd);
  };
  syncBuiltinESMExports();
  try {
    loadSecretKey(dir, {}, true);
  } finally {
    fs.fsyncSync = original;
    syncBuiltinESMExports();
  }
  try {
    // Written as a temp file in the same folder (fsynced under that name), then renamed into
    // place, then the folder fsynced: the rename is on the disk too.
    const file = synced.findIndex(
      (p) => path.dirname(p) === dir && /^\.secret\.key\.\d+\.[0-9a-f]+$/.test(path.basename(p)),
    );
    assert.ok(file >= 0, `the key file: ${synced.join(', ')}`);
    assert.ok(synced.indexOf(dir, file) > file, `its folder, after: ${synced.join(', ')}`);
    assert.equal(statSync(path.join(dir, 'secret.key')).mode & 0o777, 0o600);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** What a device does: pull from its cursor until there is no more; the entity ids it saw. */
async function pullAll(client: Client, logbookId: string, cursor: string): Promise<{ ids: string[]; cursor: string }> {
  const ids: string[] = [];
  for (;;) {
    const res = await client.get(
      `/api/sync/pull?logbookId=${logbookId}${cursor ? `&since=${encodeURIComponent(cursor)}` : ''}`,
    );
    assert.equal(res.status, 200, res.text);
    ids.push(...res.body.items.map((i: { entityId: string }) => i.entityId));
    cursor = res.body.cursor;
    if (!res.body.hasMore) return { ids, cursor };
  }
}

test('power cut: after a roll-back that loses answered commits, a device pulling with its cursor still gets every later entry', async () => {
  // SIGKILL keeps the page cache, so it cannot lose a commit; a power cut (or a restore of an
  // older copy) can. Simulated here: the database file is put back to a copy taken between
  // two commits, while the device keeps the cursor it got after the second.
  const dataDir = tempDir();
  const snapshot = path.join(tempDir(), 'before.db');
  let server: TestServer | undefined = await startServer({ dataDir });
  // Restarts keep the port: the crew's clients (and their cookies) stay pointed at it.
  const samePort = ['--port', String(server.port)];
  try {
    const skipper = createUserWithSession(server, 'skipper');
    const mate = createUserWithSession(server, 'mate');
    const logbook = await createLogbook(skipper);
    await addCrew(skipper, logbook.id, mate, 'WRITE');
    const write = async (entityId: string) => {
      const res = await mate.client.post('/api/sync/push', {
        items: [{ logbookId: logbook.id, entityId, action: 'create', payload: ciphertext() }],
      });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.results[0].status, 'success');
    };
    await write('anchored');
    const copy = server.db();
    copy.exec(`VACUUM INTO '${snapshot}'`);
    copy.close();
    await write('lost1');
    await write('lost2');
    const device = await pullAll(skipper.client, logbook.id, '');
    assert.deepEqual(device.ids, ['anchored', 'lost1', 'lost2']);

    // The power cut: the last two commits are gone from the disk.
    await server.kill();
    copyFileSync(snapshot, databasePath(dataDir));
    for (const suffix of ['-wal', '-shm']) rmSync(databasePath(dataDir) + suffix, { force: true });
    server = await startServer({ dataDir, flags: samePort });
    await write('after1');
    await write('after2');

    // The device pulls on with the cursor it holds: nothing written after the cut is skipped.
    const next = await pullAll(skipper.client, logbook.id, device.cursor);
    for (const id of ['after1', 'after2'])
      assert.ok(next.ids.includes(id), `${id} is pulled (got ${next.ids.join(', ')})`);
    // A device that never saw the lost numbers goes on without starting over.
    const steady = await pullAll(skipper.client, logbook.id, next.cursor);
    assert.deepEqual(steady.ids, []);
    await write('after3');
    assert.deepEqual((await pullAll(skipper.client, logbook.id, next.cursor)).ids, ['after3']);

    // A plain restart loses nothing: cursors from before it go on where they were.
    await server.stop();
    server = await startServer({ dataDir, flags: samePort });
    await write('after4');
    assert.deepEqual((await pullAll(skipper.client, logbook.id, steady.cursor)).ids, ['after3', 'after4']);
  } finally {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(path.dirname(snapshot), { recursive: true, force: true });
  }
});

test('clock: doctor and the serve log say so when the clock is a day behind; VAPID tokens keep 10 h of slack', async () => {
  const dataDir = tempDir();
  try {
    assert.equal((await cli(['vapid', 'generate', '--data-dir', dataDir])).code, 0);
    // The mark a running server left: the clock now reads a day before it.
    const db = openDatabase(databasePath(dataDir));
    db.prepare('INSERT INTO clock_mark (id, seen_at) VALUES (1, ?)').run(Date.now() + 86_400_000);
    db.close();
    const doctor = await cli(['doctor', '--data-dir', dataDir]);
    assert.match(doctor.stdout, /problem\s+clock\s+.*behind the newest database record/);
    const server = await startServer({ dataDir });
    try {
      await waitFor(() => /the clock looks wrong/.test(server.output()), 'the clock warning in the log');
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }

  // Push services refuse an exp in the past by their clock: every token sent has 10 h left.
  const clock = new ManualClock(Date.now());
  const signer = createVapidSigner(freshVapidKeys(), 'mailto:skipper@example.org', clock);
  for (let step = 0; step < 48; step++) {
    const jwt = /t=([^,]+)/.exec(signer.authorization('https://fcm.googleapis.com/fcm/send/x'))![1]!;
    const { exp } = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString());
    assert.ok(
      exp * 1000 - clock.now() >= 10 * 3_600_000 - 1000,
      `at ${step * 30} min the token has ${(exp * 1000 - clock.now()) / 3_600_000} h left`,
    );
    assert.ok(exp * 1000 - clock.now() <= 12 * 3_600_000, 'and never more than 12 h (24 h is the limit)');
    clock.advance(30 * 60_000);
  }
});

// ---- hygiene ----

test('umask 077: a data folder made by a command is 0700, its database and key 0600', async () => {
  const parent = tempDir();
  const dataDir = path.join(parent, 'data');
  try {
    const r = await runCli(['vapid', 'generate', '--data-dir', dataDir], { env: {} });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(statSync(dataDir).mode & 0o777, 0o700);
    assert.equal(statSync(databasePath(dataDir)).mode & 0o777, 0o600);
    assert.equal(statSync(path.join(dataDir, 'secret.key')).mode & 0o777, 0o600);
    const backup = path.join(parent, 'copy.db');
    assert.equal((await runCli(['backup', backup, '--data-dir', dataDir])).code, 0);
    assert.equal(statSync(backup).mode & 0o777, 0o600, 'a backup too');
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test('SSRF: Teredo, 6to4, NAT64, ORCHID, benchmarking, CGNAT, documentation and the other special-purpose ranges are refused', () => {
  for (const address of [
    '2001:0:4136:e378:8000:63bf:3fff:fdd2', // Teredo
    '2001:2::1', // benchmarking
    '2001:10::1', // ORCHID
    '2001:20::1', // ORCHIDv2
    '2002:c0a8:0101::1', // 6to4 of 192.168.1.1
    '64:ff9b::a00:1', // NAT64 of 10.0.0.1
    '64:ff9b:1::1', // local NAT64
    '3fff::1', // documentation (RFC 9637)
    '2001:db8::1',
    '5f00::1', // SRv6
    '::ffff:0:a00:1', // IPv4-translated
    '198.18.0.1',
    '198.19.255.254', // benchmarking
    '100.64.0.1', // CGNAT
    '192.0.0.8',
    '192.31.196.1',
    '192.52.193.1',
    '192.175.48.1',
    '192.88.99.1',
    '203.0.113.7',
    '255.255.255.255',
  ]) {
    assert.equal(isPublicAddress(address), false, address);
  }
  for (const address of ['2001:4860:4860::8888', '2a00:1450:4001::1', '8.8.8.8', '142.250.0.1'])
    assert.equal(isPublicAddress(address), true, address);
  assert.equal(
    endpointProblem('https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/push/x', false),
    'must point to a public address',
  );
});

test('the challenge table is searched by expiry through an index', () => {
  const db = openDatabase(':memory:');
  const plan = db.prepare('EXPLAIN QUERY PLAN DELETE FROM auth_challenges WHERE expires_at <= ?').all(Date.now()) as {
    detail: string;
  }[];
  db.close();
  assert.ok(
    plan.some((p) => /USING .*INDEX auth_challenges_expiry/.test(p.detail)),
    JSON.stringify(plan),
  );
});

// ---- the shared server: sign-up open, small quotas ----

let shared: TestServer | undefined;
async function server(): Promise<TestServer> {
  shared ??= await startServer({
    flags: ['--open-registration', '--quota-logbooks', '2', '--quota-entries', '30', '--quota-mib', '1'],
  });
  return shared;
}
after(async () => {
  await shared?.stop();
  shared?.cleanup();
});

test('tokens are bound to the user id: a recovery link dies with its account and never opens a new account of the same name', async () => {
  const s = await server();
  await signUp(s, 'harbourmaster');
  const recovery = await cli(['user', 'recover', 'harbourmaster', '--data-dir', s.dataDir, '--origin', s.origin]);
  assert.equal(recovery.code, 0, recovery.stderr);
  const token = new URL(lastLine(recovery.stdout)).searchParams.get('token')!;
  assert.equal((await cli(['user', 'delete', 'harbourmaster', '--data-dir', s.dataDir])).code, 0);
  assert.equal(
    s.query("SELECT COUNT(*) AS n FROM signup_tokens WHERE purpose = 'recover'")[0].n,
    0,
    'the link died with the account',
  );

  // Someone signs up under the freed name; the old link does not open their account.
  const newcomer = await signUp(s, 'harbourmaster');
  const client = new Client(s.url, s.origin);
  assertError(
    await client.post('/api/auth/register/options', { username: 'harbourmaster', inviteToken: token }),
    403,
    'registration_closed',
  );
  assert.equal(s.query('SELECT COUNT(*) AS n FROM passkeys WHERE user_id = ?', newcomer.user.id)[0].n, 1);
});

// ---- passkeys ----

test('passkeys: adding one needs a re-verification (a sign-in within 5 minutes counts)', async () => {
  const s = await server();
  const { client, authenticator, user } = await signUp(s, 'borrowedtablet');
  // Just signed up: within the window.
  assert.equal((await client.post('/api/auth/passkeys/options', {})).status, 200);
  // Hours later, the tablet lies signed in on the chart table.
  s.query('UPDATE sessions SET reverified_at = ? WHERE user_id = ?', Date.now() - 3 * 3_600_000, user.id);
  assertError(await client.post('/api/auth/passkeys/options', {}), 403, 'reauth_required', /add a passkey/);
  assertError(await client.post('/api/auth/passkeys/verify', { response: {} }), 403, 'reauth_required');
  await reauth(client, authenticator);
  const start = await client.post('/api/auth/passkeys/options', {});
  assert.equal(start.status, 200);
  const added = await client.post('/api/auth/passkeys/verify', {
    response: new SoftAuthenticator(s.origin).register(start.body.options),
  });
  assert.equal(added.status, 200, added.text);
});

test('passkeys: the 20-passkey cap holds against parallel additions (checked inside the transaction)', async () => {
  const s = await server();
  const { client, user } = await signUp(s, 'twinkeys');
  for (let i = 0; i < 18; i++) {
    s.query(
      "INSERT INTO passkeys (id, user_id, public_key, counter, transports, created_at) VALUES (?, ?, x'00', 0, '[]', ?)",
      `spare${i}${user.id}`,
      user.id,
      Date.now(),
    );
  }
  // Two tabs of the same session both start while there is room for one more.
  const tabs = [client, new Client(s.url, s.origin)];
  tabs[1]!.cookies.set('crewbell_session', client.cookies.get('crewbell_session')!);
  const starts = await Promise.all(tabs.map((tab) => tab.post('/api/auth/passkeys/options', {})));
  for (const start of starts) assert.equal(start.status, 200, start.text);
  const answers = await Promise.all(
    tabs.map((tab, i) =>
      tab.post('/api/auth/passkeys/verify', {
        response: new SoftAuthenticator(s.origin).register(starts[i]!.body.options),
      }),
    ),
  );
  assert.deepEqual(answers.map((a) => a.status).sort(), [200, 409]);
  assertError(answers.find((a) => a.status === 409)!, 409, 'too_many_passkeys');
  assert.equal(s.query('SELECT COUNT(*) AS n FROM passkeys WHERE user_id = ?', user.id)[0].n, 20);
});

test('passkeys: the signature counter is compared and set in one statement, so a cloned passkey cannot sign in twice with one count', async () => {
  const s = await server();
  const { authenticator } = await signUp(s, 'clonedkey');
  const credential = authenticator.credentials[0]!;
  const tabs = [new Client(s.url, s.origin), new Client(s.url, s.origin)];
  const starts = await Promise.all(tabs.map((tab) => tab.post('/api/auth/login/options', {})));
  // The original and its clone both answer with counter 1.
  const responses = starts.map((start) => {
    credential.counter = 0;
    return authenticator.signIn(start.body.options);
  });
  const answers = await Promise.all(
    tabs.map((tab, i) => tab.post('/api/auth/login/verify', { response: responses[i] })),
  );
  assert.deepEqual(answers.map((a) => a.status).sort(), [200, 401]);
  assert.equal(s.query('SELECT counter FROM passkeys WHERE id = ?', credential.id)[0].counter, 1);

  // The store's compare-and-set on its own: a counter that is not above the stored one is refused.
  const db = s.db();
  try {
    assert.equal(recordPasskeyUse(db, credential.id, 1, Date.now()), false);
    assert.equal(recordPasskeyUse(db, credential.id, 2, Date.now()), true);
  } finally {
    db.close();
  }
});

// ---- abuse ----

test('devices: an account keeps at most 20; a new one replaces the longest unused', async () => {
  const s = await server();
  const sailor = createUserWithSession(s, 'manyphones');
  const ps = await startPushService();
  try {
    const devices = Array.from({ length: 21 }, () => ps.createDevice());
    const endpoint = (i: number) => `https://fcm.googleapis.com/fcm/send/${sailor.id}-${i}`;
    for (let i = 0; i < 20; i++) {
      const res = await sailor.client.put('/api/push/subscription', {
        ...devices[i]!.subscription,
        endpoint: endpoint(i),
      });
      assert.equal(res.status, 200, res.text);
    }
    // Every device was used lately, but for the fourth, which has been in a drawer for weeks.
    s.query('UPDATE push_subscriptions SET last_used_at = ? WHERE user_id = ?', Date.now(), sailor.id);
    s.query(
      'UPDATE push_subscriptions SET last_used_at = ? WHERE endpoint = ?',
      Date.now() - 30 * 86_400_000,
      endpoint(3),
    );
    const res = await sailor.client.put('/api/push/subscription', {
      ...devices[20]!.subscription,
      endpoint: endpoint(20),
    });
    assert.equal(res.status, 200, res.text);
    const kept = s
      .query<{ endpoint: string }>('SELECT endpoint FROM push_subscriptions WHERE user_id = ?', sailor.id)
      .map((r) => r.endpoint);
    assert.equal(kept.length, 20);
    assert.ok(kept.includes(endpoint(20)), 'the new device is kept');
    assert.ok(!kept.includes(endpoint(3)), 'the drawer phone made room');
  } finally {
    await ps.close();
  }
});

test('quotas: logbooks, entries and bytes per account, refused whole with 403 quota_exceeded naming the quota', async () => {
  const s = await server();
  const skipper = createUserWithSession(s, 'hoarder');
  const mate = createUserWithSession(s, 'hoardermate');
  const first = await createLogbook(skipper);
  await createLogbook(skipper);
  assertError(
    await skipper.client.post('/api/logbooks', { id: randomUUID(), meta: ciphertext() }),
    403,
    'quota_exceeded',
    /logbooks quota.*at most 2/,
  );
  await addCrew(skipper, first.id, mate, 'WRITE');

  const items = (n: number, chars = 64) =>
    Array.from({ length: n }, () => ({
      logbookId: first.id,
      entityId: randomUUID(),
      action: 'create',
      payload: 'A'.repeat(chars),
    }));
  assert.equal((await skipper.client.post('/api/sync/push', { items: items(20) })).status, 200);
  // Crew writes count for the owner, and a request over the quota keeps nothing of it.
  assertError(
    await mate.client.post('/api/sync/push', { items: items(11) }),
    403,
    'quota_exceeded',
    /entries quota.*at most 30.*nothing was saved/,
  );
  assert.equal(s.query('SELECT COUNT(*) AS n FROM entries WHERE logbook_id = ?', first.id)[0].n, 20);
  assert.equal((await mate.client.post('/api/sync/push', { items: items(10) })).status, 200, 'up to the quota is fine');

  // At the quota, a delete (which keeps a small tombstone) still goes through: shrinking is allowed.
  const gone = s.query<{ entity_id: string }>(
    'SELECT entity_id FROM entries WHERE logbook_id = ? LIMIT 1',
    first.id,
  )[0]!.entity_id;
  const freed = await skipper.client.post('/api/sync/push', {
    items: [{ logbookId: first.id, entityId: gone, action: 'delete' }],
  });
  assert.equal(freed.body.results[0]?.status, 'success', freed.text);

  // Bytes: 1 MiB here, 16 entries of 64 KiB fill it.
  const writer = createUserWithSession(s, 'bigwriter');
  const logbook = await createLogbook(writer);
  const big = (n: number, chars: number) =>
    Array.from({ length: n }, () => ({
      logbookId: logbook.id,
      entityId: randomUUID(),
      action: 'create',
      payload: 'B'.repeat(chars),
    }));
  assert.equal((await writer.client.post('/api/sync/push', { items: big(16, 65536) })).status, 200);
  assertError(
    await writer.client.post('/api/sync/push', { items: big(1, 4) }),
    403,
    'quota_exceeded',
    /bytes quota.*at most 1 MiB/,
  );
  assert.equal(s.query('SELECT COUNT(*) AS n FROM entries WHERE logbook_id = ?', logbook.id)[0].n, 16);

  // Uploads that arrive together share one commit: the one over its quota fails alone, and
  // the others are kept (the batch is rolled back and each runs again on its own).
  const neighbours = await Promise.all(
    ['neighbour1', 'neighbour2', 'neighbour3', 'neighbour4'].map(async (name) => {
      const user = createUserWithSession(s, name);
      return { user, logbook: await createLogbook(user) };
    }),
  );
  const [over, ...kept] = await Promise.all([
    writer.client.post('/api/sync/push', { items: big(1, 4) }),
    ...neighbours.map(({ user, logbook }) =>
      user.client.post('/api/sync/push', {
        items: [{ logbookId: logbook.id, entityId: randomUUID(), action: 'create', payload: ciphertext() }],
      }),
    ),
  ]);
  assertError(over!, 403, 'quota_exceeded');
  for (const answer of kept) assert.equal(answer.body.results?.[0]?.status, 'success', answer.text);
  for (const { logbook } of neighbours)
    assert.equal(s.query('SELECT COUNT(*) AS n FROM entries WHERE logbook_id = ?', logbook.id)[0].n, 1);
  assert.equal(s.query('SELECT COUNT(*) AS n FROM entries WHERE logbook_id = ?', logbook.id)[0].n, 16);
});

// ---- the outbox worker: fairness and giving up on a device ----

function worker(options: { concurrency: number }) {
  const db = openDatabase(':memory:');
  const clock = new ManualClock(Date.now());
  const signer = createVapidSigner(freshVapidKeys(), 'mailto:skipper@example.org', clock);
  // Longer than any wait here: a slot held by a hanging service stays held.
  const transport = createTransport({ timeoutMs: 120_000, allowInsecure: true });
  const outbox = createOutboxWorker(
    { db, clock, log: silentLogger, transport, signer: () => signer },
    { concurrency: options.concurrency, retries: 0, retryBaseMs: 1000, ttlSeconds: 60 },
  );
  const user = () => {
    const id = randomUUID();
    db.prepare('INSERT INTO users (id, username, created_at) VALUES (?, ?, 0)').run(id, `u${id.slice(0, 8)}`);
    return id;
  };
  const subscribe = (userId: string, ps: PushService) => {
    const device = ps.createDevice();
    const id = randomUUID();
    db.prepare(
      'INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, locale, created_at) VALUES (?, ?, ?, ?, ?, ?, 0)',
    ).run(id, userId, device.endpoint, device.subscription.keys.p256dh, device.subscription.keys.auth, 'en');
    return { id, device };
  };
  const notify = (userId: string) => {
    transaction(db, () => queueForUser(db, userId, (l) => testMessage(l), null, clock.now()));
    outbox.kick();
  };
  return { db, outbox, transport, user, subscribe, notify };
}

test('outbox: a slow push service and an account with many devices cannot hold every worker slot', async () => {
  const slow = await startPushService();
  const fast = await startPushService();
  const w = worker({ concurrency: 4 });
  try {
    // One account with five devices behind a push service that never answers, two more
    // accounts there, and one account elsewhere; all queued in that order.
    const flooder = w.user();
    const flooded = Array.from({ length: 5 }, () => w.subscribe(flooder, slow));
    for (const { device } of flooded) slow.plan(device, 'hang');
    const neighbour = w.user();
    const next = w.subscribe(neighbour, slow);
    slow.plan(next.device, 'hang');
    const elsewhere = w.user();
    const other = w.subscribe(elsewhere, fast);
    w.notify(flooder);
    w.notify(neighbour);
    w.notify(elsewhere);

    await fast.waitForDelivered(1, other.device);
    await waitFor(
      () => slow.messages.some((m) => m.deviceId === next.device.id),
      "the neighbour's request at the slow service",
    );
    const byDevice = new Set(slow.messages.map((m) => m.deviceId));
    assert.ok(slow.hanging() <= 2, `at most half the slots at one host (${slow.hanging()} held)`);
    assert.equal(
      flooded.filter(({ device }) => byDevice.has(device.id)).length,
      1,
      "one of the flooding account's devices at a time",
    );
  } finally {
    await slow.close();
    await w.outbox.stop();
    w.transport.close();
    await fast.close();
    w.db.close();
  }
});

test('outbox: a device the push service keeps refusing for good (4xx) is dropped after 5 refusals in a row', async () => {
  const ps = await startPushService();
  const w = worker({ concurrency: 4 });
  try {
    const sailor = w.user();
    const { id, device } = w.subscribe(sailor, ps);
    ps.plan(device, 400, 400, 400, 400, 400);
    for (let i = 1; i <= 4; i++) {
      w.notify(sailor);
      await waitFor(
        () => ps.messages.length === i && w.db.prepare('SELECT COUNT(*) AS n FROM push_outbox').get()!.n === 0,
        `refusal ${i} recorded`,
      );
    }
    assert.equal(
      (w.db.prepare('SELECT permanent_failures AS n FROM push_subscriptions WHERE id = ?').get(id) as { n: number }).n,
      4,
    );
    w.notify(sailor);
    await waitFor(() => !w.db.prepare('SELECT id FROM push_subscriptions WHERE id = ?').get(id), 'the device dropped');
  } finally {
    await w.outbox.stop();
    w.transport.close();
    await ps.close();
    w.db.close();
  }
});
