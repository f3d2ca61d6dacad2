// The watch bell in headless Chromium against a real server process: the skipper writes a
// 4-on/4-off plan in the planner, the crew member whose watch comes next is rung through the
// local push service (decrypted there, independently) and their service worker shows it with
// the logbook's name and the time on the device's clock; the logbook screen shows who is on
// watch now and next, the skipper goes under way and logs the watch change as an encrypted
// entry. Screenshots: watch-planner, watch-reminder, watch-banner.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, type TestServer } from '../../helpers/server.ts';
import { launchBrowser, newPhone, screenshot, useSession, waitSynced } from '../../helpers/browser.ts';
import { createUserWithSession, type TestUser } from '../../helpers/accounts.ts';
import { addCrew } from '../../helpers/crew.ts';
import { deliverToWorker, fakePushManager } from '../../helpers/fake-push.ts';
import { startPushService, type PushService, type PushServiceDevice } from '../../helpers/push-service.ts';
import { newLogbookKey, sealJson, type LogbookKey } from '../../../web/src/crypto.ts';
import { keepKey } from '../../helpers/notify-browser.ts';

const WAIT_MS = 20_000;
let server: TestServer;
let ps: PushService;
let browser: Browser;
const contexts: BrowserContext[] = [];

before(async () => {
  // Playwright's timezoneId reaches pages, not service workers: the browser runs on Berlin
  // time as a whole, so that the worker's clock is the page's, as on a phone.
  process.env.TZ = 'Europe/Berlin';
  ps = await startPushService();
  server = await startServer({ flags: ['--push-allow-insecure'] });
  browser = await launchBrowser();
});
after(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
  server?.cleanup();
  await ps?.close();
});

/** A signed-in phone (Europe/Berlin) holding the logbook key, on the logbook's screen. */
async function phone(who: TestUser, logbookId: string, key: LogbookKey, push?: PushServiceDevice): Promise<Page> {
  const context = await newPhone(browser);
  contexts.push(context);
  if (push) await context.addInitScript({ content: fakePushManager(push.subscription) });
  await useSession(context, server, who);
  await context.grantPermissions(['notifications'], { origin: server.origin });
  const page = await context.newPage();
  await page.goto(`${server.origin}/settings`);
  await page.evaluate(
    `navigator.serviceWorker.controller || new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve))`,
  );
  await keepKey(page, logbookId, key);
  if (push) {
    // The account switch and this device on, through the settings screen.
    await page.locator('#push[data-push-state="granted"], #push[data-push-state="active"]').waitFor();
    if (await page.locator('#push[data-account="off"]').count()) {
      await page.click('#push-account');
      await page.locator('#push[data-account="on"]').waitFor();
    }
    await page.click('#push-toggle');
    await page.locator('#push[data-device="on"] .push-status').waitFor();
  }
  return page;
}

/** "HH:MM" and "YYYY-MM-DDTHH:MM" of an instant on the Berlin clock (the phones' zone). */
function berlin(at: number): { hhmm: string; local: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Europe/Berlin',
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return {
    hhmm: `${parts.hour}:${parts.minute}`,
    local: `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`,
  };
}

test('planner → the next watch is rung on their phone → banner, under way and a logged watch change', async () => {
  const skipper = createUserWithSession(server, `skipper${process.pid}`);
  const mate = createUserWithSession(server, `anna${process.pid}`);
  const logbookId = randomUUID();
  const key = await newLogbookKey();
  const created = await skipper.client.post('/api/logbooks', {
    id: logbookId,
    meta: await sealJson(key, { title: 'Mira night passage' }, `${logbookId}/meta`),
  });
  assert.equal(created.status, 201, created.text);
  await addCrew(skipper, logbookId, mate, 'WRITE');
  const mateDevice = ps.createDevice();
  const matePhone = await phone(mate, logbookId, key, mateDevice);
  const skipperPhone = await phone(skipper, logbookId, key);

  // The planner: 4 on / 4 off, Anna in watch A, the skipper in watch B, starting so that
  // Anna's first watch is over, the skipper's runs and Anna's next starts in 3 minutes.
  const minute = 60_000;
  const annaNext = Math.ceil(Date.now() / minute) * minute + 3 * minute;
  const start = annaNext - 8 * 60 * minute;
  await skipperPhone.goto(`${server.origin}/logbook/${logbookId}`);
  await skipperPhone.locator('#watch-banner').waitFor();
  await skipperPhone.click('#open-watches');
  await skipperPhone.locator('#watch-planner').waitFor();
  await skipperPhone.selectOption('#watch-system', 'fourOnFourOff');
  await skipperPhone.check(`#team-A input[name="team-A-${mate.username}"]`);
  await skipperPhone.check(`#team-B input[name="team-B-${skipper.username}"]`);
  await skipperPhone.fill('#watch-start', berlin(start).local);
  await skipperPhone.fill('#watch-days', '1');
  await skipperPhone.selectOption('#log-every', '60');
  await skipperPhone.locator('#watch-preview').waitFor();
  await screenshot(skipperPhone, 'watch-planner');
  await skipperPhone.click('#write-plan');
  await skipperPhone.getByText('Plan saved: 6 watches.').waitFor();

  const stored = (await mate.client.get(`/api/logbooks/${logbookId}/watches`)).body;
  assert.equal(stored.watches.length, 6);
  assert.deepEqual(stored.reminders, { beforeMinutes: 10, logEveryMinutes: 60 });
  assert.equal(stored.timeZone, 'Europe/Berlin');
  assert.equal(Date.parse(stored.watches[2].startsAt), annaNext);
  assert.deepEqual(stored.watches[2].members, [mate.id]);

  // Anna's watch is 3 minutes away, inside the 10 minutes ahead: she is rung at once.
  const [rung] = await ps.waitForDelivered(1, mateDevice, WAIT_MS);
  assert.equal(rung!.payload.tag, `watch-${logbookId}`);
  assert.equal(rung!.payload.data.kind, 'watch');
  assert.equal(rung!.payload.body, `Your watch starts at ${berlin(annaNext).hhmm}.`);
  assert.ok(!rung!.text.includes('Mira'), 'the logbook name never crosses the push service');
  await matePhone.goto(`${server.origin}/logbook/${logbookId}`);
  await matePhone.locator('#watch-now').getByText(`On watch: ${skipper.username}`).waitFor();
  assert.equal(await deliverToWorker(matePhone, server.origin, rung!.payload), `watch-${logbookId}`);
  const shown = (await matePhone.evaluate(`navigator.serviceWorker.ready
    .then((r) => r.getNotifications())
    .then((list) => list.map((n) => ({ title: n.title, body: n.body })))`)) as { title: string; body: string }[];
  // The worker words the time on the device's clock (Berlin, like the server's text here).
  assert.deepEqual(shown, [{ title: 'Mira night passage', body: `Your watch starts at ${berlin(annaNext).hhmm}.` }]);
  await matePhone.evaluate(`(() => {
    const panel = document.createElement('section');
    panel.className = 'card stack';
    panel.style.cssText = 'position:fixed;left:12px;right:12px;top:12px;z-index:99;border:2px solid #0b3954;box-shadow:0 8px 24px rgba(0,0,0,.3)';
    for (const n of ${JSON.stringify(shown)}) {
      const title = document.createElement('strong');
      title.textContent = n.title;
      const body = document.createElement('p');
      body.textContent = n.body;
      panel.append(title, body);
    }
    document.body.append(panel);
  })()`);
  await screenshot(matePhone, 'watch-reminder');

  // The skipper's logbook screen: on watch now, next, under way, the watch change logged.
  await skipperPhone.goto(`${server.origin}/logbook/${logbookId}`);
  await skipperPhone.locator('#watch-now').getByText(`On watch: ${skipper.username}`).waitFor();
  await skipperPhone
    .locator('#watch-next')
    .getByText(`Next: ${mate.username} at ${berlin(annaNext).hhmm}`)
    .waitFor();
  await skipperPhone.click('#under-way');
  await skipperPhone.locator('#watch-banner[data-under-way="yes"]').waitFor();
  assert.equal((await mate.client.get(`/api/logbooks/${logbookId}/watches`)).body.underWay, true);
  await skipperPhone.click('#log-watch-change');
  const change = `Watch: ${mate.username} → ${skipper.username}`;
  await skipperPhone.locator('.entry-text', { hasText: change }).waitFor();
  await waitSynced(skipperPhone);
  await screenshot(skipperPhone, 'watch-banner');
  const pulled = await mate.client.get(`/api/sync/pull?logbookId=${logbookId}&since=`);
  assert.equal(pulled.body.items.length, 1, 'the watch change is an ordinary synced entry');
  const payload = pulled.body.items[0].payload as string;
  assert.ok(!Buffer.from(payload, 'base64url').toString('latin1').includes('Watch'), 'encrypted on the device');
});
