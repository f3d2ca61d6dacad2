// The email worker: sends what the email outbox holds through the relay, one at a time (a Pi's
// relay is a mail provider's, not a push service's: a handful an hour). A refusal or a hanging
// relay keeps the row for a retry with backoff; after the last retry it is dropped and logged.
import type { Clock } from '../clock.ts';
import type { Db } from '../db.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { addressOf, unsubscribePath } from './addresses.ts';
import { composeEmail } from './compose.ts';
import { deleteEmail, dueEmails, nextEmailAt, postponeEmail, type EmailJob } from './outbox.ts';
import { relayError, type Relay } from './relay.ts';

export interface EmailWorkerOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  metrics?: Metrics | undefined;
  relay: Relay;
  /** The public origin links point to (known once the server listens). */
  origin: () => string;
  /** Retries after the first attempt. */
  retries: number;
  /** First backoff; doubles per retry, with jitter, at most an hour. */
  retryBaseMs: number;
}

export interface EmailWorker {
  /** Something was queued: send what is due. */
  kick(): void;
  /** Resolves once nothing is being sent and nothing is due now (tests). */
  idle(): Promise<void>;
  /** Waits for the email being sent (at most 5 s), then stops. */
  stop(): Promise<void>;
}

const MAX_DELAY_MS = 3_600_000;
/** How long stop() waits for the email being sent. */
const STOP_WAIT_MS = 5_000;

export function createEmailWorker(options: EmailWorkerOptions): EmailWorker {
  const { db, clock, log, relay } = options;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let timer: unknown;
  let timerAt = Infinity;

  function arm(at: number): void {
    if (stopped || at >= timerAt) return;
    if (timer !== undefined) clock.clearTimeout(timer);
    timerAt = at;
    timer = clock.setTimeout(
      () => {
        timer = undefined;
        timerAt = Infinity;
        kick();
      },
      Math.max(0, at - clock.now()),
    );
  }

  async function sendOne(job: EmailJob): Promise<void> {
    const to = addressOf(db, job.userId);
    // A verification goes to the address being verified; anything else only to a verified one.
    if (!to || (job.kind !== 'verify' && !to.verified)) {
      deleteEmail(db, job.id);
      return;
    }
    const origin = options.origin();
    const unsubscribe = job.kind === 'verify' ? undefined : `${origin}${unsubscribePath(to.unsubscribeToken)}`;
    const email = composeEmail(job.kind, to.locale, origin, job.path, unsubscribe);
    try {
      await relay.send(to.address, email);
      if (db.isOpen) deleteEmail(db, job.id);
      options.metrics?.emailSent.inc({ result: 'success' });
      log.info('email sent', { kind: job.kind, attempts: job.attempts + 1 });
    } catch (err) {
      if (!db.isOpen) return;
      const attempts = job.attempts + 1;
      const error = relayError(err);
      if (attempts > options.retries) {
        deleteEmail(db, job.id);
        options.metrics?.emailSent.inc({ result: 'failed' });
        log.error('email failed for good', { kind: job.kind, attempts, error });
        return;
      }
      const base = Math.min(options.retryBaseMs * 2 ** (attempts - 1), MAX_DELAY_MS);
      postponeEmail(db, job.id, attempts, clock.now() + Math.round(base / 2 + Math.random() * (base / 2)), error);
      options.metrics?.emailSent.inc({ result: 'retry' });
      log.warn('email not sent; will retry', { kind: job.kind, attempts, error });
    }
  }

  async function run(): Promise<void> {
    do {
      again = false;
      while (!stopped && db.isOpen) {
        const [job] = dueEmails(db, clock.now(), 1, new Set());
        if (!job) break;
        await sendOne(job);
      }
    } while (again && !stopped);
    if (!stopped && db.isOpen) {
      // The earliest, even one that fell due since the loop looked (arm() then fires at once):
      // asking only for later ones left such an email waiting for the next kick.
      const next = nextEmailAt(db);
      if (next !== undefined) arm(next);
    }
  }

  function kick(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = run()
      .catch((err) => log.error('email worker failed', { error: (err as Error).message }))
      .finally(() => {
        running = undefined;
      });
  }

  return {
    kick,
    async idle() {
      while (running) await running;
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      // A hanging relay does not hold up the shutdown: the email stays in the outbox for the next start.
      let wait: NodeJS.Timeout | undefined;
      await Promise.race([running, new Promise((resolve) => (wait = setTimeout(resolve, STOP_WAIT_MS)))]);
      clearTimeout(wait);
      relay.close();
    },
  };
}
