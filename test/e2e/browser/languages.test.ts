// Every language the app offers, in Chromium against one seeded server: a phone set to the
// language opens crewbell (no choice made: the device's language is the default), walks the
// main screens and finds no English sentence left; the logbook screen is photographed per
// language (test-artifacts/screenshots/i18n-logbook-<lang>.png). A new language is walked
// as soon as its catalogue is registered (web/src/i18n.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startServer, type TestServer } from '../../helpers/server.ts';
import { createUserWithSession, type TestUser } from '../../helpers/accounts.ts';
import { launchBrowser, newPhone, screenshot, useSession } from '../../helpers/browser.ts';
import { passageEntries, sealedLogbook, type SealedLogbook } from '../../helpers/voyage.ts';
import { addCrew } from '../../helpers/crew.ts';
import { APP_LANGS } from '../../../web/src/i18n.ts';
import en from '../../../web/src/i18n/en.ts';

let server: TestServer;
let browser: Browser;
let skipper: TestUser;
let mira: SealedLogbook;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  skipper = createUserWithSession(server, 'skipperjoerg');
  const mate = createUserWithSession(server, 'mateanna');
  mira = await sealedLogbook(skipper, 'Mira', [
    ...passageEntries({
      start: new Date(Date.UTC(2026, 6, 4, 8)),
      hours: 2,
      from: { lat: 54.33, lon: 10.15 },
      to: { lat: 54.5, lon: 10.3 },
      logStart: 1000,
      everyMinutes: 60,
    }),
  ]);
  await addCrew(skipper, mira.id, mate, 'WRITE');
});

after(async () => {
  await browser?.close();
  await server?.stop();
  server?.cleanup();
});

/** Every wording of a catalogue, plurals' forms included. */
const wordings = (table: Record<string, string | Record<string, string>>) =>
  Object.values(table).flatMap((text) => (typeof text === 'string' ? [text] : Object.values(text)));

/**
 * The English that must not show in `table`'s language: each English text cut at its
 * placeholders, the pieces of 16 characters or more, minus those the language says too.
 */
function englishPieces(table: Record<string, string | Record<string, string>>): string[] {
  const theirs = wordings(table).join('\n');
  const pieces = wordings(en)
    .flatMap((text) => text.split(/\{\w+\}/))
    .map((piece) => piece.trim())
    .filter((piece) => piece.length >= 16 && !theirs.includes(piece));
  return [...new Set(pieces)];
}

/** The main screens, and what shows each has drawn. */
const screens = (id: string): [string, string][] => [
  ['/', `[data-logbook="${id}"]`],
  [`/logbook/${id}`, '.timeline > li'],
  [`/logbook/${id}/entry/new`, 'textarea[name="text"]'],
  [`/logbook/${id}/crew`, '#invite-write'],
  [`/logbook/${id}/watches`, '#watch-planner'],
  [`/logbook/${id}/voyage`, '#passages'],
  [`/logbook/${id}/export`, '#export-csv'],
  ['/settings', '#lang-en'],
];

/** Fails when the page shows (or labels, or holds as a placeholder) one of the English pieces. */
async function noEnglish(page: Page, lang: string, forbidden: string[], path: string): Promise<void> {
  const shown = await page.evaluate(
    () =>
      `${document.body.innerText}\n${Array.from(document.querySelectorAll('[placeholder],[aria-label],[title]'))
        .map(
          (e) =>
            `${e.getAttribute('placeholder') ?? ''} ${e.getAttribute('aria-label') ?? ''} ${e.getAttribute('title') ?? ''}`,
        )
        .join('\n')}`,
  );
  const english = forbidden.filter((piece) => shown.includes(piece));
  assert.deepEqual(english, [], `${lang} ${path} shows English`);
}

async function walk(page: Page, lang: string, table: Record<string, string | Record<string, string>>): Promise<void> {
  const forbidden = lang === 'en' ? [] : englishPieces(table);
  for (const [path, ready] of screens(mira.id)) {
    // Moved within the app, as its links do (no reload: the walk stays quick).
    await page.evaluate((to) => {
      history.pushState(null, '', to);
      dispatchEvent(new PopStateEvent('popstate'));
    }, path);
    await page.locator(ready).first().waitFor();
    if (path === `/logbook/${mira.id}`) await screenshot(page, `i18n-logbook-${lang}`);
    await noEnglish(page, lang, forbidden, path);
  }
}

for (const lang of APP_LANGS) {
  test(`${lang}: the device's language is the default, and the main screens show no English`, async () => {
    const table = (await import(`../../../web/src/i18n/${lang}.ts`)).default;
    const context = await newPhone(browser, { locale: lang === 'en' ? 'en-GB' : lang });
    try {
      const page = await context.newPage();
      // Signed out: the welcome screen, and the language buttons under the tagline.
      await page.goto(server.origin);
      await page.locator('#sign-in').waitFor();
      assert.equal(await page.locator('.langs button.on').getAttribute('lang'), lang);
      await noEnglish(page, lang, lang === 'en' ? [] : englishPieces(table), '/ (signed out)');
      await useSession(context, server, skipper);
      // The key reaches this device as from the skipper's other phone (the key link).
      await page.goto(`${server.origin}/logbook/${mira.id}#k=${mira.keyText}`);
      await page.locator('.timeline > li').first().waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
      await walk(page, lang, table);
      assert.equal(await page.getAttribute(`#lang-${lang}`, 'aria-checked'), 'true', 'the picker shows the choice');
    } finally {
      await context.close();
    }
  });
}
