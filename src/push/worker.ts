// The outbox worker: sends due jobs with bounded concurrency, encrypting each message just
// before it goes out (memory stays flat however many devices), and records each answer:
// 2xx delivered, 404/410 subscription removed, 400/403/413 refused (dropped when repeated),
// anything else transient: retried with a backoff that grows with the device's failures in a
// row (up to hours), the device kept and marked failing. One timer waits for the next retry.
// The pick is the due board's (due-board.ts): fair by host and account at a cost that does
// not grow with the outbox; a delivery that hangs past stallMs gives its slots to the next devices.
import { transaction, type Db } from '../db.ts';
import type { Clock } from '../clock.ts';
import { truncateEndpoint, type Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { VapidSigner } from './authorization.ts';
import { sendToDevice } from './deliver.ts';
import { DueBoard } from './due-board.ts';
import {
  backoffDelay,
  deleteJob,
  jobsAfter,
  jobToSend,
  postponeJob,
  recordDelivered,
  type JobKey,
  type OutboxJob,
} from './outbox.ts';
import { countFailure, countPermanentFailure, removeGoneSubscription } from './subscriptions.ts';
import { originStamper } from './declarative.ts';
import type { SendOutcome, Transport } from './transport.ts';

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
  /**
   * A delivery in flight this long (default 1 s; push services answer in well under that) stops
   * counting against its host's and account's share and the concurrency, so a hanging endpoint
   * does not keep healthy devices waiting. Such stalled deliveries are bounded by the same
   * shares again; past that they keep their slots.
   */
  stallMs?: number;
  random?: () => number;
  /** How long answers wait to be recorded together (default 50 ms); 2 × concurrency of them (at least 64) are recorded at once. */
  flushDelayMs?: number;
  /** Outbox rows read into the due board at a time (default 2,048: a bound on one read's hold of the event loop). */
  loadChunk?: number;
  /** Jobs the board holds at most (default 65,536, ~100 bytes each); rows past them wait in SQLite until it drains. */
  boardMax?: number;
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
  /** Answers recorded and the transactions (commits) they took (the tests read it). */
  readonly stats: { commits: number; answers: number };
}

interface Done {
  job: OutboxJob;
  outcome: SendOutcome;
}

export function createOutboxWorker(deps: WorkerDeps, options: WorkerOptions): OutboxWorker {
  const { db, clock, log, metrics } = deps;
  const board = new DueBoard();
  const loadChunk = options.loadChunk ?? 2_048;
  const boardMax = options.boardMax ?? 65_536;
  const flushDelayMs = options.flushDelayMs ?? 50;
  const flushAt = Math.max(64, options.concurrency * 2);
  /** Reads in one look can fill the board and replace what it starts: (boardMax + concurrency) / loadChunk. */
  // Stryker disable next-line all: a bound fill() never reaches (see there)
  const readsMax = Math.ceil((boardMax + options.concurrency) / loadChunk) + 1;
  /** The highest outbox id read into the board; rows after it are read as the board has room. */
  let cursor = 0;
  /** The outbox may hold rows after the cursor: false after a short read, true again on a kick. */
  // Stryker disable next-line BooleanLiteral: equivalent, the first look is a kick's, which sets it
  let moreRows = true;
  /**
   * Kicked: rows were queued after the cursor, read them at the next look (not after the board's
   * due jobs). The first look reads whatever this says, its board being empty.
   */
  // Stryker disable next-line BooleanLiteral: equivalent, see above
  let newRows = true;
  const inFlight = new Set<Promise<void>>();
  const perHost = options.perHost ?? Math.max(1, Math.ceil(options.concurrency / 2));
  const perUser = options.perUser ?? Math.max(1, Math.floor(options.concurrency / 8));
  const stallMs = options.stallMs ?? 1_000;
  const busyHosts = new Map<string, number>();
  const busyUsers = new Map<string, number>();
  const stalledHosts = new Map<string, number>();
  const stalledUsers = new Map<string, number>();
  /** Deliveries in flight that count against the concurrency (stalled ones do not). */
  let active = 0;
  let stalled = 0;
  const bump = (map: Map<string, number>, key: string, by: number) => {
    const n = (map.get(key) ?? 0) + by;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: memory only, a count of 0 kept reads as one deleted
    if (n > 0) map.set(key, n);
    else map.delete(key);
  };
  const hostHasRoom = (host: string) => (busyHosts.get(host) ?? 0) < perHost;
  const userHasRoom = (userId: string) => (busyUsers.get(userId) ?? 0) < perUser;
  let done: Done[] = [];
  /** Armed while answers wait to be recorded together. */
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let stopping = false;
  /** The pump's one clock timer: the next job's due time, or a look again after a failed read. */
  let timer: unknown;
  /** The clock timer that writes the answers again after a failed write. */
  let rewriteTimer: unknown;
  let idleWaiters: (() => void)[] = [];
  let kickQueued = false;
  const stampOrigin = originStamper(() => deps.origin?.());
  const stats = { commits: 0, answers: 0 };

  /** Sets the pump's one timer to `at` (none when undefined), replacing the one before. */
  function pumpAt(at: number | undefined): void {
    clock.clearTimeout(timer);
    timer = undefined;
    if (at === undefined) return;
    timer = clock.setTimeout(() => {
      timer = undefined;
      pump();
    }, at - clock.now());
  }

  /** Arms the timer for the board's first job not yet due, or looks again at once if it is due by now. */
  function armTimer(): void {
    const at = board.nextDueAt();
    // Due already by the clock's latest read (a timer that fired a millisecond early): look again.
    // (A timer still armed then is replaced at that look.)
    if ((at ?? Infinity) <= clock.now()) setImmediate(pump);
    else pumpAt(at);
  }

  function pump(): void {
    if (stopping || !db.isOpen) return;
    try {
      fill();
    } catch (err) {
      // Never an unhandled error from a timer or a promise: log, and look again shortly.
      log.error('push outbox worker failed; retrying in 5 s', { error: (err as Error).message });
      pumpAt(clock.now() + RETRY_AFTER_FAILURE_MS);
    }
  }

  /** Reads the next rows of the outbox into the board (a range on the primary key). */
  function load(now: number): void {
    const rows = jobsAfter(db, cursor, loadChunk);
    for (const row of rows) board.add(row, now);
    if (rows.length > 0) cursor = rows.at(-1)!.id;
    if (rows.length < loadChunk) moreRows = false;
  }

  function fill(): void {
    const lookedAt = clock.now();
    // Read on a kick, or to top the board up once it runs low, never past its bound.
    if (moreRows && (newRows || board.size < loadChunk) && board.size < boardMax) {
      newRows = false;
      load(lookedAt);
    }
    board.promote(lookedAt);
    let reads = 0;
    /** Jobs postponed by another process since they were read: back on the board after this look. */
    const later: JobKey[] = [];
    while (active < options.concurrency) {
      const key = board.pick(hostHasRoom, userHasRoom);
      if (!key) {
        // Every due job on the board waits for its host or account: read further, while there is room.
        if (moreRows && board.size < boardMax) {
          // A second bound the first always reaches before (a read that fills the board or finds
          // the end of the outbox is the last): kept so that no change to the first makes the loop endless.
          // Stryker disable next-line ConditionalExpression,EqualityOperator,UpdateOperator: see above
          if (reads++ > readsMax) break;
          load(lookedAt);
          continue;
        }
        break;
      }
      // Off the board, the job is this worker's until its answer is recorded: it cannot be picked twice.
      const job = jobToSend(db, key.id);
      // Gone (its device removed, or answered by another process's worker): nothing to send.
      if (!job) continue;
      // Postponed by another process's worker since it was read: back on the board at its new
      // time once this look is over (so it cannot be picked again in it).
      if (job.dueAt > lookedAt) {
        later.push({ ...key, dueAt: job.dueAt });
        continue;
      }
      start(job);
    }
    for (const key of later) board.add(key, lookedAt);
    armTimer();
    if (inFlight.size === 0 && done.length === 0) settleIdle();
  }

  function start(job: OutboxJob): void {
    /** Past stallMs it stopped counting against the shares and the concurrency (see WorkerOptions.stallMs). */
    let isStalled = false;
    active++;
    bump(busyHosts, job.host, 1);
    bump(busyUsers, job.userId, 1);
    const stallTimer = clock.setTimeout(() => {
      // After stop() nothing starts again: this guard only saves work.
      // Stryker disable next-line ConditionalExpression: see above
      if (stopping) return;
      // Stalled deliveries are bounded by the same shares: past them a hanging one keeps its slots.
      if (
        stalled >= options.concurrency ||
        (stalledHosts.get(job.host) ?? 0) >= perHost ||
        (stalledUsers.get(job.userId) ?? 0) >= perUser
      )
        return;
      isStalled = true;
      active--;
      bump(busyHosts, job.host, -1);
      bump(busyUsers, job.userId, -1);
      stalled++;
      bump(stalledHosts, job.host, 1);
      bump(stalledUsers, job.userId, 1);
      pump();
    }, stallMs);
    const p = deliver(job).then(
      (outcome) => finish({ job, outcome }),
      (err: Error) => finish({ job, outcome: { kind: 'failed', reason: err.message } }),
    );
    inFlight.add(p);
    p.finally(() => {
      clock.clearTimeout(stallTimer);
      inFlight.delete(p);
      if (isStalled) {
        stalled--;
        bump(stalledHosts, job.host, -1);
        bump(stalledUsers, job.userId, -1);
      } else {
        active--;
        bump(busyHosts, job.host, -1);
        bump(busyUsers, job.userId, -1);
      }
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
    // Answers are recorded in batches, one transaction (one WAL write) for many deliveries;
    // until then the jobs stay claimed, and a crash only means a resend.
    if (done.length >= flushAt) flush();
    else if (flushTimer === undefined) flushTimer = setTimeout(flush, flushDelayMs);
  }

  function flush(): void {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    // This write supersedes one waiting to be tried again.
    clock.clearTimeout(rewriteTimer);
    const batch = done;
    done = [];
    if (batch.length === 0 || !db.isOpen) return;
    const now = clock.now();
    /** Jobs answered but kept (retries): back on the board at their new time once committed. */
    const kept: JobKey[] = [];
    try {
      transaction(db, () => {
        const delivered: OutboxJob[] = [];
        for (const item of batch) {
          if (item.outcome.kind === 'success') delivered.push(item.job);
          else {
            const dueAt = record(item, now);
            if (dueAt !== undefined)
              kept.push({ id: item.job.id, dueAt, userId: item.job.userId, host: item.job.host });
          }
        }
        recordDelivered(db, delivered, now);
        metrics?.pushSent.inc({ result: 'success' }, delivered.length);
      });
    } catch (err) {
      // Rolled back: the answers are kept (their jobs stay claimed) and recorded later.
      done = batch.concat(done);
      log.error('recording push results failed; retrying in 5 s', { error: (err as Error).message });
      if (!stopping) {
        rewriteTimer = clock.setTimeout(flush, RETRY_AFTER_FAILURE_MS);
      }
      return;
    }
    stats.commits++;
    stats.answers += batch.length;
    for (const key of kept) board.add(key, now);
    for (const { job, outcome } of batch) deps.onRecorded?.(job, outcome);
    // A look now, even while every slot is held by a hanging delivery: it arms the timer for the
    // retries just put back, and lets idle() go once nothing is left.
    pump();
  }

  /** Records an answer other than a delivery (flush records those together); a retry's new due time. */
  function record({ job, outcome }: Done, now: number): number | undefined {
    const endpoint = truncateEndpoint(job.endpoint);
    switch (outcome.kind) {
      case 'gone':
        // The device unsubscribed or the browser dropped it: its other jobs go with it.
        removeGoneSubscription(db, job.subscriptionId);
        metrics?.pushSent.inc({ result: 'gone' });
        log.info('push subscription gone, removed', { endpoint, status: outcome.status });
        return undefined;
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
          return undefined;
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
        // Stryker disable next-line ArithmeticOperator: equivalent, a job picked before its time is put back at the time the outbox has (fill())
        return now + delay;
      }
      case 'failed':
        deleteJob(db, job.id);
        metrics?.pushSent.inc({ result: 'failed' });
        log.warn('push refused', { endpoint, status: outcome.status, reason: outcome.reason });
        // A device the push service keeps refusing only costs work: after a few in a row it goes.
        if (countPermanentFailure(db, job.subscriptionId, outcome.reason, now))
          log.info('push subscription refused too often, removed', { endpoint, reason: outcome.reason });
        return undefined;
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
        moreRows = true;
        newRows = true;
        pump();
      });
    },
    async stop() {
      stopping = true;
      // The timer for rewriting answers is cleared by the last flush below.
      pumpAt(undefined);
      // No delivery starts once stopping (pump() returns at once): one wait covers them all.
      await Promise.allSettled([...inFlight]);
      flush();
      settleIdle();
    },
    idle() {
      if (inFlight.size === 0 && done.length === 0 && !kickQueued) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    stats,
  };
}
