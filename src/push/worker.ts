// The outbox worker: sends due jobs with bounded concurrency, encrypting each message just
// before it goes out (memory stays flat however many devices), and records each answer:
// 2xx delivered, 404/410 subscription removed, 400/403/413 refused (dropped when repeated),
// anything else transient: retried with a backoff that grows with the device's failures in a
// row (up to hours), the device kept and marked failing. One timer waits for the next retry.
import { transaction, type Db } from '../db.ts';
import type { Clock } from '../clock.ts';
import { truncateEndpoint, type Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { VapidSigner } from './authorization.ts';
import { sendToDevice } from './deliver.ts';
import {
  backoffDelay,
  deleteJob,
  dueJobs,
  nextAttemptAfter,
  postponeJob,
  recordDelivered,
  type OutboxJob,
} from './outbox.ts';
import { countFailure, countPermanentFailure, removeGoneSubscription } from './subscriptions.ts';
import { originStamper } from './declarative.ts';
import type { SendOutcome, Transport } from './transport.ts';

/** How long answers wait to be recorded together. */
const FLUSH_DELAY_MS = 50;
/** After a database failure (e.g. busy longer than busy_timeout). */
const RETRY_AFTER_FAILURE_MS = 5_000;

export interface WorkerOptions {
  concurrency: number;
  /** Deliveries in flight to one push-service host (default half the concurrency): a slow host cannot hold every slot. */
  perHost?: number;
  /** Deliveries in flight for one account's devices (default an eighth of the concurrency, at least 1). */
  perUser?: number;
  /** Retries after the first attempt. */
  retries: number;
  retryBaseMs: number;
  ttlSeconds: number;
  random?: () => number;
}

export interface WorkerDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  metrics?: Metrics | undefined;
  transport: Transport;
  /** The current VAPID signer (keys may be replaced by `vapid generate --force`). */
  signer: () => VapidSigner;
  /** The public origin, once known: a message's `notification.navigate` is made absolute on it. */
  origin?: (() => string | undefined) | undefined;
  /** Told each answer once it is recorded (retries included), so `crewbell push test` can report per device. */
  onRecorded?: ((job: OutboxJob, outcome: SendOutcome) => void) | undefined;
}

export interface OutboxWorker {
  /** Something was queued: look for due jobs now. */
  kick(): void;
  /** Finishes the deliveries in flight, records them, and takes no new ones. */
  stop(): Promise<void>;
  /** Resolves when nothing is in flight or waiting to be recorded (for benchmarks). */
  idle(): Promise<void>;
}

interface Done {
  job: OutboxJob;
  outcome: SendOutcome;
}

export function createOutboxWorker(deps: WorkerDeps, options: WorkerOptions): OutboxWorker {
  const { db, clock, log, metrics } = deps;
  const claimed = new Set<number>();
  const inFlight = new Set<Promise<void>>();
  const perHost = options.perHost ?? Math.max(1, Math.ceil(options.concurrency / 2));
  const perUser = options.perUser ?? Math.max(1, Math.floor(options.concurrency / 8));
  const busyHosts = new Map<string, number>();
  const busyUsers = new Map<string, number>();
  const bump = (map: Map<string, number>, key: string, by: number) => {
    const n = (map.get(key) ?? 0) + by;
    if (n > 0) map.set(key, n);
    else map.delete(key);
  };
  const hasRoom = (job: OutboxJob) =>
    (busyHosts.get(job.host) ?? 0) < perHost && (busyUsers.get(job.userId) ?? 0) < perUser;
  let queue: OutboxJob[] = [];
  let done: Done[] = [];
  let flushQueued = false;
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let stopping = false;
  let timer: unknown;
  let timerAt = Infinity;
  let idleWaiters: (() => void)[] = [];
  let kickQueued = false;
  const stampOrigin = originStamper(() => deps.origin?.());

  /**
   * Arms the timer for the first job not yet due at `now`. `now` must be the time the
   * caller last looked for due jobs: a timer can fire a millisecond before the clock reaches
   * its time, and a job due between two reads of the clock would be neither due nor next.
   */
  function armTimer(now: number): void {
    const at = nextAttemptAfter(db, now);
    if (at === undefined || at >= timerAt) return;
    if (timer !== undefined) clock.clearTimeout(timer);
    timerAt = at;
    timer = clock.setTimeout(() => {
      timer = undefined;
      timerAt = Infinity;
      pump();
    }, at - clock.now());
  }

  function pump(): void {
    if (stopping || !db.isOpen) return;
    try {
      fill();
    } catch (err) {
      // Never an unhandled error from a timer or a promise: log, and look again shortly.
      log.error('push outbox worker failed; retrying in 5 s', { error: (err as Error).message });
      retryLater();
    }
  }

  function retryLater(): void {
    if (stopping) return;
    if (timer !== undefined) clock.clearTimeout(timer);
    timerAt = clock.now() + RETRY_AFTER_FAILURE_MS;
    timer = clock.setTimeout(() => {
      timer = undefined;
      timerAt = Infinity;
      flush();
      pump();
    }, RETRY_AFTER_FAILURE_MS);
  }

  function fill(): void {
    let refilled = false;
    let lookedAt = clock.now();
    while (inFlight.size < options.concurrency) {
      if (queue.length === 0) {
        if (refilled) break;
        refilled = true;
        lookedAt = clock.now();
        queue = dueJobs(db, lookedAt, options.concurrency * 2, claimed, { perHost, perUser });
        for (const job of queue) claimed.add(job.id);
        if (queue.length === 0) break;
      }
      const job = queue.shift()!;
      // Its host or account has its share in flight: the job waits for the next look.
      if (hasRoom(job)) start(job);
      else claimed.delete(job.id);
    }
    if (inFlight.size === 0 && queue.length === 0) {
      armTimer(lookedAt);
      if (done.length === 0) settleIdle();
    }
  }

  function start(job: OutboxJob): void {
    bump(busyHosts, job.host, 1);
    bump(busyUsers, job.userId, 1);
    const p = deliver(job).then(
      (outcome) => finish({ job, outcome }),
      (err: Error) => finish({ job, outcome: { kind: 'failed', reason: err.message } }),
    );
    inFlight.add(p);
    p.finally(() => {
      inFlight.delete(p);
      bump(busyHosts, job.host, -1);
      bump(busyUsers, job.userId, -1);
      pump();
    });
  }

  async function deliver(job: OutboxJob): Promise<SendOutcome> {
    const started = performance.now();
    const payload = stampOrigin(job.payload);
    const outcome = await sendToDevice(deps.transport, deps.signer(), job, payload, {
      ttlSeconds: options.ttlSeconds,
      urgency: job.urgency,
      topic: job.topic ?? undefined,
      now: clock.now(),
    });
    metrics?.pushDuration.observe((performance.now() - started) / 1000);
    return outcome;
  }

  function finish(result: Done): void {
    done.push(result);
    if (done.length >= Math.max(64, options.concurrency * 2)) {
      flush();
    } else if (!flushQueued) {
      flushQueued = true;
      // Answers are recorded in batches, one transaction (one WAL write) for many
      // deliveries; until then the jobs stay claimed, and a crash only means a resend.
      flushTimer = setTimeout(flush, FLUSH_DELAY_MS);
    }
  }

  function flush(): void {
    if (flushTimer !== undefined) clearTimeout(flushTimer);
    flushTimer = undefined;
    flushQueued = false;
    const batch = done;
    done = [];
    if (batch.length === 0 || !db.isOpen) return;
    const now = clock.now();
    try {
      transaction(db, () => {
        const delivered: OutboxJob[] = [];
        for (const item of batch) {
          if (item.outcome.kind === 'success') delivered.push(item.job);
          else record(item, now);
        }
        if (delivered.length) {
          recordDelivered(db, delivered, now);
          metrics?.pushSent.inc({ result: 'success' }, delivered.length);
        }
      });
    } catch (err) {
      // Rolled back: the answers are kept (their jobs stay claimed) and recorded later.
      done = batch.concat(done);
      log.error('recording push results failed; retrying in 5 s', { error: (err as Error).message });
      retryLater();
      return;
    }
    for (const { job, outcome } of batch) {
      claimed.delete(job.id);
      deps.onRecorded?.(job, outcome);
    }
    try {
      // Jobs due by now are found by the next fill; this is for the ones after.
      armTimer(now);
    } catch {
      retryLater();
    }
    if (inFlight.size === 0 && queue.length === 0) pump();
  }

  function record({ job, outcome }: Done, now: number): void {
    const endpoint = truncateEndpoint(job.endpoint);
    switch (outcome.kind) {
      case 'success':
        recordDelivered(db, [job], now);
        metrics?.pushSent.inc({ result: 'success' });
        return;
      case 'gone':
        // The device unsubscribed or the browser dropped it: its other jobs go with it.
        removeGoneSubscription(db, job.subscriptionId);
        metrics?.pushSent.inc({ result: 'gone' });
        log.info('push subscription gone, removed', { endpoint, status: outcome.status });
        return;
      case 'retry': {
        const failures = countFailure(db, job.subscriptionId, outcome.reason, now);
        const attempts = job.attempts + 1;
        if (attempts > options.retries) {
          deleteJob(db, job.id);
          metrics?.pushSent.inc({ result: 'failed' });
          log.warn('push failed after retries; the device is kept and marked failing', {
            endpoint,
            attempts,
            reason: outcome.reason,
          });
          return;
        }
        // A device failing for a while is tried less often: the backoff grows with its failures in a row.
        const delay = backoffDelay(
          Math.max(attempts, failures),
          options.retryBaseMs,
          outcome.retryAfterMs,
          options.random,
        );
        postponeJob(db, job.id, attempts, now + delay, outcome.reason);
        metrics?.pushSent.inc({ result: 'retry' });
        log.info('push will be retried', { endpoint, attempt: attempts, in_ms: delay, reason: outcome.reason });
        return;
      }
      case 'failed':
        deleteJob(db, job.id);
        metrics?.pushSent.inc({ result: 'failed' });
        log.warn('push refused', { endpoint, status: outcome.status, reason: outcome.reason });
        // A device the push service keeps refusing only costs work: after a few in a row it goes.
        if (countPermanentFailure(db, job.subscriptionId, outcome.reason, now))
          log.info('push subscription refused too often, removed', { endpoint, reason: outcome.reason });
        return;
    }
  }

  function settleIdle(): void {
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  }

  return {
    kick() {
      if (kickQueued || stopping) return;
      kickQueued = true;
      // After the current transaction has committed and the request has answered.
      setImmediate(() => {
        kickQueued = false;
        pump();
      });
    },
    async stop() {
      stopping = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      queue = [];
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      flush();
      settleIdle();
    },
    idle() {
      if (inFlight.size === 0 && queue.length === 0 && done.length === 0 && !kickQueued) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
