// The seed's push test plan, end to end: a real `crewbell serve` process, crew syncing
// through the real API, and the local push service verifying, decrypting and recording
// what arrives. Short debounce/throttle/backoff flags keep it fast; every wait is bounded.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startServer, waitFor, type TestServer } from '../helpers/server.ts';
import type { TestUser } from '../helpers/accounts.ts';
import { ciphertext, crewAboard, type Crew } from '../helpers/crew.ts';
import { startPushService, type PushService, type PushServiceDevice } from '../helpers/push-service.ts';

/** Bounded waits, generous because the build machine is shared and sometimes crawls. */
const WAIT_MS = 20_000;
/** Long enough that three requests sent together land inside it on a loaded CI machine. */
const DEBOUNCE_MS = 500;
const THROTTLE_MS = 2000;
const FLAGS = [
  '--push-allow-insecure',
  '--notify-debounce',
  `${DEBOUNCE_MS}ms`,
  '--notify-throttle',
  `${THROTTLE_MS}ms`,
  '--push-retry-base',
  '100ms',
];

let ps: PushService;
before(async () => {
  ps = await startPushService();
});
after(async () => {
  await ps.close();
});

async function subscribe(
  who: TestUser,
  device: PushServiceDevice,
  headers: Record<string, string> = {},
): Promise<string> {
  const res = await who.client.put('/api/push/subscription', device.subscription, { headers });
  assert.equal(res.status, 200, res.text);
  return res.body.id;
}

async function notificationsOn(who: TestUser, on = true): Promise<void> {
  const res = await who.client.put('/api/push/prefs', { collaboratorChangesEnabled: on });
  assert.equal(res.status, 200, res.text);
}

/** Crew (or owner) syncs `count` new entries in one request. */
async function writeEntries(who: TestUser, logbookId: string, count: number) {
  const items = Array.from({ length: count }, () => ({
    logbookId,
    entityId: randomUUID(),
    action: 'create',
    payload: ciphertext(),
  }));
  const res = await who.client.post('/api/sync/push', { items });
  assert.equal(res.status, 200, res.text);
  assert.ok(
    res.body.results.every((r: { status: string }) => r.status === 'success'),
    res.text,
  );
}

/** A failed wait shows what the server logged, so a rare failure can be read afterwards. */
async function withServerLog<T>(server: TestServer, wait: Promise<T>): Promise<T> {
  try {
    return await wait;
  } catch (err) {
    (err as Error).message += `\n--- server log (last 4000 characters) ---\n${server.output().slice(-6000)}`;
    throw err;
  }
}

/** Nothing pending for the logbook and nothing left in the outbox: the pipeline is done. */
async function settled(server: TestServer, crew: Crew): Promise<void> {
  await waitFor(
    () => {
      const pending = server.query<{ n: number }>(
        'SELECT COUNT(*) AS n FROM notify_state WHERE logbook_id = ? AND due_at IS NOT NULL',
        crew.logbook.id,
      )[0]!.n;
      const queued = server.query<{ n: number }>(
        'SELECT COUNT(*) AS n FROM push_outbox o JOIN push_subscriptions s ON s.id = o.subscription_id WHERE s.user_id = ?',
        crew.skipper.id,
      )[0]!.n;
      return pending === 0 && queued === 0;
    },
    'the notification pipeline to settle',
    WAIT_MS,
  );
}

describe('crew changes notify the owner', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ flags: FLAGS });
  });
  after(async () => {
    await server.stop();
    server.cleanup();
  });

  test('crew syncs one entry: one push with the exact message, TTL, Urgency and Topic', async () => {
    const crew = await crewAboard(server);
    const phone = ps.createDevice();
    await subscribe(crew.skipper, phone);
    await notificationsOn(crew.skipper);
    await writeEntries(crew.mate, crew.logbook.id, 1);
    const [m] = await ps.waitForDelivered(1, phone, WAIT_MS);
    assert.deepEqual(m!.payload, {
      web_push: 8030,
      notification: {
        title: 'crewbell',
        body: 'New changes in one of your logbooks.',
        navigate: `${server.origin}/logbook/${crew.logbook.id}`,
        tag: `logbook-${crew.logbook.id}`,
        lang: 'en',
      },
      app_badge: 1,
      mutable: true,
      title: 'crewbell',
      body: 'New changes in one of your logbooks.',
      tag: `logbook-${crew.logbook.id}`,
      renotify: false,
      data: {
        url: `/logbook/${crew.logbook.id}`,
        logbookId: crew.logbook.id,
        changeCount: 1,
        counts: { create: 1, update: 0, delete: 0 },
        by: [crew.mate.username],
      },
    });
    assert.equal(m!.headers.ttl, '86400');
    assert.equal(m!.headers.urgency, 'normal');
    assert.equal(m!.headers.topic, crew.logbook.id.replace(/-/g, ''));
    assert.equal(m!.jwt.aud, ps.origin);
    await settled(server, crew);
    assert.equal(ps.delivered(phone).length, 1);
    assert.deepEqual(ps.rejected, []);
    const [sub] = server.query<{ last_used_at: number | null }>(
      'SELECT last_used_at FROM push_subscriptions WHERE endpoint = ?',
      phone.endpoint,
    );
    assert.ok(sub!.last_used_at, 'last_used_at set on delivery');
  });

  test('ten entries in one request: one push with changeCount 10', async () => {
    const crew = await crewAboard(server);
    const phone = ps.createDevice();
    await subscribe(crew.skipper, phone);
    await notificationsOn(crew.skipper);
    await writeEntries(crew.mate, crew.logbook.id, 10);
    const [m] = await ps.waitForDelivered(1, phone, WAIT_MS);
    assert.equal(m!.payload.data.changeCount, 10);
    await settled(server, crew);
    assert.equal(ps.delivered(phone).length, 1);
  });

  test('a burst of requests: one push, then one trailing push after the throttle with the summed count', async () => {
    const crew = await crewAboard(server);
    const phone = ps.createDevice();
    await subscribe(crew.skipper, phone);
    await notificationsOn(crew.skipper);
    await Promise.all([
      writeEntries(crew.mate, crew.logbook.id, 1),
      writeEntries(crew.mate, crew.logbook.id, 2),
      writeEntries(crew.mate, crew.logbook.id, 3),
    ]);
    const [first] = await ps.waitForDelivered(1, phone, WAIT_MS);
    assert.equal(first!.payload.data.changeCount, 6);
    // Inside the throttle window: these are held and summed into one trailing push.
    await writeEntries(crew.mate, crew.logbook.id, 2);
    await writeEntries(crew.mate, crew.logbook.id, 4);
    const [state] = server.query<{ due_at: number; last_sent_at: number; pending_count: number }>(
      'SELECT due_at, last_sent_at, pending_count FROM notify_state WHERE logbook_id = ?',
      crew.logbook.id,
    );
    assert.equal(state!.pending_count, 6);
    assert.equal(state!.due_at, state!.last_sent_at + THROTTLE_MS);
    const got = await ps.waitForDelivered(2, phone, WAIT_MS);
    assert.equal(got[1]!.payload.data.changeCount, 6);
    await settled(server, crew);
    assert.equal(ps.delivered(phone).length, 2);
  });

  test('notifications off (the default): nothing is sent', async () => {
    const crew = await crewAboard(server);
    const phone = ps.createDevice();
    await subscribe(crew.skipper, phone);
    const prefs = await crew.skipper.client.get('/api/push/prefs');
    assert.deepEqual(prefs.body, { collaboratorChangesEnabled: false, quietHours: null, emailWhenNoPush: true });
    await writeEntries(crew.mate, crew.logbook.id, 3);
    // The change was recorded and its due time passed: the rule ran and chose not to send.
    await waitFor(
      () =>
        server.query('SELECT 1 FROM notify_state WHERE logbook_id = ? AND due_at IS NULL', crew.logbook.id).length ===
        1,
      'the due time to pass',
    );
    await settled(server, crew);
    assert.equal(ps.messages.filter((m) => m.deviceId === phone.id).length, 0);
  });

  test("the owner's own changes and READ crew never notify", async () => {
    const crew = await crewAboard(server);
    const phone = ps.createDevice();
    await subscribe(crew.skipper, phone);
    await notificationsOn(crew.skipper);
    await writeEntries(crew.skipper, crew.logbook.id, 4);
    const res = await crew.deckhand.client.post('/api/sync/push', {
      items: [{ logbookId: crew.logbook.id, entityId: randomUUID(), action: 'create', payload: ciphertext() }],
    });
    assert.equal(res.body.results[0].status, 'forbidden');
    assert.deepEqual(server.query('SELECT * FROM notify_state WHERE logbook_id = ?', crew.logbook.id), []);
    // A crew change afterwards counts only itself.
    await writeEntries(crew.mate, crew.logbook.id, 1);
    const [m] = await ps.waitForDelivered(1, phone, WAIT_MS);
    assert.equal(m!.payload.data.changeCount, 1);
  });

  test("a 410 device is removed and the owner's other device still gets the notification", async () => {
    const crew = await crewAboard(server);
    const oldPhone = ps.createDevice();
    const tablet = ps.createDevice();
    await subscribe(crew.skipper, oldPhone);
    await subscribe(crew.skipper, tablet);
    await notificationsOn(crew.skipper);
    ps.plan(oldPhone, 410);
    await writeEntries(crew.mate, crew.logbook.id, 1);
    await ps.waitForDelivered(1, tablet, WAIT_MS);
    await waitFor(
      () => server.query('SELECT 1 FROM push_subscriptions WHERE endpoint = ?', oldPhone.endpoint).length === 0,
      'the gone subscription to be deleted',
    );
    assert.equal(server.query('SELECT 1 FROM push_subscriptions WHERE endpoint = ?', tablet.endpoint).length, 1);
  });

  test('429 (with Retry-After) and 500, then success: delivered', async () => {
    const crew = await crewAboard(server);
    const phone = ps.createDevice();
    await subscribe(crew.skipper, phone);
    await notificationsOn(crew.skipper);
    ps.plan(phone, { status: 429, retryAfter: '0' }, 500);
    await writeEntries(crew.mate, crew.logbook.id, 2);
    const [m] = await withServerLog(server, ps.waitForDelivered(1, phone, WAIT_MS));
    assert.equal(m!.payload.data.changeCount, 2);
    assert.deepEqual(
      ps.messages.filter((x) => x.deviceId === phone.id).map((x) => x.answer),
      [429, 500, 201],
    );
    await settled(server, crew);
  });

  test('a German subscription gets the German text (by locale, or by Accept-Language); a language crewbell lacks gets English', async () => {
    const crew = await crewAboard(server);
    const byLocale = ps.createDevice({ locale: 'de' });
    const byHeader = ps.createDevice();
    const english = ps.createDevice();
    await subscribe(crew.skipper, byLocale);
    await subscribe(crew.skipper, byHeader, { 'accept-language': 'de-DE,de;q=0.9,en;q=0.8' });
    await subscribe(crew.skipper, english, { 'accept-language': 'ja-JP,en;q=0.5' });
    await notificationsOn(crew.skipper);
    await writeEntries(crew.mate, crew.logbook.id, 1);
    const german = 'Neue Änderungen in einem deiner Logbücher.';
    assert.equal((await ps.waitForDelivered(1, byLocale, WAIT_MS))[0]!.payload.body, german);
    assert.equal((await ps.waitForDelivered(1, byHeader, WAIT_MS))[0]!.payload.body, german);
    assert.equal(
      (await ps.waitForDelivered(1, english, WAIT_MS))[0]!.payload.body,
      'New changes in one of your logbooks.',
    );
  });

  test('POST /api/push/test reaches every device of the caller with tag "test"', async () => {
    const crew = await crewAboard(server);
    const a = ps.createDevice();
    const b = ps.createDevice({ locale: 'de' });
    await subscribe(crew.mate, a);
    await subscribe(crew.mate, b);
    const res = await crew.mate.client.post('/api/push/test');
    assert.equal(res.status, 202, res.text);
    assert.deepEqual(res.body, { queued: 2 });
    for (const device of [a, b]) {
      const [m] = await ps.waitForDelivered(1, device, WAIT_MS);
      assert.equal(m!.payload.tag, 'test');
      assert.deepEqual(m!.payload.data, { url: '/settings' });
    }
  });
});

test('a server killed (SIGKILL) between a crew change and its due time delivers after restart, once', async () => {
  const flags = ['--push-allow-insecure', '--notify-debounce', '2s', '--notify-throttle', '10s'];
  const first = await startServer({ flags });
  let second: TestServer | undefined;
  try {
    const crew = await crewAboard(first);
    const phone = ps.createDevice();
    await subscribe(crew.skipper, phone);
    await notificationsOn(crew.skipper);
    await writeEntries(crew.mate, crew.logbook.id, 3);
    await first.kill();
    assert.equal(ps.messages.filter((m) => m.deviceId === phone.id).length, 0, 'killed before the due time');
    second = await startServer({ flags, dataDir: first.dataDir });
    const [m] = await ps.waitForDelivered(1, phone, WAIT_MS);
    assert.equal(m!.payload.data.changeCount, 3);
    await settled(second, crew);
    assert.equal(ps.messages.filter((x) => x.deviceId === phone.id).length, 1, 'delivered once');
  } finally {
    await first.kill();
    if (second) assert.equal(await second.stop(), 0);
    first.cleanup();
  }
});

test('sync does not wait for push: with the push service hanging, POST /api/sync/push still answers', async () => {
  const server = await startServer({ flags: [...FLAGS, '--push-timeout', '60s'] });
  try {
    const crew = await crewAboard(server);
    const phone = ps.createDevice();
    await subscribe(crew.skipper, phone);
    await notificationsOn(crew.skipper);
    ps.plan(phone, 'hang');
    await writeEntries(crew.mate, crew.logbook.id, 1);
    await waitFor(() => ps.hanging() > 0, 'the push request to hang');
    await writeEntries(crew.mate, crew.logbook.id, 1);
    await writeEntries(crew.mate, crew.logbook.id, 5);
    assert.ok(ps.hanging() > 0, 'the push request is still hanging while sync answered');
  } finally {
    // SIGTERM drains in-flight deliveries: closing the push service ends the hanging one.
    const stopped = server.stop();
    await ps.close();
    ps = await startPushService();
    assert.equal(await stopped, 0);
    server.cleanup();
  }
});

test('SIGTERM lets a delivery in flight finish and records it before exiting', async () => {
  const server = await startServer({ flags: FLAGS });
  try {
    const crew = await crewAboard(server);
    const phone = ps.createDevice();
    await subscribe(crew.skipper, phone);
    ps.plan(phone, { status: 201, delayMs: 800 });
    assert.deepEqual((await crew.skipper.client.post('/api/push/test')).body, { queued: 1 });
    await waitFor(() => ps.hanging() > 0, 'the delivery to be in flight');
    assert.equal(await server.stop(), 0);
    assert.equal(ps.delivered(phone).length, 1);
    const [sub] = server.query<{ last_used_at: number | null }>(
      'SELECT last_used_at FROM push_subscriptions WHERE endpoint = ?',
      phone.endpoint,
    );
    assert.ok(sub!.last_used_at, 'the delivery was recorded');
    assert.deepEqual(server.query('SELECT id FROM push_outbox'), []);
  } finally {
    await server.stop();
    server.cleanup();
  }
});
