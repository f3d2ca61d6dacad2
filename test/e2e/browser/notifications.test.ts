// The skipper's notifications in headless Chromium, each test with its own users: the
// service worker words a real push (delivered over CDP, exactly as the local push service
// decrypted it) with the logbook title when this device holds the key, and keeps it generic
// without; the device switch leaves other devices subscribed; a muted logbook sends
// nothing; "N new since" after opening from a notification; a rotated VAPID key is picked
// up at the next app start. Quiet hours on the manual clock: test/unit/notify-quiet-hours.test.ts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { runCli, startServer, waitFor, type TestServer } from '../../helpers/server.ts';
import { launchBrowser, newPhone, screenshot, useSession } from '../../helpers/browser.ts';
import { createUserWithSession, type TestUser } from '../../helpers/accounts.ts';
import { addCrew } from '../../helpers/crew.ts';
import { fakePushManager } from '../../helpers/fake-push.ts';
import { keepKey, notificationsOn, showNotificationList, showOnDevice } from '../../helpers/notify-browser.ts';
import { startPushService, type PushService, type PushServiceDevice } from '../../helpers/push-service.ts';
import { newLogbookKey, sealJson, type LogbookKey } from '../../../web/src/crypto.ts';

const WAIT_MS = 20_000;
let server: TestServer;
let ps: PushService;
let browser: Browser;
const contexts: BrowserContext[] = [];
let sailors = 0;

before(async () => {
  ps = await startPushService();
  server = await startServer({
    flags: ['--push-allow-insecure', '--notify-debounce', '200ms', '--notify-throttle', '300ms'],
  });
  browser = await launchBrowser();
});
after(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
  server?.cleanup();
  await ps?.close();
});

interface Boat {
  skipper: TestUser;
  crew: TestUser;
  logbookId: string;
  key: LogbookKey;
}

/** A skipper with a logbook whose title is sealed with a key made here, and one WRITE crew member. */
async function boat(title: string, crewName = 'mate'): Promise<Boat> {
  const tag = `${process.pid}x${++sailors}`;
  const skipper = createUserWithSession(server, `skipper${tag}`);
  const crew = createUserWithSession(server, crewName === 'mate' ? `mate${tag}` : crewName);
  const logbookId = randomUUID();
  const key = await newLogbookKey();
  const res = await skipper.client.post('/api/logbooks', {
    id: logbookId,
    meta: await sealJson(key, { title }, `${logbookId}/meta`),
  });
  assert.equal(res.status, 201, res.text);
  await addCrew(skipper, logbookId, crew, 'WRITE');
  return { skipper, crew, logbookId, key };
}

/** Crew write `n` real entries (sealed with the logbook key) in one sync request. */
async function crewWrites(b: Boat, n: number, logbookId = b.logbookId): Promise<void> {
  const items = [];
  for (let i = 0; i < n; i++) {
    const entityId = randomUUID();
    const entry = {
      time: `2026-07-14T1${i}:00`,
      position: '',
      course: '',
      speed: '',
      wind: 'SW 4',
      text: `Watch note ${i + 1}`,
    };
    items.push({
      logbookId,
      entityId,
      action: 'create',
      payload: await sealJson(b.key, entry, `${logbookId}/${entityId}`),
    });
  }
  const res = await b.crew.client.post('/api/sync/push', { items });
  assert.ok(
    res.body.results.every((r: { status: string }) => r.status === 'success'),
    res.text,
  );
}

/** One of the skipper's devices: a signed-in phone-sized context whose subscription points at the push service. */
async function device(who: TestUser, pushDevice: PushServiceDevice): Promise<Page> {
  const context = await newPhone(browser);
  contexts.push(context);
  await context.addInitScript({ content: fakePushManager(pushDevice.subscription) });
  await useSession(context, server, who);
  await context.grantPermissions(['notifications'], { origin: server.origin });
  const page = await context.newPage();
  await page.goto(`${server.origin}/settings`);
  // (waitForFunction with a string would need eval, which the app's CSP refuses.)
  await page.evaluate(
    `navigator.serviceWorker.controller || new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve))`,
  );
  return page;
}

test('the device holding the key shows "Baltic summer: 3 new entries by Anna"; one without it, the generic text', async () => {
  const b = await boat('Baltic summer', 'Anna');
  const phoneDevice = ps.createDevice();
  const laptopDevice = ps.createDevice();
  const phone = await device(b.skipper, phoneDevice);
  const laptop = await device(b.skipper, laptopDevice);
  await keepKey(phone, b.logbookId, b.key);
  await notificationsOn(phone);
  await notificationsOn(laptop);

  await crewWrites(b, 3);
  const [toPhone] = await ps.waitForDelivered(1, phoneDevice, WAIT_MS);
  const [toLaptop] = await ps.waitForDelivered(1, laptopDevice, WAIT_MS);
  // What crossed the push service: the generic text, the counts and the name only inside the encrypted data.
  assert.equal(toPhone!.payload.body, 'New changes in one of your logbooks.');
  assert.deepEqual(toPhone!.payload.data.counts, { create: 3, update: 0, delete: 0 });
  assert.deepEqual(toPhone!.payload.data.by, [b.crew.username]);

  const onPhone = await showOnDevice(phone, server.origin, toPhone!);
  assert.deepEqual(
    onPhone.map((n) => [n.title, n.body]),
    [['crewbell', `Baltic summer: 3 new entries by ${b.crew.username}`]],
  );
  const onLaptop = await showOnDevice(laptop, server.origin, toLaptop!);
  assert.deepEqual(
    onLaptop.map((n) => [n.title, n.body]),
    [['crewbell', 'New changes in one of your logbooks.']],
  );
  // A key that does not open this logbook's title (a wrong key link kept by hand): still generic.
  await keepKey(laptop, b.logbookId, await newLogbookKey());
  const withWrongKey = await showOnDevice(laptop, server.origin, toLaptop!);
  assert.deepEqual(
    withWrongKey.map((n) => n.body),
    ['New changes in one of your logbooks.'],
  );
  await showNotificationList(phone, 'Shown on this phone (registration.getNotifications())');
  await screenshot(phone, 'notify-01-enriched-notification');

  // "Show logbook names on the lock screen" off on the phone: the same message stays generic there.
  await phone.reload();
  await phone.locator('#push[data-device="on"]').waitFor();
  await phone.click('#push-names');
  await waitFor(async () => !(await phone.locator('#push-names').isChecked()), 'the names switch to turn off');
  const again = await showOnDevice(phone, server.origin, toPhone!);
  assert.deepEqual(
    again.map((n) => n.body),
    ['New changes in one of your logbooks.'],
  );
});

test('a German device words it in German', async () => {
  const b = await boat('Ostseesommer');
  const phoneDevice = ps.createDevice();
  const phone = await device(b.skipper, phoneDevice);
  await keepKey(phone, b.logbookId, b.key);
  await phone.click('#lang-de');
  await notificationsOn(phone);
  await crewWrites(b, 1);
  const [message] = await ps.waitForDelivered(1, phoneDevice, WAIT_MS);
  assert.equal(message!.payload.body, 'Neue Änderungen in einem deiner Logbücher.');
  const shown = await showOnDevice(phone, server.origin, message!);
  assert.deepEqual(
    shown.map((n) => n.body),
    [`Ostseesommer: 1 neuer Eintrag von ${b.crew.username}`],
  );
});

test('switching "This device" off unsubscribes only this device: the other keeps receiving, the account stays on', async () => {
  const b = await boat('Mira');
  const phoneDevice = ps.createDevice();
  const tabletDevice = ps.createDevice();
  const phone = await device(b.skipper, phoneDevice);
  const tablet = await device(b.skipper, tabletDevice);
  await notificationsOn(phone);
  await notificationsOn(tablet);
  const endpoints = () =>
    server
      .query<{ endpoint: string }>(
        'SELECT endpoint FROM push_subscriptions WHERE user_id = ? ORDER BY endpoint',
        b.skipper.id,
      )
      .map((r) => r.endpoint);
  assert.deepEqual(endpoints(), [phoneDevice.endpoint, tabletDevice.endpoint].sort());

  await phone.click('#push-toggle');
  await phone.locator('#push[data-device="off"] .push-status', { hasText: 'Off on this device' }).waitFor();
  assert.equal(await phone.locator('#push-account').isChecked(), true, 'the account switch is untouched');
  assert.deepEqual(endpoints(), [tabletDevice.endpoint]);
  assert.deepEqual((await b.skipper.client.get('/api/push/prefs')).body.collaboratorChangesEnabled, true);
  await screenshot(phone, 'notify-03-settings-device-off');

  await crewWrites(b, 2);
  const [m] = await ps.waitForDelivered(1, tabletDevice, WAIT_MS);
  assert.equal(m!.payload.data.changeCount, 2);
  await waitFor(() => server.query('SELECT 1 FROM push_outbox').length === 0, 'the outbox to drain');
  assert.equal(ps.messages.filter((x) => x.deviceId === phoneDevice.id).length, 0);

  // The account switch, by contrast, silences every device: nothing reaches the tablet.
  await tablet.reload();
  await tablet.click('#push-account');
  await tablet.locator('#push[data-account="off"] .push-status', { hasText: 'off for your account' }).waitFor();
  assert.equal((await b.skipper.client.get('/api/push/prefs')).body.collaboratorChangesEnabled, false);
});

test("a logbook muted on its screen sends nothing; the skipper's other logbook still notifies", async () => {
  const b = await boat('Quiet boat');
  const other = await boat('Busy boat');
  // The same skipper owns the second logbook too: move it over and bring the same crew aboard.
  const move = server.db();
  try {
    move.prepare('UPDATE logbooks SET owner_id = ? WHERE id = ?').run(b.skipper.id, other.logbookId);
    move
      .prepare("INSERT INTO logbook_members (logbook_id, user_id, role, joined_at) VALUES (?, ?, 'WRITE', 0)")
      .run(other.logbookId, b.crew.id);
  } finally {
    move.close();
  }
  const phoneDevice = ps.createDevice();
  const phone = await device(b.skipper, phoneDevice);
  await keepKey(phone, b.logbookId, b.key);
  await notificationsOn(phone);

  await phone.goto(`${server.origin}/logbook/${b.logbookId}`);
  await phone.locator('#logbook-notify-card[data-enabled="yes"]').waitFor();
  await phone.click('#logbook-notify');
  await phone.locator('#logbook-notify-card[data-enabled="no"]').waitFor();
  await screenshot(phone, 'notify-04-logbook-muted');
  assert.deepEqual((await b.skipper.client.get(`/api/logbooks/${b.logbookId}/notifications`)).body, { enabled: false });

  await crewWrites(b, 2);
  // Written after the muted logbook's changes, with the same debounce: once this push is
  // here, the muted one would have been too.
  await crewWrites({ ...b, key: other.key }, 1, other.logbookId);
  const [m] = await ps.waitForDelivered(1, phoneDevice, WAIT_MS);
  assert.equal(m!.payload.tag, `logbook-${other.logbookId}`);
  await waitFor(() => server.query('SELECT 1 FROM push_outbox').length === 0, 'the outbox to drain');
  assert.deepEqual(
    ps.delivered(phoneDevice).map((x) => x.payload.tag),
    [`logbook-${other.logbookId}`],
  );
});

test('opening the app from the notification marks what is new since the last visit', async () => {
  const b = await boat('Night passage');
  const phoneDevice = ps.createDevice();
  const phone = await device(b.skipper, phoneDevice);
  await keepKey(phone, b.logbookId, b.key);
  await notificationsOn(phone);
  await crewWrites(b, 1);
  await phone.goto(`${server.origin}/logbook/${b.logbookId}`);
  await phone.getByText('Watch note 1').waitFor();
  assert.equal(await phone.locator('#new-since').count(), 0, 'first visit: nothing is "new"');
  await phone.goto(`${server.origin}/settings`);
  await ps.waitForDelivered(1, phoneDevice, WAIT_MS);

  await crewWrites(b, 3);
  const [, message] = await ps.waitForDelivered(2, phoneDevice, WAIT_MS);
  await showOnDevice(phone, server.origin, message!);
  const [worker] = phone.context().serviceWorkers();
  assert.ok(worker);
  await worker.evaluate(`self.registration.getNotifications().then((list) => {
    const notification = list.find((n) => n.tag === ${JSON.stringify(`logbook-${b.logbookId}`)});
    self.dispatchEvent(new NotificationEvent('notificationclick', { notification }));
  })`);
  await phone.waitForURL(`${server.origin}/logbook/${b.logbookId}`);
  const banner = phone.locator('#new-since');
  await banner.waitFor();
  assert.match((await banner.textContent()) ?? '', /^3 new since \d\d:\d\d$/);
  await waitFor(async () => (await phone.locator('.entry[data-new]').count()) === 3, 'three entries marked new');
  assert.equal(await phone.locator('.entry').count(), 4);
  await screenshot(phone, 'notify-02-new-since');
});

test("quiet hours are set in settings, in the device's time zone by default", async () => {
  const b = await boat('Watch system');
  const phone = await device(b.skipper, ps.createDevice());
  await phone.click('#quiet-on');
  assert.equal(await phone.inputValue('#quiet-zone'), 'Europe/Berlin', 'the context runs in Europe/Berlin');
  await phone.fill('#quiet-from', '23:00');
  await phone.fill('#quiet-to', '06:30');
  await phone.click('#quiet-save');
  await phone.getByText('Quiet hours saved: 23:00–06:30 (Europe/Berlin).').waitFor();
  assert.deepEqual((await b.skipper.client.get('/api/push/prefs')).body, {
    collaboratorChangesEnabled: false,
    quietHours: { from: '23:00', to: '06:30', timeZone: 'Europe/Berlin' },
    emailWhenNoPush: true,
  });
  await phone.fill('#quiet-zone', 'Mars/Olympus');
  await phone.click('#quiet-save');
  await phone.locator('#quiet-hours .notice-error', { hasText: 'time zone' }).waitFor();
  await screenshot(phone, 'notify-05-quiet-hours');
  await phone.reload();
  await phone.locator('#quiet-hours[data-quiet="23:00-06:30 Europe/Berlin"]').waitFor();
  await phone.click('#quiet-on');
  await waitFor(
    async () => (await b.skipper.client.get('/api/push/prefs')).body.quietHours === null,
    'quiet hours off',
  );
});

test('after `vapid generate --force`, the next app start resubscribes this device without a sign-in', async () => {
  const b = await boat('Key change');
  const phoneDevice = ps.createDevice();
  const phone = await device(b.skipper, phoneDevice);
  await notificationsOn(phone);
  const keyOf = () =>
    server.query<{ k: string | null }>(
      'SELECT vapid_public_key AS k FROM push_subscriptions WHERE endpoint = ?',
      phoneDevice.endpoint,
    )[0]?.k;
  const before = keyOf();
  assert.equal(before, (await b.skipper.client.get('/api/push/vapid-public-key')).body.publicKey);

  const cli = await runCli(['vapid', 'generate', '--force', '--data-dir', server.dataDir]);
  assert.equal(cli.code, 0, cli.stderr);
  const rotated = (await b.skipper.client.get('/api/push/vapid-public-key')).body.publicKey;
  assert.notEqual(rotated, before);

  const sessions = server.query('SELECT id FROM sessions WHERE user_id = ?', b.skipper.id).length;
  await phone.reload();
  await waitFor(() => keyOf() === rotated, 'the subscription to be renewed with the new key');
  assert.equal(await phone.locator('#sign-in').count(), 0, 'no sign-in was asked for');
  assert.equal(server.query('SELECT id FROM sessions WHERE user_id = ?', b.skipper.id).length, sessions);
  const madeWith = await phone.evaluate(
    `navigator.serviceWorker.ready.then((r) => r.pushManager.getSubscription()).then((s) => btoa(String.fromCharCode(...new Uint8Array(s.options.applicationServerKey))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, ''))`,
  );
  assert.equal(madeWith, rotated, "the device's subscription was made with the new key");
});

test('a declarative push: the worker shows it, a click goes to navigate, opening the app clears the badge count; the device heals and is listed', async () => {
  const b = await boat('Declared');
  const phoneDevice = ps.createDevice();
  const phone = await device(b.skipper, phoneDevice);
  await notificationsOn(phone);
  await crewWrites(b, 2);
  const [message] = await ps.waitForDelivered(1, phoneDevice, WAIT_MS);
  assert.equal(message!.payload.web_push, 8030);
  assert.equal(message!.payload.app_badge, 2);
  assert.equal(message!.payload.notification.navigate, `${server.origin}/logbook/${b.logbookId}`);
  const badgeCount = () =>
    server.query<{ n: number }>(
      'SELECT COALESCE(SUM(changes), 0) AS n FROM push_badges WHERE user_id = ?',
      b.skipper.id,
    )[0]!.n;
  assert.equal(badgeCount(), 2);

  // Chromium has no declarative push: its worker gets the same JSON as a classic push event.
  const shown = await showOnDevice(phone, server.origin, message!);
  assert.deepEqual(
    shown.map((n) => [n.title, n.body, n.tag]),
    [['crewbell', 'New changes in one of your logbooks.', `logbook-${b.logbookId}`]],
  );
  const [worker] = phone.context().serviceWorkers();
  assert.ok(worker);
  await worker.evaluate(`self.registration.getNotifications().then((list) => {
    const notification = list.find((n) => n.tag === ${JSON.stringify(`logbook-${b.logbookId}`)});
    self.dispatchEvent(new NotificationEvent('notificationclick', { notification }));
  })`);
  await phone.waitForURL(`${server.origin}/logbook/${b.logbookId}`);
  // The app opened: POST /api/push/seen, so the next push's badge counts from 0.
  await waitFor(() => badgeCount() === 0, 'the badge count to be cleared by opening the app');

  // A device the server dropped comes back at the next start, marked seen.
  server.query('DELETE FROM push_subscriptions WHERE endpoint = ?', phoneDevice.endpoint);
  await phone.goto(`${server.origin}/settings`);
  await waitFor(
    () =>
      server.query<{ seen: number | null }>(
        'SELECT last_seen_at AS seen FROM push_subscriptions WHERE endpoint = ?',
        phoneDevice.endpoint,
      )[0]?.seen,
    'the subscription to be sent again at start',
  );
  await phone.locator('#push-devices[data-count="1"] li[data-failing="no"]', { hasText: 'this device' }).waitFor();

  // Back in the foreground after more than a day away: the subscription goes out again.
  server.query('UPDATE push_subscriptions SET last_seen_at = 1 WHERE endpoint = ?', phoneDevice.endpoint);
  await phone.evaluate(
    `localStorage.setItem('crewbell.pushSentAt', String(Date.now() - 25 * 3600000)); document.dispatchEvent(new Event('visibilitychange')); true`,
  );
  await waitFor(
    () =>
      server.query<{ seen: number }>(
        'SELECT last_seen_at AS seen FROM push_subscriptions WHERE endpoint = ?',
        phoneDevice.endpoint,
      )[0]!.seen > 1,
    'the subscription to be sent again when the app comes back after a day',
  );

  // Failing, as the worker records it: the settings page says so, in the server's words.
  server.query(
    "UPDATE push_subscriptions SET failing_since = 1, failing_reason = 'certificate not trusted — is the clock right? (CERT_NOT_YET_VALID)' WHERE endpoint = ?",
    phoneDevice.endpoint,
  );
  await phone.reload();
  const failing = phone.locator('#push-devices li[data-failing="yes"]');
  await failing.getByText('Failing: certificate not trusted — is the clock right?', { exact: false }).waitFor();
  await failing.scrollIntoViewIfNeeded();
  await screenshot(phone, 'notify-06-devices-failing');
  await failing.getByRole('button', { name: 'Remove' }).click();
  await phone.locator('#push-devices[data-count="0"]').waitFor();
  assert.equal(server.query('SELECT 1 FROM push_subscriptions WHERE user_id = ?', b.skipper.id).length, 0);
});
