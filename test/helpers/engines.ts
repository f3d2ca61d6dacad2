// The three browser engines behind one small driver, so one story walks them all: a Tab
// is a phone-sized page with a fresh profile. Chromium comes through playwright-core here;
// Firefox (helpers/firefox.ts) and WebKit (helpers/webkit.ts) through their own drivers.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { addVirtualAuthenticator, launchBrowser, newPhone, screenshotDir } from './browser.ts';
import { layoutGuardScript } from './layout-guard.ts';

export type EngineName = 'chromium' | 'firefox' | 'webkit';

export interface Tab {
  goto(url: string): Promise<void>;
  url(): Promise<string>;
  /** A JavaScript expression run in the page; a promise is awaited; the value comes back as JSON. */
  evaluate<T = unknown>(expression: string): Promise<T>;
  /** A real click (the engine's own input), on the first element the CSS selector finds. */
  click(selector: string): Promise<void>;
  /** Replaces the field's text as typing would (input and change events). */
  fill(selector: string, text: string): Promise<void>;
  /** The viewport's CSS width (the height stays a phone's). */
  resize(width: number): Promise<void>;
  /** test-artifacts/screenshots/<name>.png */
  screenshot(name: string): Promise<void>;
  /** Signs this tab in with a session cookie (engines without WebAuthn). */
  addSessionCookie(origin: string, token: string): Promise<void>;
  close(): Promise<void>;
}

export interface Engine {
  name: EngineName;
  /** Real WebAuthn with a virtual authenticator: sign-up and sign-in run through the PWA. */
  passkeys: boolean;
  /** A new phone: its own cookies and storage, 390 px wide; `beforeLoad` runs before every page's own script. */
  phone(options?: { beforeLoad?: string }): Promise<Tab>;
  /** Whether phone() can take a `beforeLoad` script (classic WebDriver has none). */
  preload: boolean;
  /** The files the browser downloaded so far (not for Chromium: its stories read downloads through playwright). */
  downloads?(): string[];
  close(): Promise<void>;
}

export const PHONE = { width: 390, height: 844 };
export const screenshotPath = (name: string): string => {
  mkdirSync(screenshotDir, { recursive: true });
  return path.join(screenshotDir, `${name}.png`);
};

/** Sets a field's value the way typing does, for drivers without a fill of their own. */
export const fillScript = (selector: string, text: string): string => `(() => {
  const el = document.querySelector(${JSON.stringify(selector)});
  if (!el) throw new Error('no ' + ${JSON.stringify(selector)});
  el.focus();
  const proto = el.tagName === 'TEXTAREA' ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, ${JSON.stringify(text)});
  el.dispatchEvent(new Event('input', { bubbles: true }));
  el.dispatchEvent(new Event('change', { bubbles: true }));
  return true;
})()`;

/** Polls a page expression until it is truthy (10 s at most); its value. */
export async function waitUntil<T>(tab: Tab, expression: string, what: string, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      last = await tab.evaluate<T>(expression);
      if (last) return last as T;
    } catch (error) {
      // a page between two documents answers nothing; try again
      last = error;
    }
    if (Date.now() > end) {
      // What the screen showed instead, so a failure explains itself.
      const shown = await tab
        .evaluate<string>(`location.pathname + ': ' + document.body.innerText.replace(/\\s+/g, ' ').slice(0, 300)`)
        .catch((error) => String(error));
      throw new Error(`waited ${timeoutMs} ms for ${what} (last: ${String(last)}); the page: ${shown}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits for an element (with this text in it, when given). */
export function waitFor(tab: Tab, selector: string, text?: string | RegExp): Promise<unknown> {
  const test =
    text === undefined
      ? 'true'
      : text instanceof RegExp
        ? `${text.toString()}.test(el.textContent)`
        : `el.textContent.includes(${JSON.stringify(text)})`;
  return waitUntil(
    tab,
    `Array.from(document.querySelectorAll(${JSON.stringify(selector)})).some((el) => ${test})`,
    `${selector}${text ? ` with "${text}"` : ''}`,
  );
}

/**
 * Waits until the element is there, can be pressed and has stopped moving (a screen that
 * is still loading shifts it under the pointer), as playwright's click does by itself.
 */
export async function waitClickable(tab: Tab, selector: string): Promise<void> {
  const place = `(() => {
    const el = document.querySelector(${JSON.stringify(selector)});
    if (!el || el.disabled || el.getClientRects().length === 0) return '';
    const box = el.getBoundingClientRect();
    return [box.x, box.y, box.width, box.height].join(',');
  })()`;
  const end = Date.now() + 10_000;
  let last = '';
  for (;;) {
    const now = await tab.evaluate<string>(place).catch(() => '');
    if (now && now === last) return;
    if (Date.now() > end) await waitUntil(tab, 'false', `${selector} to be pressable and still (last: ${now})`, 0);
    last = now;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function textOf(tab: Tab, selector: string): Promise<string> {
  return tab.evaluate<string>(`document.querySelector(${JSON.stringify(selector)})?.textContent ?? ''`);
}

export async function waitForPath(tab: Tab, pattern: RegExp): Promise<string> {
  await waitUntil(tab, `${pattern.toString()}.test(location.pathname)`, `a path like ${pattern}`);
  return new URL(await tab.url()).pathname;
}

/**
 * The layout guard (helpers/layout-guard.ts) on the screen the tab shows, at 360 and at
 * 390 px; fails naming every flaw. The tab is 390 px wide again afterwards.
 */
export async function checkLayout(engine: Engine, tab: Tab, screen: string): Promise<void> {
  const flaws: string[] = [];
  for (const width of [360, 390]) {
    await tab.resize(width);
    await tab.evaluate('document.fonts.ready.then(() => true)');
    for (const flaw of await tab.evaluate<string[]>(layoutGuardScript)) flaws.push(`${width} px: ${flaw}`);
  }
  assert.deepEqual(flaws, [], `${engine.name}, ${screen}: the layout guard found\n  ${flaws.join('\n  ')}`);
}

// ---- Chromium: playwright-core and a CDP virtual authenticator ----

class ChromiumTab implements Tab {
  readonly page: Page;
  constructor(page: Page) {
    this.page = page;
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
    await this.page.click(selector);
  }
  async fill(selector: string, text: string) {
    await this.page.fill(selector, text);
  }
  async resize(width: number) {
    await this.page.setViewportSize({ width, height: PHONE.height });
  }
  async screenshot(name: string) {
    await this.page.evaluate('document.fonts.ready.then(() => true)');
    await this.page.screenshot({ path: screenshotPath(name) });
  }
  async addSessionCookie(origin: string, token: string) {
    await this.page.context().addCookies([{ name: 'crewbell_session', value: token, url: origin, httpOnly: true }]);
  }
  async close() {
    await this.page.context().close();
  }
}

export async function launchChromium(): Promise<Engine> {
  const browser: Browser = await launchBrowser();
  return {
    name: 'chromium',
    passkeys: true,
    preload: true,
    async phone(options = {}) {
      const context = await newPhone(browser);
      if (options.beforeLoad) await context.addInitScript({ content: options.beforeLoad });
      const page = await context.newPage();
      page.on('dialog', (dialog) => void dialog.accept());
      await addVirtualAuthenticator(page);
      return new ChromiumTab(page);
    },
    close: () => browser.close(),
  };
}
