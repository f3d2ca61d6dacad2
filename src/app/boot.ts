// One start-up for `crewbell serve` and the in-process test app: the database, the start epoch,
// the clock check, the push identity and delivery, the timers, the first-start link, and the
// Hono app once its public origin is known. serve adds only the socket and the signals.
import type { Hono } from 'hono';
import type { Clock } from '../clock.ts';
import type { ServeConfig } from '../config.ts';
import { databasePath, openDatabase, type Db } from '../db.ts';
import type { AppDeps, AppEnv } from '../kit/deps.ts';
import type { Logger } from '../log.ts';
import { deleteExpiredSessions } from '../auth/sessions.ts';
import { createFirstStartToken } from '../auth/users.ts';
import { pruneSubscriptions } from '../push/subscriptions.ts';
import { defaultVapidSubject, loadSecretKey, PLACEHOLDER_VAPID_SUBJECT } from '../push/vapid.ts';
import { startEpoch } from '../sync/sequence.ts';
import { createApp, createRateLimiters, stopRateLimiters } from './app.ts';
import { CLOCK_MARK_EVERY_MS, clockSkew, markClock } from './clock-check.ts';
import { createDelivery, type Delivery } from './delivery.ts';
import { fastReads, type FastRead } from './fast-reads.ts';

export interface BootOptions {
  config: ServeConfig;
  /** Where the secret key may come from (CREWBELL_SECRET_KEY) besides secret.key. */
  env: Record<string, string | undefined>;
  clock: Clock;
  log: Logger;
  /** Push deliveries in flight at once. */
  pushConcurrency: number;
  /** Node's process metrics on /metrics too (serve: yes; one registry per test app: no). */
  processMetrics: boolean;
}

export interface Booted {
  db: Db;
  delivery: Delivery;
  /** The link that makes the first account, when there is none yet (replaced at each start). */
  firstStart: { token: string; expiresAt: number } | undefined;
  /**
   * The app for its public origin (serve knows it once it listens: the default names the real
   * port), and the reads Node's server answers before it (fast-reads.ts).
   */
  app(origin: string): { app: Hono<AppEnv>; deps: AppDeps; fast: FastRead };
  /** Stops the timers, the rate limiters and the delivery, then closes the database. */
  stop(): Promise<void>;
}

/** The VAPID contact: --vapid-subject, else one made from an https or named origin, else the placeholder. */
export function vapidSubject(config: ServeConfig): string {
  return config.vapidSubject ?? (config.origin ? defaultVapidSubject(config.origin) : PLACEHOLDER_VAPID_SUBJECT);
}

function every(ms: number, fn: () => void): () => void {
  const timer = setInterval(fn, ms);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Opens the data dir and starts what runs beside the HTTP server. A secret key that does not
 * open the stored VAPID key throws here: a start-up failure, not a surprise at the first push.
 */
export function boot(options: BootOptions): Booted {
  const { config, clock, log } = options;
  const db = openDatabase(databasePath(config.dataDir), { synchronous: config.dbSynchronous });
  const stops: Array<() => void | Promise<void>> = [];
  try {
    // Before any write: cursors handed out from now on name this start (see sync/sequence.ts).
    startEpoch(db, clock.now());
    const clockProblem = clockSkew(clock.now(), db);
    if (clockProblem)
      log.warn('the clock looks wrong: push services refuse a VAPID token a day off; set the time (timedatectl)', {
        problem: clockProblem,
      });
    else markClock(db, clock.now());

    const secret = loadSecretKey(config.dataDir, options.env, true);
    const delivery = createDelivery({
      db,
      config,
      clock,
      log,
      secret,
      subject: vapidSubject(config),
      concurrency: options.pushConcurrency,
      processMetrics: options.processMetrics,
    });
    const { transport, worker, scheduler, watchBell, emailWorker } = delivery;
    const limiters = createRateLimiters(clock);
    stops.push(() => stopRateLimiters(limiters));
    stops.push(every(3_600_000, () => deleteExpiredSessions(db, clock.now())));
    stops.push(every(CLOCK_MARK_EVERY_MS, () => markClock(db, clock.now())));
    // Delivery: the worker resumes jobs left in the outbox, the scheduler fires overdue rows.
    stops.push(() => transport.close());
    stops.push(() => worker.stop());
    stops.push(() => scheduler.stop());
    stops.push(() => watchBell.stop());
    if (emailWorker) stops.push(() => emailWorker.stop());
    worker.kick();
    emailWorker?.kick();
    scheduler.start();
    watchBell.start();
    const prune = () => {
      const removed = pruneSubscriptions(db, clock.now(), config.subscriptionMaxAgeMs);
      if (removed) log.info('unused push subscriptions removed', { count: removed });
    };
    prune();
    stops.push(every(86_400_000, prune));
    // A fresh install needs no second command: the first account comes from this link.
    const firstStart = createFirstStartToken(db, clock.now());

    return {
      db,
      delivery,
      firstStart,
      app(origin) {
        const deps = delivery.appDeps(origin);
        return { app: createApp(deps, limiters), deps, fast: fastReads(deps) };
      },
      async stop() {
        for (const stop of stops.reverse()) await stop();
        stops.length = 0;
        if (db.isOpen) db.close();
      },
    };
  } catch (err) {
    for (const stop of stops.reverse()) void stop();
    db.close();
    throw err;
  }
}
