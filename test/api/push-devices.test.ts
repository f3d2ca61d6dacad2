// Devices that heal and the app badge, through the real app in-process (its worker delivers
// to the local push service over real HTTP): GET /api/push/devices with last seen, last
// delivery and failing (with the reason), removing a device, a transient failure keeping the
// device, and app_badge counting changes until POST /api/push/seen.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { waitFor } from '../helpers/server.ts';
import { startApp, type TestApp } from '../helpers/app.ts';
import { Client } from '../helpers/client.ts';
import { ciphertext, crewAboard, createLogbook, addCrew, type Crew } from '../helpers/crew.ts';
import { startPushService, type PushService } from '../helpers/push-service.ts';
import { MAX_PERMANENT_FAILURES } from '../../src/push/subscriptions.ts';
import { queueForUser } from '../../src/push/outbox.ts';
import { testMessage } from '../../src/push/messages.ts';
import { transaction } from '../../src/db.ts';

let server: TestApp;
let ps: PushService;
before(async () => {
  ps = await startPushService();
  server = startApp({
    flags: ['--push-allow-insecure', '--notify-debounce', '50ms', '--notify-throttle', '50ms', '--push-retries', '0'],
  });
});
after(async () => {
  await server.stop();
  server.cleanup();
  await ps.close();
});

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

test("GET /api/push/devices lists only the caller's devices: host, locale, seen, delivered, failing; removing one", async () => {
  const { skipper, mate } = await crewAboard(server);
  const phone = ps.createDevice();
  const laptop = ps.createDevice();
  const put = await skipper.client.put('/api/push/subscription', { ...phone.subscription, locale: 'de' });
  assert.equal(put.status, 200, put.text);
  await skipper.client.put('/api/push/subscription', laptop.subscription);
  await mate.client.put('/api/push/subscription', ps.createDevice().subscription);

  const res = await skipper.client.get('/api/push/devices');
  assert.equal(res.status, 200, res.text);
  const devices = res.body.devices as any[];
  assert.equal(devices.length, 2);
  const mine = devices.find((d) => d.id === put.body.id);
  assert.deepEqual(Object.keys(mine).sort(), [
    'createdAt',
    'endpointHost',
    'failing',
    'id',
    'lastDeliveredAt',
    'lastSeenAt',
    'locale',
  ]);
  assert.equal(mine.endpointHost, new URL(phone.endpoint).host);
  assert.equal(mine.locale, 'de');
  assert.match(mine.createdAt, ISO);
  assert.match(mine.lastSeenAt, ISO);
  assert.equal(mine.lastDeliveredAt, null);
  assert.equal(mine.failing, false);
  assert.ok(!res.text.includes(phone.endpoint), 'the endpoint itself stays on the server');

  // Removing: only one's own, by id; an unknown or foreign id is 404.
  const matesId = (await mate.client.get('/api/push/devices')).body.devices[0].id;
  assert.equal((await skipper.client.delete(`/api/push/devices/${matesId}`)).status, 404);
  assert.equal((await skipper.client.delete('/api/push/devices/not-an-id')).status, 404);
  assert.equal((await skipper.client.delete(`/api/push/devices/${mine.id}`)).status, 204);
  assert.equal((await skipper.client.delete(`/api/push/devices/${mine.id}`)).status, 404);
  assert.deepEqual(
    (await skipper.client.get('/api/push/devices')).body.devices.map((d: { endpointHost: string }) => d.endpointHost),
    [new URL(laptop.endpoint).host],
  );
  assert.equal((await mate.client.get('/api/push/devices')).body.devices.length, 1);
  const anonymous = new Client(server.url, server.origin, server.fetch);
  assert.equal((await anonymous.get('/api/push/devices')).status, 401);
  assert.equal((await anonymous.post('/api/push/seen', {})).status, 401);
});

test('sending the subscription again marks the device seen: a dropped device comes back by itself', async () => {
  const { skipper } = await crewAboard(server);
  const phone = ps.createDevice();
  const first = await skipper.client.put('/api/push/subscription', phone.subscription);
  const seen = () =>
    server.query<{ s: number }>('SELECT last_seen_at AS s FROM push_subscriptions WHERE id = ?', first.body.id)[0]?.s;
  server.query('UPDATE push_subscriptions SET last_seen_at = 1000 WHERE id = ?', first.body.id);
  assert.equal(seen(), 1000);
  await skipper.client.put('/api/push/subscription', phone.subscription);
  assert.ok(seen()! > 1000, 'seen again');
  // The server dropped it (e.g. pruned): the next start brings it back.
  server.query('DELETE FROM push_subscriptions WHERE id = ?', first.body.id);
  assert.equal((await skipper.client.put('/api/push/subscription', phone.subscription)).status, 200);
  assert.equal((await skipper.client.get('/api/push/devices')).body.devices.length, 1);
});

test('a transient failure keeps the device, marks it failing with the reason; a delivery heals it', async () => {
  const { skipper } = await crewAboard(server);
  const phone = ps.createDevice();
  await skipper.client.put('/api/push/subscription', phone.subscription);
  const device = async () => (await skipper.client.get('/api/push/devices')).body.devices[0];
  // More 503s than the refusals that drop a device: a transient trouble never drops it.
  const count = MAX_PERMANENT_FAILURES + 1;
  ps.plan(phone, ...Array.from({ length: count }, () => 503));
  // (POST /api/push/test is rate limited: queued here as the route does it.)
  const sendTest = () => {
    transaction(server.deps.db, () => queueForUser(server.deps.db, skipper.id, testMessage, null, Date.now()));
    server.deps.push.kick();
  };
  for (let i = 1; i <= count; i++) {
    sendTest();
    await waitFor(
      () =>
        ps.messages.filter((m) => m.deviceId === phone.id).length === i &&
        server.query('SELECT 1 FROM push_outbox').length === 0,
      `failure ${i} recorded`,
    );
  }
  const failing = await device();
  assert.equal(failing.failing, true);
  assert.equal(failing.failingReason, 'the push service had trouble (HTTP 503)');
  assert.equal(failing.lastDeliveredAt, null);
  assert.match(server.output(), /push failed after retries; the device is kept and marked failing/);

  sendTest();
  await ps.waitForDelivered(1, phone);
  await waitFor(async () => (await device()).failing === false, 'the device to heal');
  const healed = await device();
  assert.match(healed.lastDeliveredAt, ISO);
  assert.equal('failingReason' in healed, false);
});

async function writes(crew: Crew, logbookId: string, n: number): Promise<void> {
  const items = Array.from({ length: n }, () => ({
    logbookId,
    entityId: randomUUID(),
    action: 'create',
    payload: ciphertext(),
  }));
  const res = await crew.mate.client.post('/api/sync/push', { items });
  assert.equal(res.status, 200, res.text);
}

test('app_badge counts the changes notified since POST /api/push/seen, per logbook; navigate is absolute', async () => {
  const crew = await crewAboard(server);
  const second = await createLogbook(crew.skipper);
  await addCrew(crew.skipper, second.id, crew.mate, 'WRITE');
  const phone = ps.createDevice();
  await crew.skipper.client.put('/api/push/subscription', phone.subscription);
  await crew.skipper.client.put('/api/push/prefs', { collaboratorChangesEnabled: true });
  let received = 0;
  const next = async () => (await ps.waitForDelivered(++received, phone)).at(-1)!.payload;

  await writes(crew, crew.logbook.id, 3);
  const first = await next();
  assert.equal(first.web_push, 8030);
  assert.equal(first.mutable, true);
  assert.equal(first.app_badge, 3);
  assert.deepEqual(first.notification, {
    title: 'crewbell',
    body: 'New changes in one of your logbooks.',
    navigate: `${server.origin}/logbook/${crew.logbook.id}`,
    tag: `logbook-${crew.logbook.id}`,
    lang: 'en',
  });
  // The classic members stay for service workers installed before.
  assert.equal(first.tag, `logbook-${crew.logbook.id}`);
  assert.equal(first.data.url, `/logbook/${crew.logbook.id}`);

  await writes(crew, second.id, 2);
  assert.equal((await next()).app_badge, 5, 'both logbooks count');

  const seenOne = await crew.skipper.client.post('/api/push/seen', { logbookId: crew.logbook.id });
  assert.equal(seenOne.status, 204, seenOne.text);
  await writes(crew, second.id, 1);
  assert.equal((await next()).app_badge, 3, 'the first logbook was seen: 2 + 1 of the second');

  assert.equal((await crew.skipper.client.post('/api/push/seen', {})).status, 204);
  await crew.skipper.client.post('/api/push/test', {});
  const test = await next();
  assert.equal(test.app_badge, 0, 'all seen; a test push counts no change');
  assert.equal(test.notification.navigate, `${server.origin}/settings`);

  // The mate was notified of nothing: their badge is their own.
  assert.equal(server.query('SELECT 1 FROM push_badges WHERE user_id = ?', crew.mate.id).length, 0);
  const bad = await crew.skipper.client.post('/api/push/seen', { logbookId: 'nope' });
  assert.equal(bad.status, 400);
  assert.ok(bad.body.error.message.startsWith('logbookId'), bad.text);
});

test('the badge stops at 99', async () => {
  const crew = await crewAboard(server);
  const phone = ps.createDevice();
  await crew.skipper.client.put('/api/push/subscription', phone.subscription);
  await crew.skipper.client.put('/api/push/prefs', { collaboratorChangesEnabled: true });
  server.query(
    'INSERT INTO push_badges (user_id, logbook_id, changes) VALUES (?, ?, 98)',
    crew.skipper.id,
    crew.logbook.id,
  );
  await writes(crew, crew.logbook.id, 2);
  const [m] = await ps.waitForDelivered(1, phone);
  assert.equal(m!.payload.app_badge, 99);
});
