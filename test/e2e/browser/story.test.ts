// The whole story in headless Chromium with real passkeys (a CDP virtual authenticator) and
// real Web Push: the owner signs up from the admin's link, creates a logbook and invites;
// crew sign up through the invite link in a second context and write; the owner turned
// notifications on in the real settings screen (only PushManager.subscribe points at the
// local push service), so the server's real push arrives, is delivered to the owner's
// service worker and shown; its click logic opens the logbook.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { runCli, startServer, waitFor, type TestServer } from '../../helpers/server.ts';
import {
  addVirtualAuthenticator,
  createLogbookInApp,
  launchBrowser,
  newPhone,
  screenshot,
  waitSynced,
} from '../../helpers/browser.ts';
import { startPushService, type PushService, type PushServiceDevice } from '../../helpers/push-service.ts';
import { storySteps } from '../../helpers/story.ts';
import { deliverToWorker, fakePushManager } from '../../helpers/fake-push.ts';

/** One step of the story per test; run alone, a step first runs the ones before it. */
const step = storySteps();

let server: TestServer;
let pushService: PushService;
let browser: Browser;
let owner: Page;
let ownerAuth: { cdp: CDPSession; authenticatorId: string };
let device: PushServiceDevice;
let logbookId = '';
let securityKey = '';
let pushMessage: unknown;
const contexts: BrowserContext[] = [];

async function phone(options: { locale?: string; userAgent?: string; init?: string } = {}): Promise<Page> {
  const context = await newPhone(browser, options);
  contexts.push(context);
  if (options.init) await context.addInitScript({ content: options.init });
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  return page;
}

function rows<T>(sql: string, ...params: Array<string | number>): T[] {
  const db = server.db();
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

before(async () => {
  pushService = await startPushService();
  server = await startServer({ flags: ['--push-allow-insecure', '--notify-debounce', '200ms'] });
  browser = await launchBrowser();
});

after(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
  server?.cleanup();
  await pushService?.close();
});

step('the welcome screen offers passkey sign-in', async () => {
  const page = await phone();
  await page.goto(server.origin);
  await page.locator('#sign-in').waitFor();
  await screenshot(page, '01-welcome');
});

step('the owner signs up with a passkey from the admin link', async () => {
  const cli = await runCli(['user', 'invite', 'skipper', '--data-dir', server.dataDir, '--origin', server.origin]);
  assert.equal(cli.code, 0, cli.stderr);
  const link = cli.stdout.trim().split('\n').at(-1)!;
  assert.match(link, /\/signup\?token=/);

  const { publicKey } = (await (await fetch(`${server.url}/api/push/vapid-public-key`)).json()) as {
    publicKey: string;
  };
  device = pushService.createDevice({ applicationServerKey: publicKey });
  owner = await phone({ init: fakePushManager(device.subscription) });
  ownerAuth = await addVirtualAuthenticator(owner);
  await owner.goto(link);
  await owner.fill('input[name="username"]', 'skipper');
  await screenshot(owner, '00-sign-up');
  await owner.click('#sign-up');
  await owner.locator('#new-logbook').waitFor();
  const users = rows<{ username: string; passkeys: number }>(
    'SELECT u.username, count(p.id) AS passkeys FROM users u JOIN passkeys p ON p.user_id = u.id GROUP BY u.id',
  );
  assert.deepEqual(
    users.map((u) => ({ ...u })),
    [{ username: 'skipper', passkeys: 1 }],
  );
});

step('the owner creates a logbook and turns notifications on in settings', async () => {
  logbookId = await createLogbookInApp(owner, 'Mira');

  await owner.context().grantPermissions(['notifications'], { origin: server.origin });
  await owner.goto(`${server.origin}/settings`);
  await owner.locator('#push[data-push-state="granted"]').waitFor();
  // Two switches: the account's preference, then this device's subscription.
  await owner.click('#push-account');
  await owner.locator('#push[data-account="on"]').waitFor();
  await owner.click('#push-toggle');
  // The state flips to active before the section has finished reloading: wait for the words.
  await owner.locator('#push[data-push-state="active"] .push-status', { hasText: 'Active on this device' }).waitFor();

  const subs = rows<{ endpoint: string; locale: string; user_id: string }>(
    'SELECT endpoint, locale, user_id FROM push_subscriptions',
  );
  assert.deepEqual(
    subs.map((s) => [s.endpoint, s.locale]),
    [[device.endpoint, 'en']],
  );
  const prefs = rows<{ on: number }>('SELECT collaborator_changes_enabled AS "on" FROM notify_prefs');
  assert.deepEqual(
    prefs.map((p) => p.on),
    [1],
  );
  assert.match((await owner.locator('#push-other-devices').textContent()) ?? '', /Not on any other device/);

  // A second device of the owner (a tablet) shows up as "other devices" here.
  const tablet = pushService.createDevice();
  const call = (method: string, body: unknown) =>
    owner.evaluate(
      `fetch('/api/push/subscription', { method: '${method}', headers: { 'content-type': 'application/json' }, body: ${JSON.stringify(JSON.stringify(body))} }).then((r) => r.status)`,
    );
  assert.equal(await call('PUT', tablet.subscription), 200);
  await owner.reload();
  await owner.locator('#push[data-push-state="active"]').waitFor();
  assert.match((await owner.locator('#push-other-devices').textContent()) ?? '', /Also on 1 other device/);
  await screenshot(owner, '08-settings-push-on');
  assert.equal(await call('DELETE', { endpoint: tablet.endpoint }), 204);
});

step('crew sign up through the invite link and write; the owner gets one real push', async () => {
  await owner.goto(`${server.origin}/logbook/${logbookId}/crew`);
  await owner.click('#invite-write');
  const link = await owner.inputValue('#invite-link');

  const crew = await phone();
  await addVirtualAuthenticator(crew);
  await crew.goto(link);
  await crew.fill('input[name="username"]', 'deckhand');
  await crew.click('#join-sign-up');
  await crew.waitForURL(`${server.origin}/logbook/${logbookId}`);
  await crew.locator('.bar-title', { hasText: 'Mira' }).waitFor();
  assert.equal(await crew.locator('.bar-title').textContent(), 'Mira');

  for (const text of ['Reefed at 14:00', 'Wind backing SW']) {
    await crew.click('#add-entry');
    await crew.fill('textarea[name="text"]', text);
    await crew.click('#save-entry');
    await crew.getByText(text).waitFor();
  }
  await waitSynced(crew);

  const [message] = await pushService.waitForDelivered(1, device, 15_000);
  const { changeCount, counts, by, ...data } = message!.payload.data;
  // Each entry synced on its own, so the first push counts one or both (the throttle holds the rest).
  assert.ok(changeCount === 1 || changeCount === 2, `changeCount ${changeCount}`);
  assert.deepEqual(counts, { create: changeCount, update: 0, delete: 0 });
  assert.deepEqual(by, ['deckhand']);
  assert.deepEqual(
    { ...message!.payload, data },
    {
      web_push: 8030,
      notification: {
        title: 'crewbell',
        body: 'New changes in one of your logbooks.',
        navigate: `${server.origin}/logbook/${logbookId}`,
        tag: `logbook-${logbookId}`,
        lang: 'en',
      },
      app_badge: changeCount,
      mutable: true,
      title: 'crewbell',
      body: 'New changes in one of your logbooks.',
      tag: `logbook-${logbookId}`,
      renotify: false,
      data: { url: `/logbook/${logbookId}`, logbookId },
    },
  );
  pushMessage = message!.payload;
});

step('the owner adds a second passkey, signs out and back in; the push subscription is renewed', async () => {
  await owner.goto(`${server.origin}/settings`);
  // The phone's authenticator already holds this account's passkey (the server excludes
  // it), so the second one goes on a security key.
  const { authenticatorId } = await ownerAuth.cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'usb',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });
  securityKey = authenticatorId;
  // Both authenticators are asked; the phone's own would answer "already registered" (it
  // holds an excluded passkey) as soon as it sees user presence, so it gets none: only the
  // security key answers.
  await ownerAuth.cdp.send('WebAuthn.setAutomaticPresenceSimulation', {
    authenticatorId: ownerAuth.authenticatorId,
    enabled: false,
  });
  await owner.click('#add-passkey');
  await owner.locator('.notice-ok, .notice-error').first().waitFor();
  // The refusal's words only when there is one: reading a missing notice waits out the timeout.
  const refusal = owner.locator('.notice-error');
  if ((await refusal.count()) > 0) assert.fail(`adding a passkey was refused: ${await refusal.first().textContent()}`);
  await owner.getByText('Passkey added.').waitFor();
  await ownerAuth.cdp.send('WebAuthn.setAutomaticPresenceSimulation', {
    authenticatorId: ownerAuth.authenticatorId,
    enabled: true,
  });
  assert.equal(
    rows('SELECT id FROM passkeys WHERE user_id = (SELECT id FROM users WHERE username = ?)', 'skipper').length,
    2,
  );

  await owner.click('#sign-out');
  await owner.locator('#sign-in').waitFor();
  assert.equal(rows('SELECT id FROM push_subscriptions').length, 0, 'signing out takes this device off the list');

  await owner.click('#sign-in');
  await owner.locator('#new-logbook').waitFor();
  await waitFor(
    () => rows('SELECT id FROM push_subscriptions WHERE endpoint = ?', device.endpoint).length === 1,
    'the renewed subscription',
  );
});

step('a refused passkey sign-in is explained in plain words', async () => {
  await owner.goto(`${server.origin}/settings`);
  await owner.click('#sign-out');
  await owner.locator('#sign-in').waitFor();
  for (const authenticatorId of [ownerAuth.authenticatorId, securityKey]) {
    await ownerAuth.cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
  }
  await owner.click('#sign-in');
  const error = owner.locator('.notice-error');
  await error.waitFor();
  assert.match((await error.textContent()) ?? '', /passkey/i);
  await screenshot(owner, '11-sign-in-refused');
  for (const authenticatorId of [ownerAuth.authenticatorId, securityKey]) {
    await ownerAuth.cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: true });
  }
  await owner.click('#sign-in');
  await owner.locator('#new-logbook').waitFor();
  // Renewal runs in the background after sign-in; let it finish before the page is left.
  await waitFor(
    () => rows('SELECT id FROM push_subscriptions WHERE endpoint = ?', device.endpoint).length === 1,
    'the renewed subscription',
  );
});

step('the push is shown by the owner service worker and its click opens the logbook', async () => {
  await owner.goto(`${server.origin}/settings`);
  await owner.waitForFunction('navigator.serviceWorker.controller !== null');
  // The push the push service received goes, byte for byte, to the real push handler.
  assert.equal(await deliverToWorker(owner, server.origin, pushMessage), `logbook-${logbookId}`);
  const notifications = (await owner.evaluate(`navigator.serviceWorker.ready
    .then((r) => r.getNotifications())
    .then((list) => list.map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data, icon: n.icon, badge: n.badge })))`)) as Array<
    Record<string, any>
  >;
  assert.equal(notifications.length, 1);
  const [shownNotification] = notifications;
  assert.equal(shownNotification!.title, 'crewbell');
  // The owner's phone holds the logbook's key: its service worker words the notification.
  const { changeCount } = (pushMessage as { data: { changeCount: number } }).data;
  assert.equal(
    shownNotification!.body,
    changeCount === 1 ? 'Mira: 1 new entry by deckhand' : 'Mira: 2 new entries by deckhand',
  );
  assert.equal(shownNotification!.tag, `logbook-${logbookId}`);
  assert.equal(shownNotification!.data.url, `/logbook/${logbookId}`);
  assert.match(shownNotification!.icon, /\/icons\/icon-192\.png$/);
  assert.match(shownNotification!.badge, /\/icons\/badge-96\.png$/);

  const [worker] = owner.context().serviceWorkers();
  assert.ok(worker, 'the service worker is running');
  await worker.evaluate(`self.registration.getNotifications().then(([notification]) => {
    self.dispatchEvent(new NotificationEvent('notificationclick', { notification }));
  })`);
  await owner.waitForURL(`${server.origin}/logbook/${logbookId}`);
  await owner.getByText('Reefed at 14:00').waitFor();
});

step('the test notification button reaches this device', async () => {
  await owner.goto(`${server.origin}/settings`);
  await owner.locator('#push[data-push-state="active"]').waitFor();
  await owner.click('#push-test');
  await owner.getByText('Test sent to 1 device.').waitFor();
  const test = await waitFor(
    () => pushService.delivered(device).find((m) => m.payload?.tag === 'test'),
    'the test push',
  );
  assert.equal(test.payload.data.url, '/settings');
});

step('choosing Deutsch re-sends the subscription with the German locale', async () => {
  await owner.click('#lang-de');
  await owner.getByText('Einstellungen').first().waitFor();
  await waitFor(
    () =>
      rows<{ locale: string }>('SELECT locale FROM push_subscriptions WHERE endpoint = ?', device.endpoint)[0]
        ?.locale === 'de',
    'locale de',
  );
  // The page re-renders in German and the push section reloads its state: wait for it.
  await owner.locator('#push[data-push-state="active"] .push-status', { hasText: 'Auf diesem Gerät aktiv' }).waitFor();
});

step('when the browser replaces the subscription, the service worker tells the server', async () => {
  // Chromium never fires pushsubscriptionchange by itself: dispatch one in the worker with
  // a new subscription (keys from the push service) in place of the old one.
  const replacement = pushService.createDevice();
  const [worker] = owner.context().serviceWorkers();
  assert.ok(worker);
  await worker.evaluate(`(() => {
    const next = ${JSON.stringify(replacement.subscription)};
    const event = new ExtendableEvent('pushsubscriptionchange');
    Object.defineProperty(event, 'oldSubscription', { value: { endpoint: ${JSON.stringify(device.endpoint)} } });
    Object.defineProperty(event, 'newSubscription', { value: { endpoint: next.endpoint, expirationTime: null, toJSON: () => next } });
    try { self.dispatchEvent(event); } catch {}
  })()`);
  await waitFor(() => {
    const subs = rows<{ endpoint: string; locale: string }>(
      'SELECT endpoint, locale FROM push_subscriptions WHERE user_id = (SELECT id FROM users WHERE username = ?)',
      'skipper',
    );
    return subs.length === 1 && subs[0]!.endpoint === replacement.endpoint && subs[0]!.locale === 'de';
  }, 'the replaced subscription, in German');
});

step('settings explain when notifications are blocked', async () => {
  const page = await phone({ locale: 'de-DE' });
  const { cdp } = await addVirtualAuthenticator(page);
  const cli = await runCli(['user', 'invite', 'matrose', '--data-dir', server.dataDir, '--origin', server.origin]);
  await page.goto(cli.stdout.trim().split('\n').at(-1)!);
  await page.fill('input[name="username"]', 'matrose');
  await page.click('#sign-up');
  await page.locator('#new-logbook').waitFor();
  await page.goto(`${server.origin}/settings`);
  await page.locator('#push-toggle').waitFor();
  // The sailor answers the browser's prompt with "Block". Headless Chromium shows no prompt
  // and takes seconds to dismiss it, so the answer is set through the browser's own
  // per-site setting: requestPermission then answers "denied" at once.
  const { targetInfo } = await cdp.send('Target.getTargetInfo');
  await cdp.send('Browser.setPermission', {
    permission: { name: 'notifications' },
    setting: 'denied',
    origin: server.origin,
    ...(targetInfo.browserContextId ? { browserContextId: targetInfo.browserContextId } : {}),
  });
  await page.click('#push-toggle');
  await page.locator('#push[data-push-state="denied"]').waitFor();
  assert.match((await page.locator('#push').textContent()) ?? '', /blockiert.*Website-Einstellungen/s);
  // Coming back later, the block is explained before anything is pressed; the switch shows
  // "off" and cannot be pressed until the browser allows notifications again.
  await page.reload();
  await page.locator('#push[data-push-state="denied"]').waitFor();
  await page.locator('#push .push-status').waitFor();
  assert.equal(await page.locator('#push-toggle').isChecked(), false);
  assert.equal(await page.locator('#push-toggle').isDisabled(), true);
  assert.match((await page.locator('#push .push-status').textContent()) ?? '', /Auf diesem Gerät aus/);
  await screenshot(page, '09-settings-push-denied-de');
});

step('settings explain a browser without push, and iOS before installing', async () => {
  const cookies = await contexts.at(-1)!.cookies(server.origin);
  const noPush = await phone({ init: 'delete window.PushManager;' });
  await noPush.context().addCookies(cookies);
  await noPush.goto(`${server.origin}/settings`);
  await noPush.locator('#push[data-push-state="unsupported"]').waitFor();
  assert.match((await noPush.locator('#push').textContent()) ?? '', /cannot receive push notifications/);
  assert.equal(await noPush.locator('#push-toggle').count(), 0);

  const iphone = await phone({
    userAgent:
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1',
  });
  await iphone.context().addCookies(cookies);
  await iphone.goto(`${server.origin}/settings`);
  await iphone.locator('#push[data-push-state="ios-install"]').waitFor();
  assert.match((await iphone.locator('#push').textContent()) ?? '', /Add to Home Screen/);
  await screenshot(iphone, '10-settings-push-ios');
});

step("the skipper lost the phone: the admin's recovery link makes a passkey on a new one", async () => {
  const cli = await runCli(['user', 'recover', 'skipper', '--data-dir', server.dataDir, '--origin', server.origin]);
  assert.equal(cli.code, 0, cli.stderr);
  const page = await phone();
  await addVirtualAuthenticator(page);
  await page.goto(cli.stdout.trim().split('\n').at(-1)!);
  await page.locator('h2', { hasText: 'A new passkey for your account' }).waitFor();
  await screenshot(page, '14-recover');
  await page.fill('input[name="username"]', 'skipper');
  await page.click('#sign-up');
  // The same account with its logbook; this phone has no key yet, so the title is locked.
  await page.locator('.list-title.locked').waitFor();
  assert.equal(await page.locator('[data-logbook]').count(), 1);
  assert.equal(rows('SELECT id FROM users WHERE username = ?', 'skipper').length, 1);
  assert.equal(
    rows('SELECT id FROM passkeys WHERE user_id = (SELECT id FROM users WHERE username = ?)', 'skipper').length,
    3,
  );
  assert.equal(
    rows('SELECT id FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = ?)', 'skipper').length,
    1,
    'every other device is signed out',
  );

  // The old phone's passkeys are removed from the account screen (after a passkey check).
  const [oldest] = rows<{ id: string }>(
    'SELECT id FROM passkeys WHERE user_id = (SELECT id FROM users WHERE username = ?) ORDER BY created_at, id',
    'skipper',
  );
  await page.goto(`${server.origin}/settings`);
  await page.locator('#passkeys li').nth(2).waitFor();
  assert.match(
    (await page.locator('#passkeys li').nth(2).textContent()) ?? '',
    /Passkey 3.*added .*not used to sign in yet/,
  );
  await page.locator(`[data-passkey="${oldest!.id}"] button`).click();
  await page.locator('.notice', { hasText: 'Passkey removed' }).waitFor();
  await waitFor(async () => (await page.locator('#passkeys li').count()) === 2, 'two passkeys listed');
  assert.deepEqual(rows('SELECT id FROM passkeys WHERE id = ?', oldest!.id), []);
  await page.locator('#passkeys').scrollIntoViewIfNeeded();
  await screenshot(page, '15-settings-passkeys');
});
