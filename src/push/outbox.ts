// The outbox: one persisted job per (notification, device). A job is written in the same
// transaction that decides to notify, and deleted only once the push service has answered
// for good, so a crash at any point resends rather than loses (the Topic/tag make a rare
// duplicate replace the first).
import { prepared, type Db } from '../db.ts';
import type { Locale, PushMessage } from './messages.ts';
import { countNotified, badgeOf } from './badges.ts';
import { declarative } from './declarative.ts';
import type { Urgency } from './transport.ts';

export interface OutboxJob {
  id: number;
  subscriptionId: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  payload: string;
  topic: string | null;
  urgency: Urgency;
  attempts: number;
  /** The device's account and push-service host, for fairness. */
  userId: string;
  host: string;
}

/**
 * Queues message for every device of the user; message is made per device locale, with the
 * declarative members and the user's badge. A message about changes (`data.logbookId` and
 * `data.changeCount`) that reaches a device adds them to the badge. Returns the number of
 * jobs. Call inside the transaction that decided to notify. `urgency` is RFC 8030's: `high`
 * for what must ring now even on a phone saving its battery (a watch reminder).
 */
export function queueForUser(
  db: Db,
  userId: string,
  message: (locale: Locale) => PushMessage,
  topic: string | null,
  now: number,
  urgency: Urgency = 'normal',
): number {
  // A subscription past the expirationTime its browser gave is dead at the push service: no job.
  const devices = prepared(
    db,
    'SELECT id, locale FROM push_subscriptions WHERE user_id = ? AND (expiration_time IS NULL OR expiration_time > ?)',
  ).all(userId, now) as { id: string; locale: Locale }[];
  const insert = prepared(
    db,
    'INSERT INTO push_outbox (subscription_id, payload, topic, urgency, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, 0, ?, ?)',
  );
  const payloads = new Map<Locale, string>();
  let badge: number | undefined;
  for (const device of devices) {
    let payload = payloads.get(device.locale);
    if (payload === undefined) {
      const made = message(device.locale);
      badge ??= badgeAfter(db, userId, made);
      payloads.set(device.locale, (payload = JSON.stringify(declarative(made, device.locale, badge))));
    }
    insert.run(device.id, payload, topic, urgency, now, now);
  }
  return devices.length;
}

function badgeAfter(db: Db, userId: string, message: PushMessage): number {
  const { logbookId, changeCount } = message.data;
  return typeof logbookId === 'string' && typeof changeCount === 'number'
    ? countNotified(db, userId, logbookId, changeCount)
    : badgeOf(db, userId);
}

/** Queues one message for one device and returns the job's id (`crewbell push test` waits for its answer). */
export function queueForDevice(db: Db, subscriptionId: string, payload: string, now: number): number {
  const insert = prepared(
    db,
    'INSERT INTO push_outbox (subscription_id, payload, topic, urgency, attempts, next_attempt_at, created_at) VALUES (?, ?, NULL, ?, 0, ?, ?)',
  );
  return Number(insert.run(subscriptionId, payload, 'normal', now, now).lastInsertRowid);
}

/** A job as the due board keeps it: its id, when it is due, and what fairness counts by. */
export interface JobKey {
  id: number;
  dueAt: number;
  userId: string;
  host: string;
}

/**
 * The next `limit` jobs after id `afterId`, in id order: how the worker's in-memory due board
 * is built at start and learns of new rows, a range read on the primary key whatever the depth.
 */
export function jobsAfter(db: Db, afterId: number, limit: number): JobKey[] {
  return prepared(
    db,
    `SELECT o.id, o.next_attempt_at AS dueAt, s.user_id AS userId, s.host
       FROM push_outbox o JOIN push_subscriptions s ON s.id = o.subscription_id
      WHERE o.id > ? ORDER BY o.id LIMIT ?`,
  ).all(afterId, limit) as unknown as JobKey[];
}

/** One job with what sending it needs, and when it is due; undefined once it is gone. */
export function jobToSend(db: Db, id: number): (OutboxJob & { dueAt: number }) | undefined {
  return prepared(
    db,
    `SELECT o.id, o.subscription_id AS subscriptionId, s.endpoint, s.p256dh, s.auth, o.payload, o.topic, o.urgency,
            o.attempts, s.user_id AS userId, s.host, o.next_attempt_at AS dueAt
       FROM push_outbox o JOIN push_subscriptions s ON s.id = o.subscription_id WHERE o.id = ?`,
  ).get(id) as unknown as (OutboxJob & { dueAt: number }) | undefined;
}

/**
 * Delivered jobs: deleted, and their devices marked used (and no longer failing), in two statements for the whole
 * batch (ids passed as one JSON array).
 */
export function recordDelivered(db: Db, jobs: readonly Pick<OutboxJob, 'id' | 'subscriptionId'>[], now: number): void {
  prepared(db, 'DELETE FROM push_outbox WHERE id IN (SELECT value FROM json_each(?))').run(
    JSON.stringify(jobs.map((j) => j.id)),
  );
  prepared(
    db,
    `UPDATE push_subscriptions SET last_used_at = ?, failures = 0, permanent_failures = 0, failing_since = NULL, failing_reason = NULL
      WHERE id IN (SELECT value FROM json_each(?))`,
  ).run(now, JSON.stringify([...new Set(jobs.map((j) => j.subscriptionId))]));
}

/** Jobs waiting, including ones waiting for a retry (the /metrics outbox depth). */
export function outboxDepth(db: Db): number {
  return (prepared(db, 'SELECT COUNT(*) AS n FROM push_outbox').get() as { n: number }).n;
}

export function deleteJob(db: Db, id: number): void {
  prepared(db, 'DELETE FROM push_outbox WHERE id = ?').run(id);
}

export function postponeJob(db: Db, id: number, attempts: number, nextAttemptAt: number, error: string): void {
  prepared(db, 'UPDATE push_outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?').run(
    attempts,
    nextAttemptAt,
    error.slice(0, 200),
    id,
  );
}

/** Longest wait before a retry, whatever a push service asks for: a device failing for long is tried every few hours. */
export const MAX_RETRY_DELAY_MS = 6 * 3_600_000;

/**
 * How long to wait before retry number `retry` (1 for the first retry): a push service's
 * Retry-After wins; otherwise base doubling per retry, with "equal jitter" (half fixed,
 * half random) so that a burst of failures does not come back as a burst.
 */
export function backoffDelay(
  retry: number,
  baseMs: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), MAX_RETRY_DELAY_MS);
  const exponential = Math.min(baseMs * 2 ** Math.max(0, retry - 1), MAX_RETRY_DELAY_MS);
  return Math.round(exponential / 2 + random() * (exponential / 2));
}
