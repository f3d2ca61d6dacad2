// The parts behind the app that turn changes into pushes and emails, wired one way for `serve`
// and for the in-process tests: push identity, metrics, transport, outbox worker, the relay and
// its email worker (with --smtp-url), and the scheduler.
import type { Clock } from '../clock.ts';
import { defaultMailFrom, EMAIL_RETRIES, type ServeConfig } from '../config.ts';
import { createRelay } from '../email/relay.ts';
import { createEmailWorker, type EmailWorker } from '../email/worker.ts';
import type { Db } from '../db.ts';
import type { AppDeps } from '../kit/deps.ts';
import type { Logger } from '../log.ts';
import { createMetrics, type Metrics } from '../metrics.ts';
import { createNotifyScheduler, type NotifyScheduler } from '../notify/scheduler.ts';
import { createSignerSource } from '../push/authorization.ts';
import { pushMetricSources } from '../push/stats.ts';
import { createTransport, type Transport } from '../push/transport.ts';
import { ensureVapidKeys, loadVapidKeys, readVapidPublicKey, recordVapidSubject } from '../push/vapid.ts';
import { createOutboxWorker, type OutboxWorker, type WorkerDeps } from '../push/worker.ts';
import { emailForUndelivered } from '../notify/undelivered.ts';
import { createWatchBell, type WatchBell } from '../watch/bell.ts';

export interface DeliveryOptions {
  db: Db;
  config: ServeConfig;
  clock: Clock;
  log: Logger;
  /** The key that seals the VAPID private key (loadSecretKey). */
  secret: Buffer;
  /** The VAPID contact (`mailto:` or `https:`). */
  subject: string;
  /** Pushes in flight at once. */
  concurrency: number;
  /** Node's process metrics on /metrics too (serve: yes; one registry per test app: no). */
  processMetrics: boolean;
}

export interface Delivery {
  metrics: Metrics;
  transport: Transport;
  worker: OutboxWorker;
  scheduler: NotifyScheduler;
  /** Watch and log reminders (src/watch/); started like the scheduler. */
  watchBell: WatchBell;
  /** With --smtp-url: sends the email outbox. */
  emailWorker: EmailWorker | undefined;
  /** What the app is built from, once the public origin is known. */
  appDeps(origin: string): AppDeps;
}

/**
 * Makes the VAPID keys when there are none (a secret key that does not open them throws
 * here, at start, not at the first notification), then the delivery chain. Nothing runs
 * until the caller kicks the worker and starts the scheduler.
 */
export function createDelivery(options: DeliveryOptions): Delivery {
  const { db, config, clock, log, secret, subject } = options;
  ensureVapidKeys(db, secret, clock.now());
  recordVapidSubject(db, subject);
  const signer = createSignerSource(
    () => loadVapidKeys(db, secret)!,
    () => readVapidPublicKey(db),
    subject,
    clock,
  );
  const metrics = createMetrics(pushMetricSources(db), { defaults: options.processMetrics });
  const transport = createTransport({ timeoutMs: config.pushTimeoutMs, allowInsecure: config.pushAllowInsecure });
  // Known once the server listens (appDeps); a message's `navigate` is made absolute on it.
  let origin: string | undefined = config.origin;
  // With --smtp-url, a change notification no device took is followed by an email (notify/undelivered.ts).
  let emailWorker: EmailWorker | undefined;
  const emailFallback = { throttleMs: config.emailThrottleMs };
  const onRecorded: WorkerDeps['onRecorded'] = (job, outcome) => {
    if (!emailWorker || outcome.kind === 'success') return;
    try {
      if (emailForUndelivered(db, emailFallback, job, outcome, clock.now())) emailWorker.kick();
    } catch (err) {
      log.error('the email for an undelivered notification was not queued', { error: (err as Error).message });
    }
  };
  const worker = createOutboxWorker(
    { db, clock, log, metrics, transport, signer, origin: () => origin, onRecorded },
    {
      concurrency: options.concurrency,
      retries: config.pushRetries,
      retryBaseMs: config.pushRetryBaseMs,
      ttlSeconds: Math.round(config.pushTtlMs / 1000),
    },
  );
  // Links in emails need the public origin too.
  const linkOrigin = () => origin ?? 'http://localhost';
  emailWorker = config.smtpUrl
    ? createEmailWorker({
        db,
        clock,
        log,
        metrics,
        relay: createRelay({
          smtpUrl: config.smtpUrl,
          from: config.mailFrom ?? defaultMailFrom(linkOrigin()),
          timeoutMs: config.emailTimeoutMs,
        }),
        origin: linkOrigin,
        retries: EMAIL_RETRIES,
        retryBaseMs: config.emailRetryBaseMs,
      })
    : undefined;
  const scheduler = createNotifyScheduler({
    db,
    clock,
    log,
    metrics,
    rule: { debounceMs: config.notifyDebounceMs, throttleMs: config.notifyThrottleMs },
    onQueued: () => worker.kick(),
    email: emailWorker ? emailFallback : undefined,
    onEmailQueued: () => emailWorker?.kick(),
  });
  const watchBell = createWatchBell({
    db,
    clock,
    log,
    enabled: !config.watchesOff,
    onQueued: () => worker.kick(),
  });
  return {
    metrics,
    transport,
    worker,
    scheduler,
    watchBell,
    emailWorker,
    appDeps: (publicOrigin) => {
      origin = publicOrigin;
      return {
        db,
        config: { ...config, origin: publicOrigin },
        clock,
        log,
        notify: scheduler,
        watchBell,
        push: { vapidPublicKey: () => readVapidPublicKey(db) ?? signer().publicKey, kick: () => worker.kick() },
        email: { enabled: emailWorker !== undefined, kick: () => emailWorker?.kick() },
        metrics,
      };
    },
  };
}
