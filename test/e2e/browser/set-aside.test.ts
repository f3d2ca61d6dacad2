// Nothing a crew member wrote is thrown away (issue 18): the mate writes an entry offline,
// the skipper makes the mate a reader meanwhile, and when the phone is back online the
// server refuses the entry (`forbidden`). It is kept aside on the phone, shown under the
// logbook with its words, and can be copied and saved as a file before it is let go.
// Chromium against a real server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, waitFor, type TestServer } from '../../helpers/server.ts';
import { createUserWithSession, type TestUser } from '../../helpers/accounts.ts';
import { createLogbookInApp, launchBrowser, newPhone, useSession, waitSynced } from '../../helpers/browser.ts';

let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
  server?.cleanup();
});

async function phone(user: TestUser): Promise<{ page: Page; context: BrowserContext }> {
  const context = await newPhone(browser);
  contexts.push(context);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
  await useSession(context, server, user);
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  return { page, context };
}

test('an entry refused after the role became READ is kept aside, shown, copied and saved as a file', async () => {
  const skipper = createUserWithSession(server, 'jorg');
  const mate = createUserWithSession(server, 'asa');
  const { page: skipperPage } = await phone(skipper);
  await skipperPage.goto(server.origin);
  const logbookId = await createLogbookInApp(skipperPage, 'Mira');
  await skipperPage.goto(`${server.origin}/logbook/${logbookId}/crew`);
  await skipperPage.click('#invite-write');
  await skipperPage.locator('#invite-link').waitFor();
  const link = await skipperPage.inputValue('#invite-link');

  const { page: matePage, context: mateContext } = await phone(mate);
  await matePage.goto(link);
  await matePage.click('#join');
  await matePage.waitForURL(`${server.origin}/logbook/${logbookId}`);
  await matePage.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await waitSynced(matePage);

  // At sea: the mate writes an entry that waits in the queue.
  await mateContext.setOffline(true);
  await matePage.goto(`${server.origin}/logbook/${logbookId}/entry/new`);
  await matePage.fill('input[name="time"]', '2026-07-14T18:00');
  await matePage.fill('textarea[name="text"]', 'Reefed at dusk, wind backing SW 6');
  await matePage.click('#save-entry');
  await matePage.waitForURL(`${server.origin}/logbook/${logbookId}`);
  await matePage.locator('.entry', { hasText: 'Reefed at dusk' }).waitFor();

  // Ashore meanwhile, the skipper makes the mate a reader.
  const demoted = await skipper.client.patch(`/api/logbooks/${logbookId}/members/${mate.id}`, { role: 'READ' });
  assert.equal(demoted.status, 200, demoted.text);

  // Back online: the upload is refused, and the entry is kept aside, with its words.
  await mateContext.setOffline(false);
  await matePage.evaluate(() => dispatchEvent(new Event('online')));
  const aside = matePage.locator('#set-aside');
  await aside.waitFor({ timeout: 20_000 });
  assert.match(
    (await aside.textContent()) ?? '',
    /Not saved: 1 change you made here was refused.*only read this logbook now/,
  );
  assert.match((await aside.locator('.set-aside-entry').textContent()) ?? '', /Reefed at dusk, wind backing SW 6/);
  assert.deepEqual(server.query('SELECT entity_id FROM entries WHERE logbook_id = ?', logbookId), []);

  // Kept across a reload: it lives in IndexedDB, not in the page.
  await matePage.reload();
  await aside.locator('.set-aside-entry', { hasText: 'Reefed at dusk' }).waitFor();

  await matePage.click('#copy-set-aside');
  await waitFor(
    async () => /Reefed at dusk, wind backing SW 6/.test(await matePage.evaluate(() => navigator.clipboard.readText())),
    'the words on the clipboard',
  );
  const [file] = await Promise.all([matePage.waitForEvent('download'), matePage.click('#export-set-aside')]);
  assert.match(file.suggestedFilename(), /^crewbell-not-saved-\d{4}-\d\d-\d\d\.txt$/);
  const saved = readFileSync((await file.path())!, 'utf8');
  assert.match(saved, /Notes: Reefed at dusk, wind backing SW 6/);
  assert.match(saved, /Time: /);

  // Let go (after confirming): gone from the screen and from the phone.
  await matePage.click('#dismiss-set-aside');
  await aside.waitFor({ state: 'detached' });
  await matePage.reload();
  await matePage.locator('.notice', { hasText: /can read this logbook/ }).waitFor();
  assert.equal(await aside.count(), 0);
});
