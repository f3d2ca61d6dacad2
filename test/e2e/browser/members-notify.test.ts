// Every member hears the bell, in headless Chromium against a real server: the skipper's change
// reaches a crew member who turned "Notify me about changes by others" on in the logbook's
// screen, and their service worker words it "Baltic summer: 2 new entries by Jörg (skipper)";
// the settings' email flow, with the link mailed by a real SMTP relay (STARTTLS, AUTH).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext } from 'playwright-core';
import { startServer, waitFor, type TestServer } from '../../helpers/server.ts';
import { launchBrowser, screenshot } from '../../helpers/browser.ts';
import { createUserWithSession } from '../../helpers/accounts.ts';
import { addCrew } from '../../helpers/crew.ts';
import { startPushService, type PushService } from '../../helpers/push-service.ts';
import { startRelay, type TestRelay } from '../../helpers/smtp.ts';
import {
  keepKey,
  memberDevice,
  notificationsOn,
  showNotificationList,
  showOnDevice,
} from '../../helpers/notify-browser.ts';
import { newLogbookKey, sealJson } from '../../../web/src/crypto.ts';

let server: TestServer;
let ps: PushService;
let relay: TestRelay;
let browser: Browser;
const contexts: BrowserContext[] = [];

before(async () => {
  ps = await startPushService();
  relay = await startRelay();
  server = await startServer({
    flags: ['--push-allow-insecure', '--notify-debounce', '200ms', '--notify-throttle', '300ms'],
    env: { CREWBELL_SMTP_URL: relay.url, NODE_EXTRA_CA_CERTS: relay.certs.caFile },
  });
  browser = await launchBrowser();
});
after(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
  server?.cleanup();
  await ps?.close();
  await relay?.close();
});

test('the skipper\'s entries notify a crew member who turned it on: "Baltic summer: 2 new entries by Jörg (skipper)"', async () => {
  const skipper = createUserWithSession(server, 'Jörg');
  const mette = createUserWithSession(server, 'Mette');
  const logbookId = randomUUID();
  const key = await newLogbookKey();
  const made = await skipper.client.post('/api/logbooks', {
    id: logbookId,
    meta: await sealJson(key, { title: 'Baltic summer' }, `${logbookId}/meta`),
  });
  assert.equal(made.status, 201, made.text);
  await addCrew(skipper, logbookId, mette, 'READ');

  const metteDevice = ps.createDevice();
  const phone = await memberDevice(browser, server, mette, metteDevice, contexts);
  await keepKey(phone, logbookId, key);
  await notificationsOn(phone);
  // Crew start muted; Mette turns it on on the logbook's screen.
  await phone.goto(`${server.origin}/logbook/${logbookId}`);
  await phone.locator('#logbook-notify-card[data-enabled="no"]').waitFor();
  await phone.click('#logbook-notify');
  await phone.locator('#logbook-notify-card[data-enabled="yes"]').waitFor();
  await phone.locator('#logbook-notify-card').scrollIntoViewIfNeeded();
  await screenshot(phone, 'members-crew-switch');

  const items = [];
  for (const text of ['Cast off from Kiel', 'Reef in, wind W 6']) {
    const entityId = randomUUID();
    items.push({
      logbookId,
      entityId,
      action: 'create',
      payload: await sealJson(key, { time: '2026-07-14T10:00', text }, `${logbookId}/${entityId}`),
    });
  }
  const res = await skipper.client.post('/api/sync/push', { items });
  assert.ok(
    res.body.results.every((r: { status: string }) => r.status === 'success'),
    res.text,
  );

  const [message] = await ps.waitForDelivered(1, metteDevice, 20_000);
  assert.equal(message!.payload.body, 'New changes in one of your logbooks.', 'generic on the wire');
  const shown = await showOnDevice(phone, server.origin, message!);
  assert.deepEqual(
    shown.map((n) => [n.title, n.body]),
    [['crewbell', 'Baltic summer: 2 new entries by Jörg (skipper)']],
  );
  await showNotificationList(phone, "Mette's phone");
  await screenshot(phone, 'members-crew-notified');
});

test("settings: give an address, open the mailed link, email when push can't reach is on; turning it off sticks", async () => {
  const sailor = createUserWithSession(server, `Ines${process.pid}`);
  const page = await memberDevice(browser, server, sailor, undefined, contexts);
  await page.locator('#email-fallback[data-email="none"]').waitFor();
  await page.fill('#email-address', 'ines@boat.example');
  await page.click('#email-send');
  await page.locator('#email-fallback[data-email="pending"]').waitFor();
  await page.getByText('We sent a link to ines@boat.example').waitFor();
  await page.locator('#email-fallback').scrollIntoViewIfNeeded();
  await screenshot(page, 'members-email-sent');

  const mail = await waitFor(() => relay.received.find((m) => m.to[0] === 'ines@boat.example'), 'the link');
  const link = /http:\/\/localhost:\d+\/verify-email\?token=[\w-]+/.exec(mail.mail.text ?? '')![0];
  await page.goto(link);
  await page.locator('#verify-email[data-state="done"]').waitFor();
  await screenshot(page, 'members-email-verified');

  await page.click('#verify-email a[href="/settings"]');
  await page.locator('#email-fallback[data-email="verified"]').waitFor();
  assert.equal(await page.isChecked('#email-when-no-push'), true, 'on by default once verified');
  await page.locator('#email-fallback').scrollIntoViewIfNeeded();
  await screenshot(page, 'members-settings-email');
  await page.click('#email-when-no-push');
  await waitFor(
    async () => (await sailor.client.get('/api/push/prefs')).body.emailWhenNoPush === false,
    'the switch to be saved',
  );
});
