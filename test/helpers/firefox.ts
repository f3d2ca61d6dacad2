// Debian's firefox-esr driven over WebDriver BiDi by puppeteer-core, with passkeys: the
// three things found to be needed are Firefox started with MOZ_REMOTE_ALLOW_SYSTEM_ACCESS=1
// and the soft-token prefs, a virtual authenticator added from the chrome scope, and focus.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { fillScript, waitClickable, PHONE, screenshotPath, type Engine, type Tab } from './engines.ts';

export const FIREFOX = '/usr/bin/firefox-esr';

class FirefoxTab implements Tab {
  readonly page: Page;
  private readonly chrome: (expression: string) => Promise<unknown>;
  constructor(page: Page, chrome: (expression: string) => Promise<unknown>) {
    this.page = page;
    this.chrome = chrome;
  }
  async goto(url: string) {
    await this.page.goto(url);
  }
  async url() {
    return this.page.url();
  }
  evaluate<T>(expression: string): Promise<T> {
    return this.page.evaluate(expression) as Promise<T>;
  }
  async click(selector: string) {
    await waitClickable(this, selector);
    // WebAuthn in Firefox refuses at once (NotAllowedError) unless the page has the focus.
    await this.page.bringToFront();
    await this.chrome('gBrowser.selectedBrowser.focus()');
    await this.page.click(selector);
  }
  async fill(selector: string, text: string) {
    await this.page.evaluate(fillScript(selector, text));
  }
  async resize(width: number) {
    await this.page.setViewport({ width, height: PHONE.height, deviceScaleFactor: 2 });
  }
  async screenshot(name: string) {
    await this.page.evaluate('document.fonts.ready.then(() => true)');
    await this.page.screenshot({ path: screenshotPath(name) as `${string}.png` });
  }
  async addSessionCookie(origin: string, token: string) {
    await this.page.setCookie({ name: 'crewbell_session', value: token, url: origin, httpOnly: true });
  }
  async close() {
    await this.page.browserContext().close();
  }
}

export async function launchFirefox(): Promise<Engine> {
  if (!existsSync(FIREFOX)) throw new Error(`${FIREFOX} is missing: run \`make browser\` first`);
  const downloads = mkdtempSync(path.join(tmpdir(), 'crewbell-firefox-downloads-'));
  const browser: Browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    // The chrome scope (for the virtual authenticator) is only reachable with this set.
    env: { ...process.env, MOZ_REMOTE_ALLOW_SYSTEM_ACCESS: '1', TZ: 'Europe/Berlin' },
    extraPrefsFirefox: {
      'security.webauth.webauthn_enable_softtoken': true,
      'security.webauth.webauthn_enable_usbtoken': false,
      'intl.accept_languages': 'en-GB',
      'intl.locale.requested': 'en-GB',
      'browser.download.dir': downloads,
      'browser.download.folderList': 2,
      'browser.download.useDownloadDir': true,
      'browser.download.always_ask_before_handling_new_types': false,
    },
    protocolTimeout: 30_000,
  });
  // puppeteer's BiDi connection, for the raw commands its API has no words for.
  const { connection } = browser as unknown as {
    connection: { send(method: string, params: object): Promise<unknown> };
  };
  const tree = (await connection.send('browsingContext.getTree', { 'moz:scope': 'chrome' })) as {
    result: { contexts: Array<{ context: string; url: string }> };
  };
  const window = tree.result.contexts.find((c) => c.url.startsWith('chrome://browser/'));
  if (!window) throw new Error('Firefox: no browser window in the chrome scope');
  const chrome = async (expression: string): Promise<unknown> => {
    const { result } = (await connection.send('script.evaluate', {
      expression,
      target: { context: window.context },
      awaitPromise: true,
    })) as { result: { type: string; result?: { value?: unknown }; exceptionDetails?: { text: string } } };
    if (result.type !== 'success') throw new Error(`Firefox chrome scope: ${result.exceptionDetails?.text}`);
    return result.result?.value;
  };
  // What Marionette's WebAuthn:AddVirtualAuthenticator does: a platform authenticator
  // (ctap2, internal) with resident keys and user verification, always consenting.
  await chrome(`Cc['@mozilla.org/webauthn/service;1'].getService(Ci.nsIWebAuthnService)
    .addVirtualAuthenticator('ctap2', 'internal', true, true, true, true)`);
  return {
    name: 'firefox',
    passkeys: true,
    preload: true,
    async phone(options = {}) {
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      if (options.beforeLoad) await page.evaluateOnNewDocument(options.beforeLoad);
      page.on('dialog', (dialog) => void dialog.accept());
      page.on('pageerror', (error) => console.error(`[firefox page error] ${error.message}`));
      await page.setViewport({ ...PHONE, deviceScaleFactor: 2 });
      return new FirefoxTab(page, chrome);
    },
    downloads: () => readdirSync(downloads).filter((name) => !name.endsWith('.part')),
    async close() {
      await browser.close();
      rmSync(downloads, { recursive: true, force: true });
    },
  };
}
