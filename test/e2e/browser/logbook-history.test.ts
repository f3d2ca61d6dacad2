// Who wrote what, undo, crew admin and export in a real browser against a real server: the
// skipper keeps a full log entry, the mate edits and deletes, the skipper reads the history
// and restores, also offline; roles change, an invite is revoked; the CSV and GPX files are
// read back field by field and the printable logbook is photographed.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { repoRoot, startServer, waitFor, type TestServer } from '../../helpers/server.ts';
import { createUserWithSession, type TestUser } from '../../helpers/accounts.ts';
import {
  createLogbookInApp,
  launchBrowser,
  newPhone,
  screenshot,
  screenshotDir,
  useSession,
  waitSynced,
} from '../../helpers/browser.ts';
import { parseCsv } from '../../helpers/csv.ts';
import { HISTORY_PAGE_BYTES } from '../../../src/sync/history.ts';
import { storySteps } from '../../helpers/story.ts';

/** One step of the story per test; run alone, a step first runs the ones before it. */
const step = storySteps();

let server: TestServer;
let browser: Browser;
let skipper: TestUser;
let mate: TestUser;
let skipperPage: Page;
let matePage: Page;
let logbookId = '';
/** The skipper's first entry, edited by the mate and restored. */
let castOffId = '';
const contexts: BrowserContext[] = [];

async function phone(user: TestUser): Promise<Page> {
  const context = await newPhone(browser);
  contexts.push(context);
  await useSession(context, server, user);
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  return page;
}

const card = (page: Page, text: string) => page.locator('.entry', { hasText: text });
const entryIdOf = async (page: Page, text: string) => (await card(page, text).getAttribute('data-entry'))!;

async function openLogbook(page: Page) {
  await page.goto(`${server.origin}/logbook/${logbookId}`);
  await page.locator('.bar-title', { hasText: 'Mira' }).waitFor();
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  skipper = createUserWithSession(server, 'jorg');
  mate = createUserWithSession(server, 'asa');
});

after(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
  server?.cleanup();
});

step('a full log entry, the last values offered for the next, and the author shown to the crew', async () => {
  skipperPage = await phone(skipper);
  await skipperPage.goto(server.origin);
  logbookId = await createLogbookInApp(skipperPage, 'Mira');

  await skipperPage.click('#add-entry');
  await skipperPage.fill('input[name="time"]', '2026-07-14T08:00');
  await skipperPage.fill('input[name="position"]', "54°22.1'N 010°09.5'E");
  await skipperPage.fill('input[name="course"]', '045');
  await skipperPage.fill('input[name="speed"]', '5.5');
  await skipperPage.fill('input[name="wind"]', 'SW 4');
  await skipperPage.fill('input[name="baro"]', '1012');
  await skipperPage.fill('input[name="log"]', '100.4');
  await skipperPage.click('[data-chip="events:departure"]');
  await skipperPage.fill('textarea[name="text"]', 'Cast off in Kiel, one reef in');
  await skipperPage.click('#more-fields summary');
  await skipperPage.click('[data-chip="sails:main"]');
  await skipperPage.click('[data-chip="sails:reef1"]');
  await skipperPage.fill('input[name="sailsNote"]', 'Genua halb');
  await skipperPage.selectOption('select[name="sea"]', '3');
  await skipperPage.selectOption('select[name="visibility"]', 'good');
  await skipperPage.selectOption('select[name="cloud"]', '6');
  await skipperPage.fill('input[name="onWatch"]', 'Jörg, Åsa');
  await skipperPage.fill('input[name="helm"]', 'Åsa');
  await skipperPage.fill('input[name="engineHours"]', '1520.5');
  await skipperPage.fill('input[name="fuel"]', '80');
  await skipperPage.fill('input[name="water"]', '120');
  await skipperPage.fill('input[name="eventNote"]', 'Schleuse "Holtenau"');
  await screenshot(skipperPage, 'logbook-entry-form-full');
  await skipperPage.click('#save-entry');
  await skipperPage.waitForURL(/\/logbook\/[0-9a-f-]+$/);
  await card(skipperPage, 'Cast off in Kiel').waitFor();
  assert.match(
    (await card(skipperPage, 'Cast off in Kiel').textContent()) ?? '',
    /Departure.*1012.*100\.4.*Main, 1st reef, Genua halb/s,
  );
  assert.equal(await card(skipperPage, 'Cast off in Kiel').locator('.byline').textContent(), 'by you');

  // The next entry: sails and watch carried over, the last readings offered.
  await skipperPage.click('#add-entry');
  await skipperPage.locator('#use-last').waitFor();
  assert.equal(await skipperPage.getAttribute('input[name="baro"]', 'placeholder'), 'last: 1012');
  await skipperPage.click('#more-fields summary');
  assert.equal(await skipperPage.getAttribute('[data-chip="sails:reef1"]', 'aria-pressed'), 'true');
  assert.equal(await skipperPage.inputValue('input[name="onWatch"]'), 'Jörg, Åsa');
  await skipperPage.click('#use-last');
  assert.equal(await skipperPage.inputValue('input[name="fuel"]'), '80');
  await skipperPage.fill('input[name="time"]', '2026-07-14T12:00');
  await skipperPage.fill('input[name="position"]', '54.5, 10.75');
  await skipperPage.fill('input[name="speed"]', '6');
  await skipperPage.fill('input[name="course"]', '060');
  await skipperPage.fill('input[name="baro"]', '1009');
  await skipperPage.fill('input[name="log"]', '121');
  await skipperPage.fill('textarea[name="text"]', 'Passed Kiel lighthouse');
  await skipperPage.click('#save-entry');
  await card(skipperPage, 'Passed Kiel lighthouse').waitFor();
  // Barometer trend and distance run, worked out on the device.
  assert.match(
    (await card(skipperPage, 'Passed Kiel lighthouse').textContent()) ?? '',
    /1009 hPa \(-3\).*121 nm \(\+20\.6\).*3 slight/s,
  );
  await waitSynced(skipperPage);

  await skipperPage.goto(`${server.origin}/logbook/${logbookId}/crew`);
  await skipperPage.click('#invite-write');
  await skipperPage.locator('#invite-link').waitFor();
  const link = await skipperPage.inputValue('#invite-link');
  matePage = await phone(mate);
  await matePage.goto(link);
  await matePage.click('#join');
  await matePage.waitForURL(`${server.origin}/logbook/${logbookId}`);
  await card(matePage, 'Cast off in Kiel').waitFor();
  assert.equal(await card(matePage, 'Cast off in Kiel').locator('.byline').textContent(), 'by jorg');
  await screenshot(matePage, 'logbook-authors');
});

step(
  'the mate edits the skipper’s entry: the skipper sees who; history shows the change; restore brings the words back',
  async () => {
    await card(matePage, 'Cast off in Kiel').locator('a.entry-link').click();
    await matePage.locator('form.entry-form[data-ready="yes"]').waitFor();
    await matePage.fill('textarea[name="text"]', 'Cast off in Kiel, two reefs in');
    await matePage.click('#save-entry');
    await card(matePage, 'two reefs in').waitFor();
    await waitSynced(matePage);

    await openLogbook(skipperPage);
    await card(skipperPage, 'two reefs in').waitFor();
    assert.equal(await card(skipperPage, 'two reefs in').locator('.byline').textContent(), 'by you · edited by asa');

    await card(skipperPage, 'two reefs in').locator('.history-link').click();
    await skipperPage.locator('.version[data-version="1"]').waitFor();
    const versions = skipperPage.locator('.version');
    assert.equal(await versions.count(), 2);
    assert.match(
      (await versions.nth(0).textContent()) ?? '',
      /Version 2 · current.*asa.*Changed: Notes.*Main, 1st reef.*Departure.*two reefs in/s,
    );
    assert.deepEqual(
      await versions
        .nth(0)
        .locator('.is-changed')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-field'))),
      ['text'],
    );
    assert.match((await versions.nth(1).textContent()) ?? '', /Version 1.*you.*First version.*one reef in/s);
    await screenshot(skipperPage, 'logbook-entry-history');

    await versions.nth(1).locator('.restore-version').click();
    await skipperPage.waitForURL(`${server.origin}/logbook/${logbookId}`);
    await card(skipperPage, 'one reef in').waitFor();
    await waitSynced(skipperPage);
    castOffId = await entryIdOf(skipperPage, 'one reef in');
    const history = await skipper.client.get(`/api/sync/history?logbookId=${logbookId}&entityId=${castOffId}`);
    assert.deepEqual(
      history.body.versions.map((v: any) => [v.version, v.updatedBy]),
      [
        [3, skipper.id],
        [2, mate.id],
        [1, skipper.id],
      ],
    );
    // A restore is an ordinary update: the same sealed content as version 1 would be, freshly sealed.
    assert.notEqual(history.body.versions[0].payload, history.body.versions[2].payload);
  },
);

step('the mate deletes an entry; the skipper finds it under Recently deleted and restores it', async () => {
  await openLogbook(matePage);
  await card(matePage, 'Passed Kiel lighthouse').locator('a.entry-link').click();
  await matePage.locator('form.entry-form[data-ready="yes"]').waitFor();
  await matePage.click('#delete-entry');
  await matePage.waitForURL(`${server.origin}/logbook/${logbookId}`);
  await waitSynced(matePage);
  assert.equal(await card(matePage, 'Passed Kiel lighthouse').count(), 0);

  await openLogbook(skipperPage);
  await waitSynced(skipperPage);
  await waitFor(
    async () => (await card(skipperPage, 'Passed Kiel lighthouse').count()) === 0,
    'the delete reaches the skipper',
  );
  // The list comes in one request (issue 18), not one history per deleted entry…
  const asked: string[] = [];
  const onRequest = (request: { url(): string }) => {
    const { pathname } = new URL(request.url());
    if (/^\/api\/sync\/(deleted|history)$/.test(pathname)) asked.push(pathname);
  };
  skipperPage.on('request', onRequest);
  await skipperPage.click('#open-deleted');
  const deleted = skipperPage.locator('.deleted-entry', { hasText: 'Passed Kiel lighthouse' });
  await deleted.waitFor();
  assert.match((await deleted.textContent()) ?? '', /deleted by asa/);
  await waitSynced(skipperPage);
  skipperPage.off('request', onRequest);
  assert.deepEqual(asked, ['/api/sync/deleted']);
  await screenshot(skipperPage, 'logbook-recently-deleted');
  await deleted.locator('.restore-deleted').click();
  await skipperPage.waitForURL(`${server.origin}/logbook/${logbookId}`);
  await card(skipperPage, 'Passed Kiel lighthouse').waitFor();
  await waitSynced(skipperPage);
  const [row] = server.query(
    'SELECT deleted, version, created_by, updated_by FROM entries WHERE logbook_id = ? AND deleted = 0 AND version = 3',
    logbookId,
  );
  assert.deepEqual(row, { deleted: 0, version: 3, created_by: skipper.id, updated_by: skipper.id });
  await skipperPage.click('#open-deleted');
  await skipperPage.locator('.empty').waitFor();
});

step('offline, the history of a cached entry still opens: as last loaded, or the version on the device', async () => {
  await openLogbook(skipperPage);
  await skipperPage.waitForFunction('navigator.serviceWorker.controller !== null');
  const restoredId = castOffId;
  // Loaded once online, so it is kept on the device.
  await skipperPage.goto(`${server.origin}/logbook/${logbookId}/entry/${restoredId}/history`);
  await skipperPage.locator('.version[data-version="3"]').waitFor();
  // An entry written after that, whose history was never loaded here.
  await skipperPage.goto(`${server.origin}/logbook/${logbookId}/entry/new`);
  await skipperPage.fill('input[name="time"]', '2026-07-14T16:00');
  await skipperPage.fill('textarea[name="text"]', 'Anchored in Marstal');
  await skipperPage.click('#save-entry');
  await card(skipperPage, 'Anchored in Marstal').waitFor();
  await waitSynced(skipperPage);
  const anchoredId = await entryIdOf(skipperPage, 'Anchored in Marstal');

  await skipperPage.context().setOffline(true);
  try {
    await skipperPage.goto(`${server.origin}/logbook/${logbookId}/entry/${restoredId}/history`);
    await skipperPage.locator('.notice', { hasText: 'Offline: the history as last loaded' }).waitFor();
    assert.deepEqual(
      await skipperPage.locator('.version').evaluateAll((els) => els.map((e) => e.getAttribute('data-version'))),
      ['3', '2', '1'],
    );
    assert.match((await skipperPage.locator('.version').nth(1).textContent()) ?? '', /two reefs in/);
    await screenshot(skipperPage, 'logbook-history-offline');

    await skipperPage.goto(`${server.origin}/logbook/${logbookId}/entry/${anchoredId}/history`);
    await skipperPage.locator('.notice', { hasText: 'only the version on this device' }).waitFor();
    assert.match((await skipperPage.locator('.version').textContent()) ?? '', /Anchored in Marstal/);
  } finally {
    await skipperPage.context().setOffline(false);
  }
});

step('the skipper makes the mate a reader: the mate can no longer write', async () => {
  await skipperPage.goto(`${server.origin}/logbook/${logbookId}/crew`);
  await skipperPage.locator('[data-role-of="asa"]').waitFor();
  await skipperPage.selectOption('[data-role-of="asa"]', 'READ');
  await waitFor(
    async () =>
      (await skipper.client.get(`/api/logbooks/${logbookId}/members`)).body.members.find(
        (m: any) => m.userId === mate.id,
      ).role === 'READ',
    'the role on the server',
  );
  await screenshot(skipperPage, 'logbook-crew-roles');

  await openLogbook(matePage);
  await matePage.locator('.notice', { hasText: /can read this logbook/ }).waitFor();
  assert.equal(await matePage.locator('#add-entry').count(), 0);
  assert.equal(await matePage.locator('.entry a.entry-link[href]').count(), 0, 'entries no longer open the editor');
  // The history still opens for a reader, without a way to restore.
  await card(matePage, 'one reef in').locator('.history-link').click();
  await matePage.locator('.version[data-version="1"]').waitFor();
  assert.equal(await matePage.locator('.restore-version').count(), 0);
});

step('a revoked invite is listed, then revoked, and its link no longer lets anyone aboard', async () => {
  await skipperPage.goto(`${server.origin}/logbook/${logbookId}/crew`);
  await skipperPage.click('#invite-read');
  await skipperPage.locator('#invite-link').waitFor();
  const link = await skipperPage.inputValue('#invite-link');
  const open = skipperPage.locator('#open-invites .open-invite');
  await open.first().waitFor();
  assert.equal(await open.count(), 1);
  assert.match((await open.textContent()) ?? '', /Reader/);
  assert.ok(
    !(await skipperPage.locator('#open-invites').innerHTML()).includes(new URL(link).pathname.split('/')[2]!),
    'no token in the list',
  );
  await open.locator('.revoke-invite').click();
  await skipperPage.locator('#open-invites', { hasText: 'No open invites.' }).waitFor();

  const newcomer = createUserWithSession(server, 'newcomer');
  const page = await phone(newcomer);
  await page.goto(link);
  await page.getByText('This invite is used up or has expired').waitFor();
  assert.equal(await page.locator('#join').count(), 0);
  assert.equal((await newcomer.client.get('/api/logbooks')).body.logbooks.length, 0);
});

async function downloadFrom(page: Page, button: string): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  return { name: download.suggestedFilename(), text: readFileSync((await download.path())!, 'utf8') };
}

step('the CSV download holds every field of every entry, read back field by field', async () => {
  await skipperPage.goto(`${server.origin}/logbook/${logbookId}/export`);
  // The file is made in the export worker, off the page's main thread.
  const worker = new Promise<string>((resolve) => skipperPage.once('worker', (w) => resolve(w.url())));
  const { name, text } = await downloadFrom(skipperPage, '#export-csv');
  assert.match(await worker, /\/assets\/export-worker\.[A-Z0-9]+\.js$/);
  assert.match(name, /^Mira-\d{4}-\d{2}-\d{2}\.csv$/);
  assert.equal(text.charCodeAt(0), 0xfeff, 'UTF-8 BOM');
  const [header, ...rows] = parseCsv(text.slice(1));
  assert.equal(rows.length, 3);
  const records = rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]])));
  const castOff = records.find((r) => r.Notes === 'Cast off in Kiel, one reef in')!;
  assert.deepEqual(castOff, {
    Entry: castOffId,
    Version: '3',
    Time: '2026-07-14T08:00',
    Position: "54°22.1'N 010°09.5'E",
    Course: '045',
    'Speed (kn)': '5.5',
    Wind: 'SW 4',
    'Barometer (hPa)': '1012',
    'Log (nm)': '100.4',
    'Engine hours': '1520.5',
    Sails: 'main, reef1',
    'Sails, in words': 'Genua halb',
    'Sea state (Douglas)': '3',
    Visibility: 'good',
    'Cloud (oktas)': '6',
    'On watch': 'Jörg, Åsa',
    'At the helm': 'Åsa',
    'Fuel (l)': '80',
    'Water (l)': '120',
    Events: 'departure',
    'Event note': 'Schleuse "Holtenau"',
    Notes: 'Cast off in Kiel, one reef in',
    'Barometer trend (hPa)': '',
    'Distance run (nm)': '',
    'Written by': 'jorg',
    'Last edited by': 'jorg',
    'Last change': castOff['Last change'],
  });
  assert.ok(Number.isFinite(Date.parse(castOff['Last change']!)));
  const lighthouse = records.find((r) => r.Notes === 'Passed Kiel lighthouse')!;
  assert.deepEqual(
    [
      lighthouse['Barometer trend (hPa)'],
      lighthouse['Distance run (nm)'],
      lighthouse.Sails,
      lighthouse['Fuel (l)'],
      lighthouse.Position,
    ],
    // Typed as decimal degrees, exported in the one nautical format.
    ['-3', '20.6', 'main, reef1', '80', "54°30.0'N 010°45.0'E"],
  );
  mkdirSync(path.join(repoRoot, 'test-artifacts'), { recursive: true });
  writeFileSync(path.join(repoRoot, 'test-artifacts/logbook-export.csv'), text);
});

step('the GPX download is a GPX 1.1 track of the positions with time, speed and course', async () => {
  await skipperPage.goto(`${server.origin}/logbook/${logbookId}/export`);
  const { name, text } = await downloadFrom(skipperPage, '#export-gpx');
  assert.match(name, /^Mira-\d{4}-\d{2}-\d{2}\.gpx$/);
  // Read by the browser's own XML parser, which rejects a file that is not well-formed.
  const parsed = await skipperPage.evaluate((xml) => {
    const doc = new DOMParser().parseFromString(xml, 'application/xml');
    if (doc.querySelector('parsererror')) return { error: doc.querySelector('parsererror')!.textContent };
    const GPX = 'http://www.topografix.com/GPX/1/1';
    const TPX = 'http://www.garmin.com/xmlschemas/TrackPointExtension/v2';
    const root = doc.documentElement;
    return {
      version: root.getAttribute('version'),
      ns: root.namespaceURI,
      track: doc.getElementsByTagNameNS(GPX, 'trk')[0]?.getElementsByTagNameNS(GPX, 'name')[0]?.textContent,
      points: Array.from(doc.getElementsByTagNameNS(GPX, 'trkpt')).map((p) => ({
        lat: Number(p.getAttribute('lat')),
        lon: Number(p.getAttribute('lon')),
        time: p.getElementsByTagNameNS(GPX, 'time')[0]?.textContent,
        speed: Number(p.getElementsByTagNameNS(TPX, 'speed')[0]?.textContent),
        course: Number(p.getElementsByTagNameNS(TPX, 'course')[0]?.textContent),
      })),
    };
  }, text);
  assert.deepEqual(parsed, {
    version: '1.1',
    ns: 'http://www.topografix.com/GPX/1/1',
    track: 'Mira',
    points: [
      // Europe/Berlin in July is UTC+2.
      { lat: 54.368333, lon: 10.158333, time: '2026-07-14T06:00:00.000Z', speed: 2.829, course: 45 },
      { lat: 54.5, lon: 10.75, time: '2026-07-14T10:00:00.000Z', speed: 3.087, course: 60 },
    ],
  });
});

step('the printable logbook: boat, crew, distance run per day, A4 print stylesheet; screenshot and PDF', async () => {
  await skipperPage.goto(`${server.origin}/logbook/${logbookId}/export`);
  await skipperPage.click('#export-print');
  await skipperPage.locator('.print-page[data-ready="yes"]').waitFor();
  assert.equal(await skipperPage.locator('#print-boat').textContent(), 'Mira');
  await skipperPage.locator('.print-crew', { hasText: 'asa (Reader)' }).waitFor();
  assert.match(
    (await skipperPage.locator('.print-crew').textContent()) ?? '',
    /jorg \(Skipper\)(, | and )asa \(Reader\)/,
    'a list as English writes it',
  );
  assert.deepEqual(
    await skipperPage
      .locator('#print-per-day tbody tr')
      .evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll('td')).map((td) => td.textContent))),
    [
      ['Tue, 14 Jul 2026', '20.6'],
      ['Total', '20.6'],
    ],
  );
  assert.equal(await skipperPage.locator('#print-log tbody tr').count(), 3);
  // A4 at 96 dpi, as the print preview lays it out.
  await skipperPage.setViewportSize({ width: 794, height: 1123 });
  await skipperPage.emulateMedia({ media: 'print' });
  assert.equal(await skipperPage.locator('.print-bar').isVisible(), false, 'buttons are not printed');
  await screenshot(skipperPage, 'logbook-print');
  const pdf = await skipperPage.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  writeFileSync(path.join(screenshotDir, 'logbook-print.pdf'), pdf);
  await skipperPage.emulateMedia({ media: 'screen' });
});

step(
  'a history larger than one page: the PWA shows the newest page and loads the older versions on request (issue 18)',
  async () => {
    // 100 versions of 64 KiB (sealed with no key of this logbook: they show as locked).
    const payload = () => Buffer.alloc(48 * 1024, Math.floor(Math.random() * 256)).toString('base64url');
    const first = await skipper.client.post('/api/sync/push', {
      items: [{ logbookId, entityId: 'heavy', action: 'create', payload: payload() }],
    });
    assert.equal(first.body.results[0].status, 'success', first.text);
    for (const from of [1, 50]) {
      const res = await skipper.client.post('/api/sync/push', {
        items: Array.from({ length: from === 1 ? 49 : 50 }, (_, i) => ({
          logbookId,
          entityId: 'heavy',
          action: 'update',
          payload: payload(),
          baseVersion: from + i,
        })),
      });
      assert.equal(res.status, 200, res.text);
    }
    await skipperPage.setViewportSize({ width: 390, height: 844 });
    await skipperPage.goto(`${server.origin}/logbook/${logbookId}/entry/heavy/history`);
    await skipperPage.locator('.version[data-version="100"]').waitFor();
    const perPage = HISTORY_PAGE_BYTES / 65536;
    assert.equal(await skipperPage.locator('.version').count(), perPage, `a page holds ${perPage} versions of 64 KiB`);
    for (let shown = perPage; shown < 100; shown += perPage) {
      await skipperPage.click('.older-versions');
      await skipperPage.locator(`.version[data-version="${Math.max(1, 100 - shown - perPage + 1)}"]`).waitFor();
    }
    assert.equal(await skipperPage.locator('.version').count(), 100);
    assert.equal(await skipperPage.locator('.older-versions').count(), 0, 'no older page left');
  },
);
