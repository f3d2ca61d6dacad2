// The watch plan through the real app in-process (app.request on a temp SQLite file, its
// worker delivering to the local push service over real HTTP, time on a manual clock): every
// role's access to GET|PUT /api/logbooks/:id/watches, the limits, and reminders that arrive
// on time, encrypted, with the tags and data the service worker reads.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ManualClock } from '../../src/clock.ts';
import { startApp, withApp, type TestApp } from '../helpers/app.ts';
import { waitFor } from '../helpers/server.ts';
import { ciphertext, crewAboard, type Crew } from '../helpers/crew.ts';
import { startPushService, type PushService } from '../helpers/push-service.ts';

const MIN = 60_000;
let server: TestApp;
let ps: PushService;
// Whole minutes, so that times in the plan and in the texts are exact.
const clock = new ManualClock(Math.ceil(Date.now() / 3_600_000) * 3_600_000);
before(async () => {
  ps = await startPushService();
  server = startApp({ flags: ['--push-allow-insecure'], clock });
});
after(async () => {
  await server.stop();
  server.cleanup();
  await ps.close();
});

const iso = (ms: number) => new Date(ms).toISOString();

function plan(crew: Crew, overrides: Record<string, unknown> = {}) {
  const t = clock.now();
  return {
    underWay: false,
    watches: [
      { startsAt: iso(t + 60 * MIN), endsAt: iso(t + 300 * MIN), members: [crew.mate.id] },
      { startsAt: iso(t + 300 * MIN), endsAt: iso(t + 540 * MIN), members: [crew.skipper.id, crew.deckhand.id] },
    ],
    reminders: { beforeMinutes: 10, logEveryMinutes: null },
    timeZone: 'Europe/Berlin',
    ...overrides,
  };
}

test('every member reads the plan, only the owner sets it; strangers 403, anonymous 401, unknown logbook 404', async () => {
  const crew = await crewAboard(server);
  const path = `/api/logbooks/${crew.logbook.id}/watches`;
  assert.deepEqual((await crew.mate.client.get(path)).body, {
    underWay: false,
    watches: [],
    reminders: { beforeMinutes: 10, logEveryMinutes: null },
    timeZone: null,
  });
  const saved = await crew.skipper.client.put(path, plan(crew));
  assert.equal(saved.status, 200, saved.text);
  assert.equal(saved.body.watches.length, 2);
  assert.ok(saved.body.watches.every((w: { id: string }) => typeof w.id === 'string' && w.id.length > 0));
  for (const who of [crew.skipper, crew.mate, crew.deckhand]) {
    const res = await who.client.get(path);
    assert.equal(res.status, 200, `${who.username}: ${res.text}`);
    assert.deepEqual(res.body, saved.body);
  }
  for (const who of [crew.mate, crew.deckhand]) {
    const res = await who.client.put(path, plan(crew, { watches: [] }));
    assert.equal(res.status, 403, `${who.username} may not set the plan`);
    assert.equal(res.body.error.code, 'forbidden');
  }
  for (const res of [await crew.stranger.client.get(path), await crew.stranger.client.put(path, plan(crew))]) {
    assert.equal(res.status, 403, res.text);
  }
  const anonymous = server.anonymous();
  for (const res of [await anonymous.get(path), await anonymous.put(path, plan(crew))]) {
    assert.equal(res.status, 401, res.text);
  }
  const unknown = await crew.skipper.client.get(`/api/logbooks/${randomUUID()}/watches`);
  assert.equal(unknown.status, 404);
  assert.deepEqual((await crew.deckhand.client.get(path)).body, saved.body, 'refused writes changed nothing');
});

test('bad plans are 400 naming the field, and change nothing', async () => {
  const crew = await crewAboard(server);
  const path = `/api/logbooks/${crew.logbook.id}/watches`;
  const good = (await crew.skipper.client.put(path, plan(crew))).body;
  const t = clock.now();
  const watch = (start: number, end: number, members = [crew.mate.id]) => ({
    startsAt: iso(start),
    endsAt: iso(end),
    members,
  });
  const cases: [unknown, string][] = [
    [plan(crew, { watches: [watch(t, t + 25 * 60 * MIN)] }), 'watches[0]'],
    [plan(crew, { watches: [watch(t + MIN, t)] }), 'watches[0]'],
    [plan(crew, { watches: Array.from({ length: 201 }, (_, i) => watch(t + i * MIN, t + (i + 1) * MIN)) }), 'watches'],
    [plan(crew, { watches: [watch(t, t + MIN, [crew.stranger.id])] }), 'watches[0].members'],
    [plan(crew, { watches: [{ ...watch(t, t + MIN), startsAt: 'tomorrow' }] }), 'watches[0].startsAt'],
    [plan(crew, { reminders: { beforeMinutes: 121, logEveryMinutes: null } }), 'reminders.beforeMinutes'],
    [plan(crew, { reminders: { beforeMinutes: 10, logEveryMinutes: 0 } }), 'reminders.logEveryMinutes'],
    [plan(crew, { reminders: { beforeMinutes: 10, logEveryMinutes: 721 } }), 'reminders.logEveryMinutes'],
    [plan(crew, { timeZone: 'Mars/Olympus' }), 'timeZone'],
    [plan(crew, { underWay: 'yes' }), 'underWay'],
  ];
  for (const [body, field] of cases) {
    const res = await crew.skipper.client.put(path, body);
    assert.equal(res.status, 400, `${field}: ${res.text}`);
    assert.equal(res.body.error.code, 'invalid_request');
    assert.ok(res.body.error.message.startsWith(field), `${res.body.error.message} should name ${field}`);
  }
  assert.deepEqual((await crew.skipper.client.get(path)).body, good);
});

test('a watch reminder arrives 10 min ahead and a log reminder after an hour without entries, encrypted, on the watch’s phones only', async () => {
  const crew = await crewAboard(server);
  const path = `/api/logbooks/${crew.logbook.id}/watches`;
  const matePhone = ps.createDevice({ locale: 'de' });
  const deckhandPhone = ps.createDevice();
  assert.equal((await crew.mate.client.put('/api/push/subscription', matePhone.subscription)).status, 200);
  assert.equal((await crew.deckhand.client.put('/api/push/subscription', deckhandPhone.subscription)).status, 200);
  for (const who of [crew.mate, crew.deckhand]) {
    await who.client.put('/api/push/prefs', {
      collaboratorChangesEnabled: true,
      quietHours: { from: '00:00', to: '23:59', timeZone: 'UTC' },
    });
  }
  const t = clock.now();
  const saved = await crew.skipper.client.put(
    path,
    plan(crew, {
      underWay: true,
      reminders: { beforeMinutes: 10, logEveryMinutes: 60 },
      watches: [
        { startsAt: iso(t + 30 * MIN), endsAt: iso(t + 270 * MIN), members: [crew.mate.id] },
        { startsAt: iso(t + 270 * MIN), endsAt: iso(t + 510 * MIN), members: [crew.deckhand.id] },
      ],
    }),
  );
  assert.equal(saved.status, 200, saved.text);
  clock.advance(19 * MIN);
  assert.deepEqual(server.query('SELECT payload FROM push_outbox'), [], 'nothing 11 min ahead');
  clock.advance(MIN);
  const [bell] = await ps.waitForDelivered(1, matePhone, 20_000);
  const hhmm = new Date(t + 30 * MIN).toISOString().slice(11, 16);
  assert.equal(
    bell!.payload.body,
    `Deine Wache beginnt um ${hhmm}.`,
    'German, on the mate’s (UTC) clock, in quiet hours',
  );
  assert.equal(bell!.payload.tag, `watch-${crew.logbook.id}`);
  assert.equal(bell!.headers.urgency, 'high', 'a watch must ring now, even on a phone saving its battery');
  assert.deepEqual(bell!.payload.data, {
    kind: 'watch',
    url: `/logbook/${crew.logbook.id}`,
    logbookId: crew.logbook.id,
    watchId: saved.body.watches[0].id,
    startsAt: iso(t + 30 * MIN),
    endsAt: iso(t + 270 * MIN),
  });
  await waitFor(() => server.query('SELECT 1 FROM push_outbox').length === 0, 'the outbox to drain');

  // Under way: an entry at +40 min puts the log reminder off until +100 min.
  clock.advance(20 * MIN);
  const res = await crew.mate.client.post('/api/sync/push', {
    items: [{ logbookId: crew.logbook.id, entityId: randomUUID(), action: 'create', payload: ciphertext() }],
  });
  assert.equal(res.body.results[0].status, 'success');
  clock.advance(59 * MIN);
  assert.deepEqual(server.query('SELECT payload FROM push_outbox'), [], 'no log reminder 59 min after the entry');
  assert.equal(ps.delivered(matePhone).length, 1);
  clock.advance(MIN);
  const [, log] = await ps.waitForDelivered(2, matePhone, 20_000);
  assert.equal(log!.payload.tag, `log-${crew.logbook.id}`);
  assert.equal(log!.headers.urgency, 'high');
  assert.equal(log!.payload.data.kind, 'log');
  assert.equal(log!.payload.body, 'Zeit für einen Logeintrag: seit 60 Minuten keiner.');
  assert.equal(ps.delivered(deckhandPhone).length, 0, 'the deckhand is off watch');
});

test('serve --watches-off: the routes answer 404 watches_off', async () => {
  await withApp({ flags: ['--watches-off'] }, async (app) => {
    const crew = await crewAboard(app);
    const res = await crew.skipper.client.get(`/api/logbooks/${crew.logbook.id}/watches`);
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'watches_off');
  });
});
