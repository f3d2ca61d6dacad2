// The admin's broadcast: one short message to every device of every account (`crewbell push
// broadcast`, POST /api/admin/push/broadcast), queued in the outbox in one transaction and sent
// by the worker with its usual fairness. One at a time and a few a day: a broadcast wakes everyone.
import { prepared, transaction, type Db } from '../db.ts';
import type { PushMessage } from './messages.ts';

/** Broadcasts in any 24 hours at most. */
export const BROADCASTS_PER_DAY = 3;
export const DAY_MS = 86_400_000;
export const MAX_BROADCAST_TITLE = 100;
export const MAX_BROADCAST_BODY = 500;
/** Its Topic: a broadcast not yet delivered to a device is replaced by the next one. */
export const BROADCAST_TOPIC = 'broadcast';

/**
 * The broadcast with the declarative members too (Safari 18.4+ shows it without a service
 * worker running; `navigate` is made absolute at sending, declarative.ts). It has no logbook,
 * so it leaves the app badge as it is; and no `lang`: the admin's words are in no device's
 * language; not `mutable`: there is nothing for the device to decrypt.
 */
export function broadcastMessage(title: string, body: string): PushMessage & { web_push: 8030; notification: object } {
  return {
    web_push: 8030,
    notification: { title, body, navigate: '/', tag: 'broadcast' },
    title,
    body,
    tag: 'broadcast',
    renotify: true,
    data: { url: '/', kind: 'broadcast' },
  };
}

export interface Broadcast {
  id: number;
  createdAt: number;
  /** Jobs queued, one per device. */
  devices: number;
  /** Jobs still in the outbox (waiting, in flight or waiting for a retry). */
  remaining: number;
  /** The outbox ids of its jobs. */
  firstJob: number;
  lastJob: number;
}

/** Why a broadcast may not start now, and in how many seconds to ask again. */
export class BroadcastRefused extends Error {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

interface Row {
  id: number;
  created_at: number;
  devices: number;
  first_job: number | null;
  last_job: number | null;
}

function remainingOf(db: Db, row: Row): number {
  if (row.first_job === null || row.last_job === null) return 0;
  return (
    prepared(db, 'SELECT COUNT(*) AS n FROM push_outbox WHERE id BETWEEN ? AND ?').get(row.first_job, row.last_job) as {
      n: number;
    }
  ).n;
}

const toBroadcast = (db: Db, row: Row): Broadcast => ({
  id: row.id,
  createdAt: row.created_at,
  devices: row.devices,
  remaining: remainingOf(db, row),
  firstJob: row.first_job ?? 0,
  lastJob: row.last_job ?? -1,
});

/** The newest broadcast, with how many of its jobs are left. */
export function latestBroadcast(db: Db): Broadcast | undefined {
  const row = prepared(
    db,
    'SELECT id, created_at, devices, first_job, last_job FROM push_broadcasts ORDER BY id DESC LIMIT 1',
  ).get() as Row | undefined;
  return row ? toBroadcast(db, row) : undefined;
}

/**
 * Queues the message for every device that has not expired, in one transaction, after the
 * rate limit: refused while the last broadcast still has jobs in the outbox, or when
 * BROADCASTS_PER_DAY were started in the last 24 hours. `by` is the admin (null: the CLI).
 */
export function startBroadcast(db: Db, message: PushMessage, by: string | null, now: number): Broadcast {
  return transaction(db, () => {
    const last = latestBroadcast(db);
    if (last && last.remaining > 0)
      throw new BroadcastRefused(
        `the last broadcast is still being sent (${last.remaining} of ${last.devices} devices left)`,
        60,
      );
    const today = prepared(
      db,
      'SELECT created_at FROM push_broadcasts WHERE created_at > ? ORDER BY created_at LIMIT ?',
    ).all(now - DAY_MS, BROADCASTS_PER_DAY) as { created_at: number }[];
    if (today.length >= BROADCASTS_PER_DAY) {
      const seconds = Math.max(1, Math.ceil((today[0]!.created_at + DAY_MS - now) / 1000));
      throw new BroadcastRefused(`at most ${BROADCASTS_PER_DAY} broadcasts a day; the next in ${seconds} s`, seconds);
    }
    const before = (
      prepared(db, "SELECT COALESCE(MAX(seq), 0) AS seq FROM sqlite_sequence WHERE name = 'push_outbox'").get() as {
        seq: number;
      }
    ).seq;
    // One payload for everyone (the admin's words, in no device's language): one statement.
    const queued = prepared(
      db,
      `INSERT INTO push_outbox (subscription_id, payload, topic, urgency, attempts, next_attempt_at, created_at)
       SELECT id, ?, ?, 'normal', 0, ?, ? FROM push_subscriptions
        WHERE expiration_time IS NULL OR expiration_time > ? ORDER BY rowid`,
    ).run(JSON.stringify(message), BROADCAST_TOPIC, now, now, now);
    const devices = Number(queued.changes);
    const lastJob = devices > 0 ? Number(queued.lastInsertRowid) : null;
    const id = Number(
      prepared(
        db,
        'INSERT INTO push_broadcasts (created_by, created_at, devices, first_job, last_job) VALUES (?, ?, ?, ?, ?)',
      ).run(by, now, devices, devices > 0 ? before + 1 : null, lastJob).lastInsertRowid,
    );
    return { id, createdAt: now, devices, remaining: devices, firstJob: before + 1, lastJob: lastJob ?? before };
  });
}
