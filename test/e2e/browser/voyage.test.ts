// A voyage at a glance, in Chromium against a real server: the passages of a logbook with
// their figures, a passage's track drawn on the device (and over chart tiles only once the
// user turns them on: until then no tile server hears of the boat), the barograph, a crew
// member's sea miles across two logbooks with a CSV and a printable record, the print view's
// passage summary, and a GPX track imported as a new passage. Tiles come from a local tile
// server (test/helpers/voyage.ts): OpenStreetMap itself is not reachable from here.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startServer, tempDir, type TestServer } from '../../helpers/server.ts';
import { createUserWithSession, type TestUser } from '../../helpers/accounts.ts';
import { launchBrowser, newPhone, screenshot, useSession } from '../../helpers/browser.ts';
import { storySteps } from '../../helpers/story.ts';
import {
  passageEntries,
  sealedLogbook,
  startTileServer,
  wall,
  type SealedLogbook,
  type TileServer,
} from '../../helpers/voyage.ts';
import { addCrew } from '../../helpers/crew.ts';

const step = storySteps();
let server: TestServer;
let tiles: TileServer;
let browser: Browser;
let skipper: TestUser;
let mate: TestUser;
let mira: SealedLogbook;
let dinghy: SealedLogbook;
let page: Page;
const contexts: BrowserContext[] = [];

const KIEL = { lat: 54.33, lon: 10.15 };
const MARSTAL = { lat: 54.85, lon: 10.52 };
const SVENDBORG = { lat: 55.06, lon: 10.61 };

before(async () => {
  tiles = await startTileServer();
  server = await startServer({
    flags: [
      '--map-tiles',
      `${tiles.url}/osm/{z}/{x}/{y}.png`,
      '--map-seamarks',
      `${tiles.url}/seamark/{z}/{x}/{y}.png`,
    ],
  });
  browser = await launchBrowser();
  skipper = createUserWithSession(server, 'skipperjoerg');
  mate = createUserWithSession(server, 'mateanna');
  mira = await sealedLogbook(skipper, 'Mira – Baltic summer', [
    ...passageEntries({ start: new Date(Date.UTC(2026, 6, 4, 8)), hours: 7, from: KIEL, to: MARSTAL, logStart: 1000 }),
    { time: '2026-07-04T20:00', text: 'In harbour: dinner ashore' },
    ...passageEntries({
      start: new Date(Date.UTC(2026, 6, 5, 9)),
      hours: 3,
      from: MARSTAL,
      to: SVENDBORG,
      logStart: 1035,
    }),
    ...passageEntries({
      start: new Date(Date.UTC(2026, 6, 6, 18)),
      hours: 14,
      from: SVENDBORG,
      to: KIEL,
      logStart: 1050,
      knots: 4.5,
    }),
  ]);
  await addCrew(skipper, mira.id, mate, 'WRITE');
  dinghy = await sealedLogbook(mate, 'Dinghy', [
    ...passageEntries({
      start: new Date(Date.UTC(2025, 7, 10, 10)),
      hours: 2,
      from: KIEL,
      to: { lat: 54.4, lon: 10.2 },
      logStart: 0,
    }),
  ]);
});

after(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await server?.stop();
  await tiles?.close();
});

async function phoneOf(user: TestUser): Promise<Page> {
  const context = await newPhone(browser);
  contexts.push(context);
  await useSession(context, server, user);
  return context.newPage();
}

/** Opens a logbook's key link on this device, as the user would from another device, until all its entries are here. */
async function openKeyLink(p: Page, logbook: SealedLogbook, entries: number): Promise<void> {
  await p.goto(`${server.origin}/logbook/${logbook.id}#k=${logbook.keyText}`);
  await p
    .locator('.timeline > li')
    .nth(entries - 1)
    .waitFor();
}

step('the passages of a logbook, newest first, with distance by log and by positions', async () => {
  page = await phoneOf(skipper);
  await openKeyLink(page, mira, 28);
  await page.click('#open-voyage');
  await page.waitForURL(/\/voyage$/);
  const cards = page.locator('#passages > li');
  await cards.nth(2).waitFor();
  assert.equal(await cards.count(), 3, 'three passages; the harbour entry belongs to none');
  const newest = await cards.first().innerText();
  assert.match(newest, /Passage 3/);
  assert.match(newest, /63\.0 nm/, '14 h at 4.5 kn by the log');
  assert.match(newest, /Night\n[1-9]\d*\.\d h/i, 'an overnight passage has night hours');
  const first = await cards.last().innerText();
  assert.match(first, /Passage 1/);
  assert.match(first, /35\.0 nm/, '7 h at 5 kn by the log');
  assert.match(first, /SW 6 Bft/, 'the strongest wind');
  assert.match(first, /1006\.2 hPa/, 'the lowest pressure');
  await page.locator('#barograph[data-drawn="yes"]').waitFor();
  await screenshot(page, 'voyage-01-passages');
});

step('a passage opens with its track drawn on the device: no tile server is asked', async () => {
  await page.click('#passages > li:last-child .passage-head');
  await page.waitForURL(/\/passage\/1$/);
  await page.locator('#track-map path.track').waitFor();
  const d = await page.getAttribute('#track-map path.track', 'd');
  assert.equal(d!.split('L').length, 8, 'eight positions, one per hour');
  assert.match(
    await page.locator('#track-map').innerHTML(),
    /54°\d\d'N/,
    'a latitude grid line in degrees and minutes',
  );
  assert.match((await page.locator('#track-map .scale').textContent()) ?? '', /\d+ nm/);
  assert.equal(await page.isChecked('#map-tiles'), false, 'tiles are off until the user turns them on');
  await screenshot(page, 'voyage-02-track');
  assert.deepEqual(tiles.requests, [], 'nothing told the tile server where the boat was');
});

step('with tiles turned on, the track lies over chart tiles from the server the admin allowed', async () => {
  await page.click('#map-tiles');
  await page.locator('#tile-map[data-drawn="yes"] .leaflet-overlay-pane path').first().waitFor();
  await page.locator('#tile-map img.leaflet-tile-loaded').first().waitFor();
  assert.ok(
    tiles.requests.some((r) => r.startsWith('/osm/')),
    'base tiles were loaded',
  );
  assert.ok(
    tiles.requests.some((r) => r.startsWith('/seamark/')),
    'seamarks were loaded',
  );
  await page.locator('#barograph[data-drawn="yes"]').scrollIntoViewIfNeeded();
  await page.evaluate('scrollTo(0, 0)');
  await screenshot(page, 'voyage-03-track-tiles');
  // The choice is this device's: it stays on for the next passage.
  await page.goto(`${server.origin}/logbook/${mira.id}/passage/2`);
  await page.locator('#tile-map[data-drawn="yes"]').waitFor();
});

step('the barograph draws the passage pressure and reads its tendency', async () => {
  await page.goto(`${server.origin}/logbook/${mira.id}/passage/3`);
  const chart = page.locator('#barograph[data-drawn="yes"]');
  await chart.waitFor();
  await chart.scrollIntoViewIfNeeded();
  const caption = await page.locator('.barograph figcaption').innerText();
  assert.match(caption, /1012(\.0)? hPa/, 'the last reading');
  assert.match(caption, /[+-]?\d+(\.\d)? hPa in 3 h/);
  await screenshot(page, 'voyage-04-barograph');
});

step("a crew member's sea miles across two logbooks, per year, with a CSV", async () => {
  const matePage = await phoneOf(mate);
  await openKeyLink(matePage, mira, 28);
  await openKeyLink(matePage, dinghy, 3);
  await matePage.goto(`${server.origin}/`);
  await matePage.click('#open-sea-miles');
  await matePage.locator('.sea-miles[data-ready="yes"]').waitFor();
  const years = await matePage.locator('#sea-miles-years tbody tr').allInnerTexts();
  assert.deepEqual(
    years.map((y) => y.split('\t').map((c) => c.trim())),
    [
      ['2026', '3', '113.0', String(years[0]!.split('\t')[3]!.trim())],
      ['2025', '1', '10.0', '0.0'],
    ],
  );
  const rows = await matePage.locator('#sea-miles-passages tbody tr').allInnerTexts();
  assert.match(rows[0]!, /Mira – Baltic summer · 3.*63\.0.*Crew/s);
  assert.match(rows.at(-2)!, /Dinghy · 1.*10\.0.*Skipper/s);
  await screenshot(matePage, 'voyage-05-sea-miles');
  const [download] = await Promise.all([matePage.waitForEvent('download'), matePage.click('#sea-miles-csv')]);
  const file = path.join(tempDir('crewbell-csv-'), 'miles.csv');
  await download.saveAs(file);
  const csv = readFileSync(file, 'utf8').trimEnd().split('\r\n');
  assert.equal(csv[0], 'Logbook,Role,Passage,From,To,Miles (nm),Night hours,Hours under way');
  assert.equal(csv.length, 5, 'a header and four passages');
  assert.match(csv[1]!, /^Dinghy,Skipper,1,2025-08-10 10:00,2025-08-10 12:00,10\.0,0\.0,2\.0$/);
  await matePage.emulateMedia({ media: 'print' });
  assert.ok(await matePage.locator('.signature').isVisible(), 'the printed record has room for the signature');
  await screenshot(matePage, 'voyage-06-sea-miles-print');
});

step('the print view sums up each passage above the entries, on a page with margins', async () => {
  await page.goto(`${server.origin}/logbook/${mira.id}/print`);
  await page.locator('.print-page[data-ready="yes"]').waitFor();
  const rows = await page.locator('#print-passages tbody tr').allInnerTexts();
  assert.equal(rows.length, 3);
  assert.match(rows[0]!, /^1\t.*\t35\.0\t/);
  const padding = await page.$eval('.print-page', (el) => getComputedStyle(el).paddingLeft);
  assert.notEqual(padding, '0px', 'the sheet has a margin on screen');
  assert.equal(
    await page.evaluate('document.documentElement.scrollWidth <= innerWidth'),
    true,
    'the passage table scrolls inside the sheet, the page does not scroll sideways',
  );
  // As it prints: an A4 page (794 CSS px wide at 96 dpi) in print media.
  await page.setViewportSize({ width: 794, height: 1123 });
  await page.emulateMedia({ media: 'print' });
  await screenshot(page, 'logbook-print-passages');
  await page.emulateMedia({ media: 'screen' });
  await page.setViewportSize({ width: 390, height: 844 });
});

step('a GPX track from a chartplotter becomes a new passage, after a preview', async () => {
  const points = Array.from({ length: 181 }, (_, i) => {
    const at = new Date(Date.UTC(2026, 6, 8, 7) + i * 60_000);
    return `<trkpt lat="${(54.5 + i * 0.001).toFixed(4)}" lon="${(10.3 + i * 0.0012).toFixed(4)}"><time>${at.toISOString()}</time></trkpt>`;
  });
  const dir = tempDir('crewbell-gpx-');
  const good = path.join(dir, 'plotter.gpx');
  writeFileSync(
    good,
    `<?xml version="1.0"?><gpx version="1.1" creator="plotter"><trk><name>Kiel Fjord</name><trkseg>${points.join('\n')}</trkseg></trk></gpx>`,
  );
  const bad = path.join(dir, 'route.gpx');
  writeFileSync(bad, '<gpx><rte><rtept lat="54.5" lon="10.3"/></rte></gpx>');

  await page.goto(`${server.origin}/logbook/${mira.id}`);
  await page.click('#open-gpx-import');
  await page.setInputFiles('#gpx-file', bad);
  assert.match(await page.locator('#gpx-error').innerText(), /points without a time/);
  await page.setInputFiles('#gpx-file', good);
  const preview = await page.locator('#gpx-preview').innerText();
  assert.match(preview, /181 track points → 13 entries/);
  await page.locator('#gpx-track path.track').waitFor();
  await screenshot(page, 'voyage-07-gpx-preview');
  await page.click('#gpx-save');
  await page.waitForURL(/\/voyage$/);
  await page.locator('#passages > li').nth(3).waitFor();
  assert.match(await page.locator('#passages > li').first().innerText(), /Passage 4/);
  assert.equal(wall(new Date(Date.UTC(2026, 6, 8, 7))), '2026-07-08T07:00');
});
