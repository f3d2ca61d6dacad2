// The admin's broadcast over HTTP (POST/GET /api/admin/push/broadcast), in-process with the
// local push service: who may send it, what every device decrypts, one at a time, three a day.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/clock.ts';
import { startApp, type TestApp } from '../helpers/app.ts';
import { createUserWithSession } from '../helpers/accounts.ts';
import { startPushService, type PushService } from '../helpers/push-service.ts';
import { waitFor } from '../helpers/server.ts';

let server: TestApp;
let ps: PushService;
const clock = new ManualClock(Date.now());
let n = 0;
const user = (name: string, isAdmin = false) => createUserWithSession(server, `${name}${++n}`, { isAdmin });

before(async () => {
  ps = await startPushService();
  server = startApp({ flags: ['--push-allow-insecure'], clock });
});
after(async () => {
  await ps.close();
  await server.stop();
  server.cleanup();
});

const outbox = () => server.query<{ n: number }>('SELECT COUNT(*) AS n FROM push_outbox')[0]!.n;

test('only an admin may broadcast or read its progress: 401 without a session, 403 for everyone else', async () => {
  const message = { title: 'Moving', body: 'The server moves tonight.' };
  const anonymous = await server.anonymous().post('/api/admin/push/broadcast', message);
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.body.error.code, 'unauthenticated');
  const sailor = user('sailor');
  assert.equal((await sailor.client.put('/api/push/subscription', ps.createDevice().subscription)).status, 200);
  for (const res of [
    await sailor.client.post('/api/admin/push/broadcast', message),
    await sailor.client.get('/api/admin/push/broadcast'),
  ]) {
    assert.equal(res.status, 403, res.text);
    assert.deepEqual(Object.keys(res.body.error).sort(), ['code', 'message']);
    assert.equal(res.body.error.code, 'forbidden');
  }
  assert.equal(outbox(), 0, 'nothing queued');
});

test('a broadcast reaches every device of every account with its own tag and no logbook; one at a time, three a day', async () => {
  server.query('DELETE FROM push_subscriptions');
  const admin = user('admin', true);
  const devices = [];
  for (const [name, count] of [
    ['skipper', 2],
    ['mate', 2],
    ['deckhand', 1],
  ] as const) {
    const sailor = user(name);
    for (let i = 0; i < count; i++) {
      const device = ps.createDevice();
      assert.equal((await sailor.client.put('/api/push/subscription', device.subscription)).status, 200);
      devices.push(device);
    }
  }
  const stuck = devices[4]!;
  ps.plan(stuck, 'hang');

  const invalid = await admin.client.post('/api/admin/push/broadcast', { title: '  ', body: 'x' });
  assert.equal(invalid.status, 400);
  assert.equal(invalid.body.error.code, 'invalid_request');
  assert.match(invalid.body.error.message, /^title/);
  const long = await admin.client.post('/api/admin/push/broadcast', { title: 'x', body: 'y'.repeat(501) });
  assert.equal(long.status, 400);
  assert.match(long.body.error.message, /^body/);

  const sent = await admin.client.post('/api/admin/push/broadcast', { title: 'Moving', body: 'Down tonight 22:00.' });
  assert.equal(sent.status, 202, sent.text);
  assert.equal(sent.body.broadcast.devices, 5);
  for (const d of devices.slice(0, 4)) {
    const [message] = await ps.waitForDelivered(1, d);
    assert.deepEqual(message!.payload, {
      web_push: 8030,
      notification: {
        title: 'Moving',
        body: 'Down tonight 22:00.',
        navigate: `${server.origin}/`,
        tag: 'broadcast',
      },
      title: 'Moving',
      body: 'Down tonight 22:00.',
      tag: 'broadcast',
      renotify: true,
      data: { url: '/', kind: 'broadcast' },
    });
    assert.equal(message!.headers.topic, 'broadcast');
  }
  await waitFor(() => ps.hanging() === 1, 'the last device held open');
  await waitFor(
    async () => (await admin.client.get('/api/admin/push/broadcast')).body.broadcast.remaining === 1,
    'four answers recorded',
  );

  // One at a time: the hanging device's job is still out.
  const again = await admin.client.post('/api/admin/push/broadcast', { title: 'Again', body: 'Too soon.' });
  assert.equal(again.status, 429, again.text);
  assert.equal(again.body.error.code, 'rate_limited');
  assert.equal(again.headers.get('retry-after'), '60');
  assert.match(again.body.error.message, /1 of 5 devices left/);
  const progress = await admin.client.get('/api/admin/push/broadcast');
  assert.equal(progress.status, 200);
  assert.deepEqual(Object.keys(progress.body.broadcast).sort(), ['createdAt', 'devices', 'id', 'remaining']);

  // Once it is through (here: its last job dropped), two more the same day, then no more.
  server.query('DELETE FROM push_outbox');
  // The hanging request stalls past a second and stops holding its account's slot.
  clock.advance(1_000);
  for (const round of [2, 3]) {
    const res = await admin.client.post('/api/admin/push/broadcast', {
      title: `Round ${round}`,
      body: 'Still moving.',
    });
    assert.equal(res.status, 202, res.text);
    await waitFor(() => outbox() === 0, `broadcast ${round} through`);
  }
  const fourth = await admin.client.post('/api/admin/push/broadcast', { title: 'Four', body: 'One too many.' });
  assert.equal(fourth.status, 429);
  assert.match(fourth.body.error.message, /at most 3 broadcasts a day/);
  assert.ok(Number(fourth.headers.get('retry-after')) > 86_000);
  // A day later, told by back-dating the three (the manual clock stays: a push service checks
  // the VAPID token's expiry against the real time).
  server.query('UPDATE push_broadcasts SET created_at = created_at - 86400000');
  const tomorrow = await admin.client.post('/api/admin/push/broadcast', { title: 'Next day', body: 'Moved.' });
  assert.equal(tomorrow.status, 202, tomorrow.text);
  await waitFor(() => outbox() === 0, 'the next day broadcast through');
  assert.equal((await admin.client.get('/api/admin/push/broadcast')).body.broadcast.remaining, 0);
});
