// The logbook in a real browser against a real server: the owner keeps a logbook, crew join
// through the invite link and write (also offline), a reader only reads, and the database
// holds nothing but ciphertext. Sessions here are real rows (sign-in has its own story).
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, waitFor, type TestServer } from '../../helpers/server.ts';
import { createUserWithSession, type TestUser } from '../../helpers/accounts.ts';
import {
  createLogbookInApp,
  launchBrowser,
  newPhone,
  screenshot,
  useSession,
  waitSynced,
} from '../../helpers/browser.ts';
import { storySteps } from '../../helpers/story.ts';

/** One step of the story per test; run alone, a step first runs the ones before it. */
const step = storySteps();

let server: TestServer;
let browser: Browser;
let skipper: TestUser;
let deckhand: TestUser;
let reader: TestUser;
let ownerPage: Page;
let crewPage: Page;
let logbookId = '';
const contexts: BrowserContext[] = [];

async function phone(user: TestUser): Promise<Page> {
  const context = await newPhone(browser);
  contexts.push(context);
  await useSession(context, server, user);
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  return page;
}

async function addEntry(
  page: Page,
  entry: { time: string; position: string; course: string; speed: string; wind: string; text: string },
) {
  await page.click('#add-entry');
  await page.fill('input[name="time"]', entry.time);
  await page.fill('input[name="position"]', entry.position);
  await page.fill('input[name="course"]', entry.course);
  await page.fill('input[name="speed"]', entry.speed);
  await page.fill('input[name="wind"]', entry.wind);
  await page.fill('textarea[name="text"]', entry.text);
  await page.click('#save-entry');
  await page.waitForURL(/\/logbook\/[0-9a-f-]+$/);
  await page.getByText(entry.text).waitFor();
}

async function inviteLink(page: Page, role: 'WRITE' | 'READ'): Promise<string> {
  await page.goto(`${server.origin}/logbook/${logbookId}/crew`);
  await page.click(role === 'WRITE' ? '#invite-write' : '#invite-read');
  await page.locator('img.qr, .notice-error').first().waitFor();
  const problem = (await page.locator('.notice-error').count())
    ? await page.locator('.notice-error').textContent()
    : '';
  assert.equal(problem, '');
  return page.inputValue('#invite-link');
}

async function join(page: Page, link: string) {
  await page.goto(link);
  await page.click('#join');
  await page.waitForURL(`${server.origin}/logbook/${logbookId}`);
}

before(async () => {
  server = await startServer({ flags: ['--notify-debounce', '200ms'] });
  browser = await launchBrowser();
  skipper = createUserWithSession(server, 'skipper');
  deckhand = createUserWithSession(server, 'deckhand');
  reader = createUserWithSession(server, 'reader');
});

after(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
  server?.cleanup();
});

step('the owner creates a logbook and writes the first entry', async () => {
  ownerPage = await phone(skipper);
  await ownerPage.goto(server.origin);
  await ownerPage.locator('.empty').waitFor();
  logbookId = await createLogbookInApp(ownerPage, 'Mira – Baltic summer');
  // The title shows "…" until the logbook list has loaded and the title is decrypted.
  await ownerPage.locator('.bar-title', { hasText: 'Mira – Baltic summer' }).waitFor();
  assert.equal(await ownerPage.locator('.bar-title').textContent(), 'Mira – Baltic summer');

  await addEntry(ownerPage, {
    time: '2026-07-14T09:30',
    position: "54°19.2'N 010°08.5'E",
    course: '045',
    speed: '6.2',
    wind: 'SW 4',
    text: 'Cast off in Kiel, one reef in',
  });
  await waitSynced(ownerPage);
  await screenshot(ownerPage, '03-logbook-entries');

  await ownerPage.goto(server.origin);
  await ownerPage.locator(`[data-logbook="${logbookId}"]`).waitFor();
  assert.match(
    (await ownerPage.locator(`[data-logbook="${logbookId}"]`).textContent()) ?? '',
    /Mira – Baltic summer.*Skipper/,
  );
  await screenshot(ownerPage, '02-logbooks');
});

step('the database holds only ciphertext of the title and the entries', async () => {
  const db = server.db();
  try {
    const logbook = db.prepare('SELECT meta FROM logbooks WHERE id = ?').get(logbookId) as { meta: string };
    assert.match(logbook.meta, /^[A-Za-z0-9_-]+$/);
    assert.doesNotMatch(Buffer.from(logbook.meta, 'base64url').toString('latin1'), /Mira|Baltic/);
    const entries = db.prepare('SELECT payload FROM entries WHERE logbook_id = ?').all(logbookId) as Array<{
      payload: string;
    }>;
    assert.equal(entries.length, 1);
    for (const { payload } of entries) {
      const bytes = Buffer.from(payload, 'base64url');
      assert.ok(bytes.length > 40);
      assert.doesNotMatch(bytes.toString('latin1'), /Kiel|reef|SW 4|045/);
      assert.doesNotMatch(bytes.toString('utf8'), /Kiel|reef/);
    }
    const all =
      JSON.stringify(db.prepare('SELECT * FROM entries').all()) +
      JSON.stringify(db.prepare('SELECT * FROM logbooks').all());
    assert.doesNotMatch(all, /Kiel|reef|Mira|Baltic/);
  } finally {
    db.close();
  }
});

step('the owner invites crew; the link carries the key only in the fragment and shows a QR code', async () => {
  const link = await inviteLink(ownerPage, 'WRITE');
  const url = new URL(link);
  assert.equal(url.origin, server.origin);
  assert.match(url.pathname, /^\/join\/[A-Za-z0-9_-]+$/);
  assert.match(url.hash, /^#k=[A-Za-z0-9_-]{43}$/);
  assert.equal(url.search, '');
  await screenshot(ownerPage, '05-crew-invite');
  const qr = await ownerPage.locator('img.qr').getAttribute('src');
  assert.match(qr ?? '', /^data:image\/svg\+xml/);

  crewPage = await phone(deckhand);
  await crewPage.goto(link);
  await crewPage.locator('#join').waitFor();
  assert.match((await crewPage.locator('.invite-info').textContent()) ?? '', /skipper invites you aboard.*can write/s);
  assert.equal(new URL(crewPage.url()).hash, '', 'the key leaves the address bar once read');
  await screenshot(crewPage, '06-join');
  await crewPage.click('#join');
  await crewPage.waitForURL(`${server.origin}/logbook/${logbookId}`);
  await crewPage.getByText('Cast off in Kiel, one reef in').waitFor();
  await crewPage.locator('.bar-title', { hasText: 'Mira – Baltic summer' }).waitFor();
  assert.equal(await crewPage.locator('.bar-title').textContent(), 'Mira – Baltic summer');
});

step('crew write an entry and the owner sees it after a sync', async () => {
  await addEntry(crewPage, {
    time: '2026-07-14T12:00',
    position: "54°28.0'N 010°20.1'E",
    course: '060',
    speed: '5.8',
    wind: 'W 5',
    text: 'Passed Kiel lighthouse',
  });
  await waitSynced(crewPage);
  await ownerPage.goto(`${server.origin}/logbook/${logbookId}`);
  await ownerPage.getByText('Passed Kiel lighthouse').waitFor();
});

step('crew edit and delete entries', async () => {
  await crewPage.locator('.entry', { hasText: 'Passed Kiel lighthouse' }).locator('a.entry-link').click();
  await crewPage.waitForURL(/\/entry\//);
  // The form waits (fields disabled) until the entry is decrypted.
  await crewPage.locator('form.entry-form[data-ready="yes"]').waitFor();
  assert.equal(await crewPage.inputValue('input[name="wind"]'), 'W 5');
  await screenshot(crewPage, '04-entry-form');
  await crewPage.fill('input[name="wind"]', 'W 6, second reef');
  await crewPage.click('#save-entry');
  await crewPage.getByText('W 6, second reef').waitFor();
  await waitSynced(crewPage);

  await addEntry(crewPage, {
    time: '2026-07-14T12:30',
    position: '',
    course: '',
    speed: '',
    wind: '',
    text: 'Typo entry',
  });
  await crewPage.locator('.entry', { hasText: 'Typo entry' }).locator('a.entry-link').click();
  await crewPage.click('#delete-entry');
  await crewPage.waitForURL(`${server.origin}/logbook/${logbookId}`);
  await waitSynced(crewPage);
  assert.equal(await crewPage.getByText('Typo entry').count(), 0);

  const db = server.db();
  try {
    const rows = db.prepare('SELECT deleted FROM entries WHERE logbook_id = ? ORDER BY seq').all(logbookId) as Array<{
      deleted: number;
    }>;
    assert.equal(rows.filter((r) => !r.deleted).length, 2);
  } finally {
    db.close();
  }
});

step('writing offline is kept on the phone, survives a reload and syncs when back online', async () => {
  // The service worker must hold the shell before the connection goes.
  await crewPage.waitForFunction('navigator.serviceWorker.controller !== null');
  await crewPage.context().setOffline(true);
  await addEntry(crewPage, {
    time: '2026-07-14T15:00',
    position: "54°40.0'N 010°35.0'E",
    course: '020',
    speed: '6.5',
    wind: 'W 4',
    text: 'Offline: dolphins off the bow',
  });
  await crewPage.locator('[data-sync="offline"][data-pending="1"]').waitFor();
  await screenshot(crewPage, '07-offline-pending');
  await crewPage.reload();
  await crewPage.getByText('Offline: dolphins off the bow').waitFor();
  await crewPage.locator('[data-pending="1"]').waitFor();
  const before = server.db();
  try {
    assert.equal(
      (
        before.prepare('SELECT count(*) AS n FROM entries WHERE logbook_id = ? AND deleted = 0').get(logbookId) as {
          n: number;
        }
      ).n,
      2,
    );
  } finally {
    before.close();
  }
  await crewPage.context().setOffline(false);
  await waitSynced(crewPage);
  await waitFor(() => {
    const db = server.db();
    try {
      return (
        (
          db.prepare('SELECT count(*) AS n FROM entries WHERE logbook_id = ? AND deleted = 0').get(logbookId) as {
            n: number;
          }
        ).n === 3
      );
    } finally {
      db.close();
    }
  }, 'the offline entry on the server');
  await ownerPage.reload();
  await ownerPage.getByText('Offline: dolphins off the bow').waitFor();
});

async function editNotes(page: Page, from: string, to: string) {
  await page.locator('.entry', { hasText: from }).locator('a.entry-link').click();
  await page.locator('form.entry-form[data-ready="yes"]').waitFor();
  await page.fill('textarea[name="text"]', to);
  await page.click('#save-entry');
  await page.waitForURL(/\/logbook\/[0-9a-f-]+$/);
}

step('two edits of one entry: the later one loses, and is kept beside it as a copy', async () => {
  const liveEntries = () =>
    server.query<{ n: number }>('SELECT count(*) AS n FROM entries WHERE logbook_id = ? AND deleted = 0', logbookId)[0]!
      .n;
  await crewPage.goto(`${server.origin}/logbook/${logbookId}`);
  await waitSynced(crewPage);
  // The crew edits at sea, offline; meanwhile the skipper edits the same entry ashore.
  await crewPage.context().setOffline(true);
  await editNotes(crewPage, 'Offline: dolphins off the bow', 'Dolphins, three of them');
  await ownerPage.goto(`${server.origin}/logbook/${logbookId}`);
  await editNotes(ownerPage, 'Offline: dolphins off the bow', 'Dolphins off the bow, port side');
  await waitSynced(ownerPage);
  const before = liveEntries();

  // Back online: the server keeps the skipper's version, the crew's edit comes back as a copy.
  await crewPage.context().setOffline(false);
  await crewPage.locator('.notice', { hasText: 'yours is kept beside it as a copy' }).waitFor();
  await crewPage.getByText('Dolphins off the bow, port side').waitFor();
  await crewPage.getByText('[Your edit, kept after a conflict] Dolphins, three of them').waitFor();
  await waitSynced(crewPage);
  await screenshot(crewPage, '12-conflict-copy');
  await waitFor(() => liveEntries() === before + 1, 'the copy on the server');
  await ownerPage.reload();
  await ownerPage.getByText('[Your edit, kept after a conflict] Dolphins, three of them').waitFor();
  await ownerPage.getByText('Dolphins off the bow, port side').waitFor();
});

step('the owner opens the logbook on a second device with the key link; a wrong key is refused', async () => {
  await ownerPage.goto(`${server.origin}/logbook/${logbookId}/crew`);
  await ownerPage.click('#key-link-show');
  const link = await ownerPage.locator('#key-link').inputValue();
  const url = new URL(link);
  assert.equal(url.origin + url.pathname, `${server.origin}/logbook/${logbookId}`);
  assert.match(url.hash, /^#k=[A-Za-z0-9_-]{43}$/);
  assert.match((await ownerPage.locator('#key-section img.qr').getAttribute('src')) ?? '', /^data:image\/svg\+xml/);
  await ownerPage.locator('#key-section h2').evaluate((h) => h.scrollIntoView({ block: 'start' }));
  await screenshot(ownerPage, '13-key-link');

  // A laptop, signed in as the owner, that has never seen the key: the logbook is locked
  // and says how to open it.
  const laptop = await phone(skipper);
  const keyText = url.hash.slice('#k='.length);
  const requested: string[] = [];
  laptop.on('request', (request) => requested.push(request.url() + (request.postData() ?? '')));
  await laptop.goto(`${server.origin}/logbook/${logbookId}`);
  await laptop.locator('#locked-help', { hasText: 'Open the key link from a device that has this logbook' }).waitFor();
  assert.equal(await laptop.getByText('Cast off in Kiel, one reef in').count(), 0);

  // A key that is one character off is refused, and nothing is stored (a link opened afresh).
  const wrong = keyText.slice(0, 10) + (keyText[10] === 'A' ? 'B' : 'A') + keyText.slice(11);
  await laptop.goto(`${server.origin}/`);
  await laptop.goto(`${server.origin}/logbook/${logbookId}#k=${wrong}`);
  await laptop.locator('#locked-help', { hasText: 'does not open this logbook' }).waitFor();
  assert.equal(new URL(laptop.url()).hash, '', 'the key leaves the address bar once read');
  await laptop.reload();
  await laptop.locator('#locked-help', { hasText: 'Open the key link' }).waitFor();

  // The right link, pasted into the address bar of the open page (only the fragment changes).
  await laptop.goto(link);
  await laptop.getByText('Cast off in Kiel, one reef in').waitFor();
  await laptop.locator('.bar-title', { hasText: 'Mira – Baltic summer' }).waitFor();
  assert.equal(new URL(laptop.url()).hash, '');
  assert.equal(await laptop.locator('#locked-help').count(), 0);
  // Kept on the laptop: a plain visit later opens the logbook too.
  await laptop.goto(`${server.origin}/`);
  await laptop.locator(`[data-logbook="${logbookId}"]`, { hasText: 'Mira – Baltic summer' }).waitFor();
  await laptop.goto(`${server.origin}/logbook/${logbookId}`);
  await laptop.getByText('Cast off in Kiel, one reef in').waitFor();
  // Browsers never send the fragment, and the app does not send the key either.
  assert.ok(requested.length > 5);
  assert.deepEqual(
    requested.filter((r) => r.includes(keyText) || r.includes(wrong)),
    [],
  );
});

step('a reader sees the entries but cannot change them, then leaves', async () => {
  const link = await inviteLink(ownerPage, 'READ');
  const page = await phone(reader);
  await join(page, link);
  await page.getByText('Cast off in Kiel, one reef in').waitFor();
  // The role arrives with the logbook list; once the reader's notice shows, the page knows it.
  await page.locator('.notice', { hasText: /can read this logbook/ }).waitFor();
  assert.equal(await page.locator('#add-entry').count(), 0);
  assert.equal(await page.locator('.entry a.entry-link[href]').count(), 0, 'entries do not open the editor');
  await page.goto(`${server.origin}/logbook/${logbookId}/crew`);
  await page.locator('[data-member="reader"]').waitFor();
  await page.click('#leave');
  await page.waitForURL(`${server.origin}/`);
  assert.equal(await page.locator(`[data-logbook="${logbookId}"]`).count(), 0);
});

step('the owner sees the crew and removes a member', async () => {
  await ownerPage.goto(`${server.origin}/logbook/${logbookId}/crew`);
  await ownerPage.locator('[data-member="deckhand"]').waitFor();
  assert.equal(await ownerPage.locator('[data-member="reader"]').count(), 0, 'the reader left');
  await ownerPage.locator('[data-member="deckhand"] button').click();
  await waitFor(async () => (await ownerPage.locator('[data-member="deckhand"]').count()) === 0, 'deckhand removed');
  const res = await deckhand.client.get('/api/logbooks');
  assert.deepEqual(res.body.logbooks, []);
});
