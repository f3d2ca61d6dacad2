// The first visit when the first frame is slower than the server (WebKit, a busy phone):
// the session answer lands before the screen has subscribed to it, and must still show.
// slowFirstFrame holds every timer and frame until the answer has been read.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startServer, type TestServer } from '../../helpers/server.ts';
import { launchBrowser, newPhone, useSession } from '../../helpers/browser.ts';
import { createUserWithSession } from '../../helpers/accounts.ts';
import { slowFirstFrame } from '../../helpers/slow-first-frame.ts';

let server: TestServer;
let browser: Browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  server?.cleanup();
});

async function slowPhone(): Promise<Page> {
  const context = await newPhone(browser);
  await context.addInitScript({ content: slowFirstFrame() });
  return context.newPage();
}

test('signed out, a slow first frame still ends on the sign-in screen', async () => {
  const page = await slowPhone();
  await page.goto(server.origin);
  await page.locator('#sign-in').waitFor();
  // The hold really happened: Preact's after-frame timer was among what waited.
  assert.ok((await page.evaluate<number>('window.__firstFrameHeld')) > 0);
  await page.context().close();
});

test('signed in, a frame that ends after the logbooks arrived still shows the screen a move made meanwhile', async () => {
  const context = await newPhone(browser);
  await useSession(context, server, createUserWithSession(server, 'skipper'));
  // The app moves to settings while the frame is still held (a service worker's "navigate").
  // The frame ends after the session and the logbooks were stored (IndexedDB: 300 ms more).
  await context.addInitScript({
    content: `${slowFirstFrame(['/api/auth/session', '/api/logbooks'], 300)}
      addEventListener('DOMContentLoaded', () => { history.pushState(null, '', '/settings'); dispatchEvent(new PopStateEvent('popstate')); });`,
  });
  const page = await context.newPage();
  await page.goto(server.origin);
  await page.locator('#sign-out').waitFor();
  assert.equal(new URL(page.url()).pathname, '/settings');
  await context.close();
});
