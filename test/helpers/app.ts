// The real app in this process, for the API tier: started by the same boot() as `crewbell
// serve` (src/app/boot.ts: the database on a temp file, the push outbox and its worker, the
// notify scheduler, the timers), reached through app.request() with no port and no process. Same shape as a TestServer
// for the account and crew helpers, so a test file moves here by swapping its start call.
import { after, before } from 'node:test';
import { rmSync } from 'node:fs';
import type { Hono } from 'hono';
import { effectiveOrigin, serveConfig, serveFlags } from '../../src/config.ts';
import { parseArgs } from '../../src/cli/args.ts';
import { boot } from '../../src/app/boot.ts';
import type { FastRead } from '../../src/app/fast-reads.ts';
import type { AppDeps, AppEnv } from '../../src/kit/deps.ts';
import { systemClock, type Clock } from '../../src/clock.ts';
import { createLogger } from '../../src/log.ts';
import { Client, type Fetch } from './client.ts';
import { createUserWithSession, type Target, type TestUser } from './accounts.ts';
import type { EmailWorker } from '../../src/email/worker.ts';
import { databaseAccess, tempDir } from './server.ts';

export interface AppOptions {
  /** `serve` flags, e.g. ['--open-registration'] (--port and --data-dir are the helper's). */
  flags?: string[];
  /** Defaults to the system clock; a ManualClock moves sessions, challenges and the scheduler by hand. */
  clock?: Clock;
  /** Reuse a data dir (restart tests). */
  dataDir?: string;
  /** Environment for flags' CREWBELL_* twins and the secret key. */
  env?: Record<string, string>;
  /** Node's process metrics on /metrics too, as serve has them (off: one registry per app). */
  processMetrics?: boolean;
}

export interface TestApp extends Target {
  app: Hono<AppEnv>;
  /** The reads serve answers from Node's request before the app (src/app/fast-reads.ts). */
  fast: FastRead;
  /** With --smtp-url: the email worker (idle() waits until nothing due is left to send). */
  emailWorker: EmailWorker | undefined;
  deps: AppDeps;
  dataDir: string;
  clock: Clock;
  /** Every line the app logged. */
  logs: string[];
  /** The log as one text (what a server process would have printed). */
  output(): string;
  fetch: Fetch;
  /** Runs one statement on a fresh connection to the database file; rows as plain objects. */
  query<T = any>(sql: string, ...params: Array<string | number | null>): T[];
  /** A client without a session. */
  anonymous(): Client;
  /** A new account with a session; the name gets a number so that it is unique. */
  user(name?: string): TestUser;
  /** Stops the worker and the scheduler and closes the database (a drained serve). */
  stop(): Promise<void>;
  /** Removes the data dir (after stop). */
  cleanup(): void;
}

/** What a request through app.request() would get from a socket: a loopback client. */
const LOOPBACK = { incoming: { socket: { remoteAddress: '127.0.0.1', remotePort: 50000, remoteFamily: 'IPv4' } } };

/** Where the in-process app pretends to live (nothing listens there). */
const BASE = 'http://localhost:8080';

export function startApp(options: AppOptions = {}): TestApp {
  const dataDir = options.dataDir ?? tempDir('crewbell-app-');
  const env = { ...process.env, ...options.env };
  const args = parseArgs(['--port', '8080', '--data-dir', dataDir, ...(options.flags ?? [])], serveFlags, env);
  const config = serveConfig(args.values);
  const clock = options.clock ?? systemClock;
  const logs: string[] = [];
  const log = createLogger((line) => logs.push(line));
  // What serve starts, the same way (src/app/boot.ts); only the socket is missing.
  const booted = boot({
    config,
    env,
    clock,
    log,
    pushConcurrency: 4,
    processMetrics: options.processMetrics ?? false,
  });
  const origin = effectiveOrigin(config, 8080);
  const { app, deps, fast } = booted.app(origin);
  const fetch: Fetch = async (url, init) => app.request(url, init, LOOPBACK);
  let n = 0;
  const target: TestApp = {
    app,
    fast,
    emailWorker: booted.delivery.emailWorker,
    deps,
    url: BASE,
    origin,
    dataDir,
    clock,
    logs,
    output: () => logs.join('\n'),
    fetch,
    ...databaseAccess(dataDir),
    anonymous: () => new Client(BASE, origin, fetch),
    user: (name = 'sailor') => createUserWithSession(target, `${name}${++n}`),
    stop: () => booted.stop(),
    cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return target;
}

/**
 * One app shared by the tests of a file: made before the first test, stopped after the last.
 * The same shape as serverForFile (helpers/suite.ts), so a file moves tiers by its import.
 */
export function appForFile(options: AppOptions = {}): {
  readonly server: TestApp;
  user(name?: string): TestUser;
  anonymous(): Client;
} {
  let current: TestApp | undefined;
  const running = (): TestApp => {
    if (!current) throw new Error('the shared app starts in before(): use it inside a test');
    return current;
  };
  before(() => {
    current = startApp(options);
  });
  after(async () => {
    if (!current) return;
    await current.stop();
    current.cleanup();
  });
  return {
    get server() {
      return running();
    },
    user: (name?: string) => running().user(name),
    anonymous: () => running().anonymous(),
  };
}

/** Runs fn against a fresh app, then stops it and removes its data. */
export async function withApp<T>(options: AppOptions, fn: (app: TestApp) => Promise<T>): Promise<T> {
  const app = startApp(options);
  try {
    return await fn(app);
  } finally {
    await app.stop();
    app.cleanup();
  }
}
