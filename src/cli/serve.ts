// `crewbell serve`: open the database, start the API, the PWA and the background work, and
// drain all of it on SIGTERM.
import { setFlagsFromString } from 'node:v8';
import type { Hono } from 'hono';
import type { Command } from './command.ts';
import { effectiveOrigin, serveConfig, serveFlags } from '../config.ts';
import { databasePath, openDatabase } from '../db.ts';
import { createApp, createRateLimiters, stopRateLimiters } from '../app/app.ts';
import { listen } from '../app/server.ts';
import { systemClock } from '../clock.ts';
import { createLogger } from '../log.ts';
import { pruneSubscriptions } from '../push/subscriptions.ts';
import { defaultVapidSubject, loadSecretKey, PLACEHOLDER_VAPID_SUBJECT } from '../push/vapid.ts';
import { createDelivery } from '../app/delivery.ts';
import { deleteExpiredSessions } from '../auth/sessions.ts';
import { createFirstStartToken } from '../auth/users.ts';
import { printFirstStartLink, watchForNoAccounts } from './first-start.ts';
import type { AppEnv } from '../kit/deps.ts';
import { VERSION } from '../version.ts';
import { startEpoch } from '../sync/sequence.ts';
import { CLOCK_MARK_EVERY_MS, clockSkew, markClock } from './clock-check.ts';

/** Push deliveries in flight at once. */
const PUSH_CONCURRENCY = 32;

/** Something that runs beside the HTTP server until SIGTERM. */
export interface BackgroundTask {
  name: string;
  stop(): Promise<void> | void;
}

function every(ms: number, fn: () => void): BackgroundTask & { name: string } {
  const timer = setInterval(fn, ms);
  timer.unref();
  return { name: 'interval', stop: () => clearInterval(timer) };
}

export const serveCommands: Command[] = [
  {
    name: 'serve',
    summary: 'run the crewbell server (API, PWA, push delivery)',
    flags: serveFlags,
    async run(args, io) {
      // A heap sized for a 512 MB Pi, however serve runs (from source, under Deno, the binary):
      // from here on the old generation grows by 10 % before its next collection, not by V8's
      // default factor, so a flood of requests for unknown 8 KB paths leaves no lasting growth
      // behind (test/e2e/attack-network.test.ts). Not before the code is loaded: that would mean a
      // collection every few megabytes (start-up took 40 to 120 ms longer). The young
      // generation is kept small by the node flag `--max-semi-space-size=1` (the binary's
      // execArgv, `make run`), which cannot be set from here. `--optimize-for-size` kept
      // memory as flat but doubled the CPU of a sync upload.
      setFlagsFromString('--heap-growing-percent=10');
      const config = serveConfig(args.values);
      const log = createLogger();
      const clock = systemClock;
      const db = openDatabase(databasePath(config.dataDir), { synchronous: config.dbSynchronous });
      const tasks: BackgroundTask[] = [];
      // Before any write: cursors handed out from now on name this start (see sync/sequence.ts).
      startEpoch(db, clock.now());
      const clockProblem = clockSkew(clock.now(), db);
      if (clockProblem)
        log.warn('the clock looks wrong: push services refuse a VAPID token a day off; set the time (timedatectl)', {
          problem: clockProblem,
        });
      else markClock(db, clock.now());

      // Push identity first: a secret key that does not open the stored VAPID key is a
      // start-up failure, not a surprise at the first notification.
      const secret = loadSecretKey(config.dataDir, io.env, true);
      const subject =
        config.vapidSubject ?? (config.origin ? defaultVapidSubject(config.origin) : PLACEHOLDER_VAPID_SUBJECT);
      const { transport, worker, scheduler, watchBell, emailWorker, appDeps } = createDelivery({
        db,
        config,
        clock,
        log,
        secret,
        subject,
        concurrency: PUSH_CONCURRENCY,
        processMetrics: true,
      });

      let app: Hono<AppEnv> | undefined;
      // The app needs the origin, which defaults to the real port: it is made right after listening.
      const server = await listen((req, env) => app!.fetch(req, env), config.host, config.port, {
        stallMs: config.uploadStallMs,
        totalMs: config.uploadTimeoutMs,
      });
      const deps = appDeps(effectiveOrigin(config, server.port));
      const limiters = createRateLimiters(clock);
      tasks.push({ name: 'rate limits', stop: () => stopRateLimiters(limiters) });
      app = createApp(deps, limiters);
      tasks.push(every(3_600_000, () => deleteExpiredSessions(db, clock.now())));
      tasks.push(every(CLOCK_MARK_EVERY_MS, () => markClock(db, clock.now())));
      // Delivery: the worker resumes jobs left in the outbox, the scheduler fires overdue rows.
      tasks.push({ name: 'push transport', stop: () => transport.close() });
      tasks.push({ name: 'outbox worker', stop: () => worker.stop() });
      tasks.push({ name: 'notify scheduler', stop: () => scheduler.stop() });
      tasks.push({ name: 'watch bell', stop: () => watchBell.stop() });
      if (emailWorker) tasks.push({ name: 'email worker', stop: () => emailWorker.stop() });
      worker.kick();
      emailWorker?.kick();
      scheduler.start();
      watchBell.start();
      const prune = () => {
        const removed = pruneSubscriptions(db, clock.now(), config.subscriptionMaxAgeMs);
        if (removed) log.info('unused push subscriptions removed', { count: removed });
      };
      prune();
      tasks.push(every(86_400_000, prune));

      // A fresh install needs no second command: the first account comes from this link. Made
      // before the listening line, so whoever waits for that line finds the old link dead.
      const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
      const firstStart = createFirstStartToken(db, clock.now());
      io.out(
        `crewbell ${VERSION} listening on http://${shownHost}:${server.port} (origin ${deps.config.origin}, data ${config.dataDir})`,
      );
      if (firstStart) await printFirstStartLink(io, deps.config.origin, firstStart.token);
      // The last account deleted while running: a new link, instead of a server nobody can enter.
      tasks.push(watchForNoAccounts(db, io, deps.config.origin, () => clock.now()));

      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          process.off('SIGTERM', onTerm);
          process.off('SIGINT', onInt);
          log.info('stopping', { signal });
          resolve();
        };
        const onTerm = () => stop('SIGTERM');
        const onInt = () => stop('SIGINT');
        process.on('SIGTERM', onTerm);
        process.on('SIGINT', onInt);
      });
      await server.close();
      for (const task of tasks.reverse()) await task.stop();
      db.close();
      log.info('stopped');
      return 0;
    },
  },
];
