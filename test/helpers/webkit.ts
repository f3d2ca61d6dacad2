// WebKitGTK (Debian's webkit2gtk-driver) in Xvfb, driven by plain W3C WebDriver over HTTP:
// WebKitWebDriver starts a fresh MiniBrowser per session. MiniBrowser runs full screen (no
// toolbar), so its window can be phone-narrow. It has no WebAuthn and no PushManager.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { fillScript, waitClickable, PHONE, screenshotPath, type Engine, type Tab } from './engines.ts';

export const WEBKIT_DRIVER = '/usr/bin/WebKitWebDriver';
export const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/** Xvfb on the first free display it finds (-displayfd); the display's name. */
async function startXvfb(): Promise<{ display: string; process: ChildProcess }> {
  const process = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1024x900x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
  });
  const fd3 = process.stdio[3] as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of fd3) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  if (!/^\d+/.test(text)) throw new Error('Xvfb did not start');
  return { display: `:${text.trim()}`, process };
}

type Call = (method: string, path: string, body?: unknown) => Promise<any>;

class WebKitTab implements Tab {
  private readonly call: Call;
  private readonly end: () => Promise<void>;
  constructor(call: Call, end: () => Promise<void>) {
    this.call = call;
    this.end = end;
  }
  async goto(url: string) {
    await this.call('POST', '/url', { url });
  }
  url(): Promise<string> {
    return this.call('GET', '/url');
  }
  evaluate<T>(expression: string): Promise<T> {
    // WebDriver's execute waits for a promise the script returns.
    return this.call('POST', '/execute/sync', { script: `return (async () => (${expression}))()`, args: [] });
  }
  async click(selector: string) {
    await waitClickable(this, selector);
    const found = await this.call('POST', '/element', { using: 'css selector', value: selector });
    await this.call('POST', `/element/${found[ELEMENT]}/click`, {});
  }
  async fill(selector: string, text: string) {
    await this.evaluate(fillScript(selector, text));
  }
  async resize(width: number) {
    await this.call('POST', '/window/rect', { width, height: PHONE.height });
  }
  async screenshot(name: string) {
    await this.evaluate('document.fonts.ready.then(() => true)');
    writeFileSync(screenshotPath(name), Buffer.from(await this.call('GET', '/screenshot'), 'base64'));
  }
  async addSessionCookie(origin: string, token: string) {
    // WebDriver sets cookies for the page's own site only: stand on it first.
    await this.goto(`${origin}/healthz`);
    await this.call('POST', '/cookie', {
      cookie: { name: 'crewbell_session', value: token, path: '/', httpOnly: true },
    });
  }
  close() {
    return this.end();
  }
}

export async function launchWebKit(): Promise<Engine> {
  for (const file of [WEBKIT_DRIVER, MINIBROWSER, '/usr/bin/Xvfb'])
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`make browser\` first`);
  const xvfb = await startXvfb();
  // Downloads go to a folder of the test's own, not ~/Downloads: GLib reads the download
  // folder from $XDG_CONFIG_HOME/user-dirs.dirs (the font cache in ~/.cache stays shared).
  const home = mkdtempSync(path.join(tmpdir(), 'crewbell-webkit-'));
  mkdirSync(path.join(home, 'Downloads'));
  writeFileSync(path.join(home, 'user-dirs.dirs'), `XDG_DOWNLOAD_DIR="${path.join(home, 'Downloads')}"\n`);
  const open = new Set<() => Promise<void>>();
  return {
    name: 'webkit',
    passkeys: false,
    preload: false,
    async phone() {
      // WebKitWebDriver drives one session at a time: each phone gets its own driver.
      const driver = await startDriver(xvfb.display, home);
      const session = await driver.request('POST', '/session', {
        capabilities: {
          alwaysMatch: {
            browserName: 'MiniBrowser',
            // Full screen hides MiniBrowser's toolbar, which keeps the window 447 px or wider.
            'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation', '--full-screen'] },
          },
        },
      });
      const path = `/session/${session.sessionId}`;
      const end = async () => {
        open.delete(end);
        await driver.request('DELETE', path).catch(() => undefined);
        driver.process.kill();
      };
      open.add(end);
      const tab = new WebKitTab((method, sub, body) => driver.request(method, path + sub, body), end);
      await tab.resize(PHONE.width);
      return tab;
    },
    downloads: () => readdirSync(path.join(home, 'Downloads')),
    async close() {
      await Promise.all([...open].map((end) => end()));
      xvfb.process.kill();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** A WebKitWebDriver on a free port, answering. */
async function startDriver(display: string, config: string): Promise<{ process: ChildProcess; request: Call }> {
  const port = await freePort();
  const process = spawn(WEBKIT_DRIVER, [`--port=${port}`, '--host=127.0.0.1'], {
    env: {
      ...globalThis.process.env,
      XDG_CONFIG_HOME: config,
      DISPLAY: display,
      TZ: 'Europe/Berlin',
      LANG: 'en_GB.UTF-8',
    },
    stdio: 'ignore',
  });
  const base = `http://127.0.0.1:${port}`;
  const request: Call = async (method, path, body) => {
    const res = await fetch(base + path, {
      method,
      // A command that hangs (a stuck page) fails the step instead of the whole run.
      signal: AbortSignal.timeout(30_000),
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const answer = (await res.json()) as { value: any };
    if (!res.ok) throw new Error(`WebDriver ${method} ${path}: ${answer.value?.error}: ${answer.value?.message}`);
    return answer.value;
  };
  for (let tries = 0; ; tries++) {
    try {
      await request('GET', '/status');
      return { process, request };
    } catch (error) {
      if (tries > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
