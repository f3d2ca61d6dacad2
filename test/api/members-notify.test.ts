// Every member hears the bell (API.md "Who is notified"), through the real app in-process
// delivering to the local push service over real HTTP: a change by the owner or WRITE crew
// reaches every other member who turned it on (READ crew included), never its writer, and
// nobody who left it muted (crew start muted) or turned the account switch off.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { waitFor } from '../helpers/server.ts';
import { startApp, type TestApp } from '../helpers/app.ts';
import { ciphertext, crewAboard } from '../helpers/crew.ts';
import { startPushService, type PushService, type PushServiceDevice } from '../helpers/push-service.ts';
import type { TestUser } from '../helpers/accounts.ts';

let server: TestApp;
let ps: PushService;
before(async () => {
  ps = await startPushService();
  server = startApp({ flags: ['--push-allow-insecure', '--notify-debounce', '100ms', '--notify-throttle', '200ms'] });
});
after(async () => {
  await server.stop();
  server.cleanup();
  await ps.close();
});

async function phoneOf(who: TestUser, switchOn = true): Promise<PushServiceDevice> {
  const phone = ps.createDevice();
  assert.equal((await who.client.put('/api/push/subscription', phone.subscription)).status, 200);
  assert.equal(
    (await who.client.put('/api/push/prefs', { collaboratorChangesEnabled: switchOn })).status,
    200,
    'the account switch',
  );
  return phone;
}

async function write(who: TestUser, logbookId: string, n = 1): Promise<void> {
  const items = Array.from({ length: n }, () => ({
    logbookId,
    entityId: randomUUID(),
    action: 'create',
    payload: ciphertext(),
  }));
  const res = await who.client.post('/api/sync/push', { items });
  assert.ok(
    res.body.results.every((r: { status: string }) => r.status === 'success'),
    res.text,
  );
}

const drained = () =>
  waitFor(
    () =>
      server.query('SELECT 1 FROM notify_state WHERE due_at IS NOT NULL').length === 0 &&
      server.query('SELECT 1 FROM push_outbox').length === 0,
    'the notifications to go out',
  );

test("the owner's change reaches WRITE and READ crew who turned it on, never the owner; crew who did not are not told", async () => {
  const crew = await crewAboard(server);
  const [skipperPhone, matePhone, deckhandPhone] = [
    await phoneOf(crew.skipper),
    await phoneOf(crew.mate),
    await phoneOf(crew.deckhand),
  ];
  const path = `/api/logbooks/${crew.logbook.id}/notifications`;
  // Crew start muted: an owner's change before they turn it on tells nobody.
  await write(crew.skipper, crew.logbook.id);
  await drained();
  assert.equal(ps.delivered().length, 0, 'crew start muted; the owner is the writer');

  assert.deepEqual((await crew.mate.client.put(path, { enabled: true })).body, { enabled: true });
  assert.deepEqual((await crew.deckhand.client.put(path, { enabled: true })).body, { enabled: true });
  await write(crew.skipper, crew.logbook.id, 2);
  const [toMate] = await ps.waitForDelivered(1, matePhone);
  const [toDeckhand] = await ps.waitForDelivered(1, deckhandPhone);
  for (const m of [toMate!, toDeckhand!]) {
    assert.equal(m.payload.body, 'New changes in one of your logbooks.');
    assert.deepEqual(m.payload.data, {
      url: `/logbook/${crew.logbook.id}`,
      logbookId: crew.logbook.id,
      changeCount: 2,
      counts: { create: 2, update: 0, delete: 0 },
      by: [crew.skipper.username],
      skipper: crew.skipper.username,
    });
  }
  await drained();
  assert.equal(ps.delivered(skipperPhone).length, 0, 'the writer is never notified of their own change');
});

test("a WRITE member's change reaches the owner and other crew who want it, not the writer; READ crew never write", async () => {
  const crew = await crewAboard(server);
  const skipperPhone = await phoneOf(crew.skipper);
  const matePhone = await phoneOf(crew.mate);
  const deckhandPhone = await phoneOf(crew.deckhand);
  await crew.deckhand.client.put(`/api/logbooks/${crew.logbook.id}/notifications`, { enabled: true });
  await crew.mate.client.put(`/api/logbooks/${crew.logbook.id}/notifications`, { enabled: true });
  await write(crew.mate, crew.logbook.id);
  const [toSkipper] = await ps.waitForDelivered(1, skipperPhone);
  const [toDeckhand] = await ps.waitForDelivered(1, deckhandPhone);
  assert.deepEqual(toSkipper!.payload.data.by, [crew.mate.username]);
  assert.equal(toSkipper!.payload.data.skipper, undefined, 'the skipper did not write');
  assert.deepEqual(toDeckhand!.payload.data.by, [crew.mate.username]);
  await drained();
  assert.equal(ps.delivered(matePhone).length, 0, 'never the writer');

  // A READ member's upload is refused, so it notifies nobody.
  const refused = await crew.deckhand.client.post('/api/sync/push', {
    items: [{ logbookId: crew.logbook.id, entityId: randomUUID(), action: 'create', payload: ciphertext() }],
  });
  assert.equal(refused.body.results[0].status, 'forbidden');
  await drained();
  assert.equal(ps.delivered(skipperPhone).length, 1);
});

test('each recipient has their own row: the account switch off, or a member removed before the due time, gets nothing', async () => {
  const crew = await crewAboard(server);
  const skipperPhone = await phoneOf(crew.skipper, false);
  const deckhandPhone = await phoneOf(crew.deckhand);
  await crew.deckhand.client.put(`/api/logbooks/${crew.logbook.id}/notifications`, { enabled: true });
  await write(crew.mate, crew.logbook.id);
  const rows = server.query<{ user_id: string }>(
    'SELECT user_id FROM notify_state WHERE logbook_id = ? AND due_at IS NOT NULL ORDER BY user_id',
    crew.logbook.id,
  );
  assert.deepEqual(
    rows.map((r) => r.user_id),
    [crew.skipper.id, crew.deckhand.id].sort(),
    'one pending row per recipient whose logbook switch is on',
  );
  // The deckhand leaves before the row falls due: left aboard nobody to tell.
  const left = await crew.deckhand.client.delete(`/api/logbooks/${crew.logbook.id}/members/${crew.deckhand.id}`);
  assert.equal(left.status, 204, left.text);
  await drained();
  assert.equal(ps.delivered(skipperPhone).length, 0, 'the account switch is off');
  assert.equal(ps.delivered(deckhandPhone).length, 0, 'no longer aboard');
});
