// Headless Chromium (Debian's, at /usr/bin/chromium) driven by playwright-core, set up as
// /work/shared/TESTING.md found to work here: phone-sized contexts, a CDP virtual
// authenticator for passkeys, screenshots into test-artifacts/screenshots.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright-core';
import { repoRoot, type TestServer } from './server.ts';
import type { TestUser } from './accounts.ts';
import { layoutGuardScript } from './layout-guard.ts';

export const CHROMIUM = '/usr/bin/chromium';
/**
 * Always false: browser tests never skip. `make browser` installs Chromium, and
 * launchBrowser() fails saying so when it is missing. Kept for tests that still pass
 * `{ skip: noBrowser }`.
 */
export const noBrowser = false as const;

export function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run \`make browser\` first`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 30_000,
  });
}

/** A phone-sized browser context (iPhone 12-ish viewport), in English unless told. */
export async function newPhone(
  browser: Browser,
  options: { locale?: string; userAgent?: string } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    hasTouch: true,
    locale: options.locale ?? 'en-GB',
    ...(options.userAgent ? { userAgent: options.userAgent } : {}),
    timezoneId: 'Europe/Berlin',
  });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  // The page's own errors end up in the test output, so a failure explains itself.
  context.on('page', (page) => {
    page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') console.error(`[console] ${message.text()}`);
    });
  });
  return context;
}

/** Signs the context in as a test user with a real session row (for stories that are not sign-in). */
export async function useSession(context: BrowserContext, server: TestServer, user: TestUser): Promise<void> {
  await context.addCookies([
    {
      name: 'crewbell_session',
      value: user.client.cookies.get('crewbell_session')!,
      url: server.origin,
      httpOnly: true,
      sameSite: 'Lax',
    },
  ]);
}

/** A platform authenticator with user verification, holding discoverable passkeys. */
export async function addVirtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });
  return { cdp, authenticatorId };
}

export const screenshotDir = path.join(repoRoot, 'test-artifacts/screenshots');

/**
 * A screenshot of the screen as shown, then the layout guard (helpers/layout-guard.ts) on
 * it at 360 and 390 px: a screen worth a picture is a screen the guard checks.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  // Let fonts and transitions settle; no timing is asserted.
  await page.evaluate('document.fonts.ready.then(() => true)');
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
  const viewport = page.viewportSize();
  // A4 print previews and desktop-sized pages are not a phone's screen.
  if ((viewport && viewport.width > 600) || (await page.evaluate<boolean>("matchMedia('print').matches"))) return;
  const flaws: string[] = [];
  for (const width of [360, 390]) {
    await page.setViewportSize({ width, height: viewport?.height ?? 844 });
    for (const flaw of await page.evaluate<string[]>(layoutGuardScript)) flaws.push(`${width} px: ${flaw}`);
  }
  if (viewport) await page.setViewportSize(viewport);
  assert.deepEqual(flaws, [], `${name}: the layout guard found\n  ${flaws.join('\n  ')}`);
}

/** The sync chip says everything is on the server. */
export async function waitSynced(page: Page): Promise<void> {
  await page.locator('[data-sync="synced"][data-pending="0"]').waitFor();
}

/** Makes a logbook through the PWA's own form, from a screen with the "New logbook" button; its id. */
export async function createLogbookInApp(page: Page, title: string): Promise<string> {
  await page.click('#new-logbook');
  await page.fill('input[name="title"]', title);
  await page.click('#create-logbook');
  await page.waitForURL(/\/logbook\/[0-9a-f-]{36}$/);
  return new URL(page.url()).pathname.split('/')[2]!;
}
