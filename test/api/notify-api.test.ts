// Each member's notification controls through the real app in-process (app.request on a temp
// SQLite file; its worker delivers to the local push service over real HTTP): the
// per-logbook switch (GET|PUT /api/logbooks/:id/notifications) for every role and its
// defaults, quiet hours in the prefs with a partial PUT, and changes in a muted logbook
// reaching no device.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { waitFor } from '../helpers/server.ts';
import { startApp, type TestApp } from '../helpers/app.ts';
import { assertError, Client } from '../helpers/client.ts';
import { ciphertext, crewAboard } from '../helpers/crew.ts';
import { startPushService, type PushService } from '../helpers/push-service.ts';

let server: TestApp;
let ps: PushService;
before(async () => {
  ps = await startPushService();
  server = startApp({ flags: ['--push-allow-insecure', '--notify-debounce', '200ms', '--notify-throttle', '1s'] });
});
after(async () => {
  await server.stop();
  server.cleanup();
  await ps.close();
});

function assertInvalid(res: { status: number; body: any; text: string }, field: string) {
  assert.equal(res.status, 400, res.text);
  assert.equal(res.body.error.code, 'invalid_request');
  assert.ok(res.body.error.message.startsWith(field), `${res.body.error.message} should name ${field}`);
}

test('each member reads and sets their own switch for a logbook; a stranger gets 403, an unknown logbook 404', async () => {
  const crew = await crewAboard(server);
  const path = `/api/logbooks/${crew.logbook.id}/notifications`;
  assert.deepEqual((await crew.skipper.client.get(path)).body, { enabled: true }, 'the skipper: on by default');
  for (const who of [crew.mate, crew.deckhand]) {
    assert.deepEqual((await who.client.get(path)).body, { enabled: false }, `${who.username}: crew start muted`);
  }
  assert.deepEqual(
    (await crew.mate.client.put(path, { enabled: true })).body,
    { enabled: true },
    'WRITE crew turn it on',
  );
  const muted = await crew.skipper.client.put(path, { enabled: false });
  assert.equal(muted.status, 200, muted.text);
  assert.deepEqual(muted.body, { enabled: false });
  assert.deepEqual((await crew.skipper.client.get(path)).body, { enabled: false });
  assert.deepEqual(
    (await crew.mate.client.get(path)).body,
    { enabled: true },
    "the skipper's switch is the skipper's alone",
  );
  assert.deepEqual(
    (await crew.deckhand.client.put(path, { enabled: false })).body,
    { enabled: false },
    'READ crew may set their own',
  );
  assert.deepEqual((await crew.skipper.client.put(path, { enabled: true })).body, { enabled: true });

  for (const res of [await crew.stranger.client.get(path), await crew.stranger.client.put(path, { enabled: false })]) {
    assert.equal(res.status, 403, res.text);
    assert.equal(res.body.error.code, 'forbidden');
  }
  const unknown = await crew.skipper.client.get(`/api/logbooks/${randomUUID()}/notifications`);
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.code, 'not_found');
  assert.equal((await new Client(server.url, server.origin, server.fetch).get(path)).status, 401);
  assertInvalid(await crew.skipper.client.put(path, { enabled: 'no' }), 'enabled');
  assertInvalid(await crew.skipper.client.put(path, {}), 'enabled');
  assertInvalid(await crew.skipper.client.get('/api/logbooks/not-a-uuid/notifications'), 'id');
});

test('PUT /api/push/prefs changes only the fields it is given', async () => {
  const { skipper } = await crewAboard(server);
  const night = { from: '22:00', to: '07:00', timeZone: 'Europe/Berlin' };
  assert.deepEqual((await skipper.client.put('/api/push/prefs', { collaboratorChangesEnabled: true })).body, {
    collaboratorChangesEnabled: true,
    quietHours: null,
    emailWhenNoPush: true,
  });
  assert.deepEqual((await skipper.client.put('/api/push/prefs', { quietHours: night })).body, {
    collaboratorChangesEnabled: true,
    quietHours: night,
    emailWhenNoPush: true,
  });
  assert.deepEqual((await skipper.client.put('/api/push/prefs', { collaboratorChangesEnabled: false })).body, {
    collaboratorChangesEnabled: false,
    quietHours: night,
    emailWhenNoPush: true,
  });
  assert.deepEqual((await skipper.client.put('/api/push/prefs', {})).body, {
    collaboratorChangesEnabled: false,
    quietHours: night,
    emailWhenNoPush: true,
  });
  assert.deepEqual((await skipper.client.get('/api/push/prefs')).body, {
    collaboratorChangesEnabled: false,
    quietHours: night,
    emailWhenNoPush: true,
  });
  assert.deepEqual((await skipper.client.put('/api/push/prefs', { quietHours: null })).body, {
    collaboratorChangesEnabled: false,
    quietHours: null,
    emailWhenNoPush: true,
  });
});

test('quiet hours are checked: HH:MM times, an IANA zone Intl knows, from ≠ to; a refused body changes nothing', async () => {
  const { skipper } = await crewAboard(server);
  const night = { from: '22:00', to: '07:00', timeZone: 'Europe/Berlin' };
  await skipper.client.put('/api/push/prefs', { quietHours: night });
  assertInvalid(
    await skipper.client.put('/api/push/prefs', { quietHours: { ...night, from: '24:00' } }),
    'quietHours.from',
  );
  assertInvalid(await skipper.client.put('/api/push/prefs', { quietHours: { ...night, to: '7:00' } }), 'quietHours.to');
  assertInvalid(
    await skipper.client.put('/api/push/prefs', { quietHours: { ...night, timeZone: 'Europe/Atlantis' } }),
    'quietHours.timeZone',
  );
  assertInvalid(
    await skipper.client.put('/api/push/prefs', { quietHours: { ...night, timeZone: 'x'.repeat(65) } }),
    'quietHours.timeZone',
  );
  assertInvalid(await skipper.client.put('/api/push/prefs', { quietHours: { ...night, to: '22:00' } }), 'quietHours');
  assertInvalid(
    await skipper.client.put('/api/push/prefs', { quietHours: { from: '22:00', to: '07:00' } }),
    'quietHours.timeZone',
  );
  assertInvalid(
    await skipper.client.put('/api/push/prefs', { collaboratorChangesEnabled: true, quietHours: 'night' }),
    'quietHours',
  );
  assert.deepEqual((await skipper.client.get('/api/push/prefs')).body, {
    collaboratorChangesEnabled: false,
    quietHours: night,
    emailWhenNoPush: true,
  });
  const other = { from: '23:30', to: '06:15', timeZone: 'America/St_Johns' };
  assert.deepEqual((await skipper.client.put('/api/push/prefs', { quietHours: other })).body.quietHours, other);
});

test('crew write in a muted logbook: no push; another logbook of the same skipper still notifies, with counts and crew', async () => {
  const crew = await crewAboard(server);
  const phone = ps.createDevice();
  assert.equal((await crew.skipper.client.put('/api/push/subscription', phone.subscription)).status, 200);
  await crew.skipper.client.put('/api/push/prefs', { collaboratorChangesEnabled: true });
  assert.deepEqual(
    (await crew.skipper.client.put(`/api/logbooks/${crew.logbook.id}/notifications`, { enabled: false })).body,
    { enabled: false },
  );
  const write = async (logbookId: string, action: 'create' | 'delete', entityId = randomUUID()) => {
    const item =
      action === 'create' ? { logbookId, entityId, action, payload: ciphertext() } : { logbookId, entityId, action };
    const res = await crew.mate.client.post('/api/sync/push', { items: [item] });
    assert.equal(res.body.results[0].status, 'success', res.text);
    return entityId;
  };
  await write(crew.logbook.id, 'create');
  assert.deepEqual(
    server.query('SELECT due_at FROM notify_state WHERE logbook_id = ?', crew.logbook.id),
    [],
    'nothing held for a muted logbook',
  );

  // A second logbook of the same skipper, not muted: the same crew's changes notify.
  const second = { id: randomUUID(), meta: ciphertext() };
  assert.equal((await crew.skipper.client.post('/api/logbooks', second)).status, 201);
  const token = (await crew.skipper.client.post(`/api/logbooks/${second.id}/invites`, { role: 'WRITE' })).body.token;
  assert.equal((await crew.mate.client.post(`/api/invites/${token}/accept`)).status, 200);
  const entry = await write(second.id, 'create');
  await write(second.id, 'delete', entry);
  const [m] = await ps.waitForDelivered(1, phone, 20_000);
  assert.equal(m!.payload.body, 'New changes in one of your logbooks.');
  assert.deepEqual(m!.payload.data, {
    url: `/logbook/${second.id}`,
    logbookId: second.id,
    changeCount: 2,
    counts: { create: 1, update: 0, delete: 1 },
    by: [crew.mate.username],
  });
  await waitFor(() => server.query('SELECT 1 FROM push_outbox').length === 0, 'the outbox to drain');
  assert.equal(ps.delivered(phone).length, 1, 'the muted logbook sent nothing');
});

test('a time zone is stored and answered in its canonical spelling; offsets and unknown names are 400 (issue 18)', async () => {
  const { skipper } = await crewAboard(server);
  const night = { from: '22:00', to: '07:00' };
  for (const spelling of ['europe/BERLIN', 'EUROPE/berlin', 'Europe/Berlin']) {
    const res = await skipper.client.put('/api/push/prefs', { quietHours: { ...night, timeZone: spelling } });
    assert.equal(res.body.quietHours.timeZone, 'Europe/Berlin', spelling);
  }
  assert.deepEqual(server.query('SELECT quiet_time_zone FROM notify_prefs WHERE user_id = ?', skipper.id), [
    { quiet_time_zone: 'Europe/Berlin' },
  ]);
  for (const offset of ['+01:00', '-0500', '+14']) {
    assertInvalid(
      await skipper.client.put('/api/push/prefs', { quietHours: { ...night, timeZone: offset } }),
      'quietHours.timeZone',
    );
  }
  assert.equal((await skipper.client.get('/api/push/prefs')).body.quietHours.timeZone, 'Europe/Berlin');
});

test('PUT /api/push/prefs has a rate limit; reading the prefs does not use it up (issue 18)', async () => {
  const { skipper } = await crewAboard(server);
  for (let i = 0; i < 40; i++) assert.equal((await skipper.client.get('/api/push/prefs')).status, 200);
  const statuses: number[] = [];
  for (let i = 0; i < 25; i++) statuses.push((await skipper.client.put('/api/push/prefs', {})).status);
  assert.deepEqual(statuses.slice(0, 20), Array(20).fill(200), 'the first 20 changes go through');
  const refused = await skipper.client.put('/api/push/prefs', {});
  assertError(refused, 429, 'rate_limited');
});
