// A member's device in Chromium for notification stories: a signed-in phone context whose
// push subscription points at the local push service, the logbook key in its IndexedDB, the
// switches turned on through the settings screen, a push delivered to its real service worker,
// and the notifications it shows laid over the page for a screenshot.
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestServer } from './server.ts';
import type { TestUser } from './accounts.ts';
import { newPhone, useSession } from './browser.ts';
import { deliverToWorker, fakePushManager } from './fake-push.ts';
import type { PushServiceDevice, ReceivedMessage } from './push-service.ts';
import { exportLogbookKey, type LogbookKey } from '../../web/src/crypto.ts';

/** A signed-in phone with the service worker in control, on /settings. */
export async function memberDevice(
  browser: Browser,
  server: TestServer,
  who: TestUser,
  pushDevice: PushServiceDevice | undefined,
  contexts: BrowserContext[],
): Promise<Page> {
  const context = await newPhone(browser);
  contexts.push(context);
  if (pushDevice) await context.addInitScript({ content: fakePushManager(pushDevice.subscription) });
  await useSession(context, server, who);
  await context.grantPermissions(['notifications'], { origin: server.origin });
  const page = await context.newPage();
  await page.goto(`${server.origin}/settings`);
  await page.evaluate(
    `navigator.serviceWorker.controller || new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve))`,
  );
  return page;
}

/** Puts a logbook key into this device's IndexedDB, where the app keeps keys (web/src/keys.ts). */
export async function keepKey(page: Page, logbookId: string, key: LogbookKey): Promise<void> {
  const text = await exportLogbookKey(key);
  await page.evaluate(`new Promise((resolve, reject) => {
    const open = indexedDB.open('crewbell');
    open.onsuccess = () => {
      const tx = open.result.transaction('keys', 'readwrite');
      tx.objectStore('keys').put(${JSON.stringify(text)}, ${JSON.stringify(logbookId)});
      tx.oncomplete = () => { open.result.close(); resolve(true); };
      tx.onerror = () => reject(tx.error);
    };
    open.onerror = () => reject(open.error);
  })`);
}

/** Turns the account switch (unless `account` is false) and this device on, through the settings screen. */
export async function notificationsOn(page: Page, account = true): Promise<void> {
  await page.locator('#push[data-push-state="granted"], #push[data-push-state="active"]').waitFor();
  if (account && (await page.locator('#push[data-account="off"]').count())) {
    await page.click('#push-account');
    await page.locator('#push[data-account="on"]').waitFor();
  }
  await page.click('#push-toggle');
  await page.locator('#push[data-device="on"] .push-status').waitFor();
}

/** Delivers a received push, byte for byte, to this page's service worker; returns what it showed. */
export async function showOnDevice(
  page: Page,
  origin: string,
  message: ReceivedMessage,
): Promise<Array<{ title: string; body: string; tag: string }>> {
  assert.equal(await deliverToWorker(page, origin, message.payload), message.payload.tag);
  return (await page.evaluate(`navigator.serviceWorker.ready
    .then((r) => r.getNotifications())
    .then((list) => list.map((n) => ({ title: n.title, body: n.body, tag: n.tag })))`)) as Array<{
    title: string;
    body: string;
    tag: string;
  }>;
}

/** Lays the notifications the worker shows over the page, for the screenshot. */
export async function showNotificationList(page: Page, heading: string): Promise<void> {
  await page.evaluate(`navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((list) => {
    const panel = document.createElement('section');
    panel.id = 'test-notification-list';
    panel.className = 'card stack';
    panel.style.cssText = 'position:fixed;left:12px;right:12px;top:12px;z-index:99;border:2px solid #0b3954;box-shadow:0 8px 24px rgba(0,0,0,.3)';
    const h = document.createElement('h2');
    h.textContent = ${JSON.stringify(heading)};
    panel.append(h);
    for (const n of list) {
      const item = document.createElement('div');
      const title = document.createElement('strong');
      title.textContent = n.title;
      const body = document.createElement('p');
      body.textContent = n.body;
      item.append(title, body);
      panel.append(item);
    }
    document.body.append(panel);
  })`);
}
