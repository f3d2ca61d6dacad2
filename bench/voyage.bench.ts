// A voyage of 10,000 entries in headless Chromium, against a real server: the entries are
// sealed with the logbook key and synced as crew would (100 passages of 100 entries, one of
// them 2,000 positions long), then the PWA opens them. Prints, per run, the time to open
// (decrypt) the entries, to split them into passages with their figures (night hours
// included), and to draw the longest passage's track. Targets: passages and figures ≤ 500 ms,
// the map drawn ≤ 1 s. Not a test.
import { loadavg } from 'node:os';
import type { Page } from 'playwright-core';
import { startServer } from '../test/helpers/server.ts';
import { createUserWithSession } from '../test/helpers/accounts.ts';
import { launchBrowser, newPhone, useSession } from '../test/helpers/browser.ts';
import { passageEntries, sealedLogbook } from '../test/helpers/voyage.ts';
import type { EntryData } from '../web/src/logbook/fields.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** Passages of the voyage (100 make 10,000 entries); fewer for a quick look. */
const PASSAGES = Number(process.env.BENCH_PASSAGES ?? 100);

function voyage(): Array<Partial<EntryData>> {
  const entries: Array<Partial<EntryData>> = [];
  let at = Date.UTC(2026, 4, 1, 6);
  let log = 0;
  // 99 passages of 80 entries each, every 30 minutes, and a long one of 2,080 (10,000 in all).
  for (let p = 0; p < PASSAGES; p++) {
    const count = p === Math.floor(PASSAGES / 2) ? 2_080 : 80;
    const lat = 54 + (p % 10) / 10;
    entries.push(
      ...passageEntries({
        start: new Date(at),
        hours: (count - 1) / 2,
        everyMinutes: 30,
        from: { lat, lon: 10 },
        to: { lat: lat + 0.3, lon: 10.8 },
        logStart: log,
      }),
    );
    at += count * 30 * 60_000 + 12 * 3_600_000;
    log += count * 2.5;
  }
  return entries;
}

async function measure(page: Page, name: string): Promise<number> {
  await page
    .waitForFunction((n) => performance.getEntriesByName(n, 'measure').length > 0, name, { timeout: 120_000 })
    .catch(async (error) => {
      const seen = await page.evaluate(() => performance.getEntriesByType('measure').map((e) => e.name));
      throw new Error(`no ${name} on ${page.url()} (measures: ${seen.join(', ')})`, { cause: error });
    });
  return page.evaluate((n) => performance.getEntriesByName(n, 'measure').at(-1)!.duration, name);
}

const server = await startServer();
const browser = await launchBrowser();
try {
  const skipper = createUserWithSession(server, 'benchskipper');
  const entries = voyage();
  const logbook = await sealedLogbook(skipper, 'Bench voyage', entries);
  console.log(`voyage bench: ${entries.length} entries, ${RUNS} runs, load ${loadavg()[0]!.toFixed(1)}`);
  const context = await newPhone(browser);
  await useSession(context, server, skipper);
  const page = await context.newPage();
  // The first visit brings the key and syncs all 10,000 entries onto the device.
  await page.goto(`${server.origin}/logbook/${logbook.id}#k=${logbook.keyText}`);
  await page.locator('.timeline > li').first().waitFor({ timeout: 120_000 });
  // All of them on the device: the logbook's own list shows every entry.
  await page
    .locator('.timeline > li')
    .nth(entries.length - 1)
    .waitFor({ timeout: 300_000 });
  const rows: string[] = [];
  for (let run = 1; run <= RUNS; run++) {
    await page.goto(`${server.origin}/logbook/${logbook.id}/voyage`, { timeout: 120_000 });
    // Every passage on the screen first: the figures are then the ones made from all entries.
    await page
      .locator('#passages > li')
      .nth(PASSAGES - 1)
      .waitFor({ timeout: 120_000 });
    const open = await measure(page, 'crewbell:open-entries');
    const passages = await measure(page, 'crewbell:passages');
    const cards = await page.locator('#passages > li').count();
    await page.goto(`${server.origin}/logbook/${logbook.id}/passage/${Math.floor(PASSAGES / 2) + 1}`, {
      timeout: 120_000,
    });
    const map = await measure(page, 'crewbell:track-map');
    const points = (await page.getAttribute('#track-map path.track', 'd'))!.split('L').length;
    rows.push(
      `run ${run}: open ${open.toFixed(0)} ms · ${cards} passages and figures ${passages.toFixed(0)} ms (target ≤ 500) · ` +
        `map of ${points} positions ${map.toFixed(0)} ms (target ≤ 1,000)`,
    );
    console.log(rows.at(-1));
  }
  console.log(`load after: ${loadavg()[0]!.toFixed(1)}`);
} finally {
  await browser.close();
  await server.stop();
}
