// The store of push subscriptions: one row per browser endpoint, bound to the user signed
// in when the browser subscribed. Only push/ writes push_subscriptions.
import { randomUUID } from 'node:crypto';
import { prepared, transaction, type Db } from '../db.ts';
import { truncateEndpoint } from '../log.ts';
import type { Locale } from './messages.ts';

export interface Subscription {
  id: string;
  userId: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  locale: Locale;
}

export interface NewSubscription {
  endpoint: string;
  p256dh: string;
  auth: string;
  expirationTime: number | null;
  locale: Locale;
  vapidPublicKey: string | null;
}

/** Devices one account may have; bounds what one account can make the server send. */
export const MAX_DEVICES_PER_USER = 20;
/** Refusals in a row (400/403/413) after which a device is dropped. */
export const MAX_PERMANENT_FAILURES = 5;

/**
 * Upsert on the endpoint: a browser has one subscription, and it belongs to whoever is
 * signed in on it now (keys and locale are replaced, the id is kept, the device is marked
 * seen: the PWA sends it at every start). Beyond
 * MAX_DEVICES_PER_USER, the account's longest unused devices make room.
 */
export function saveSubscription(db: Db, userId: string, sub: NewSubscription, now: number): string {
  return transaction(db, () => {
    const id = upsertSubscription(db, userId, sub, now);
    prepared(
      db,
      `DELETE FROM push_subscriptions WHERE id IN (
         SELECT id FROM push_subscriptions WHERE user_id = ? AND id != ?
          ORDER BY COALESCE(last_used_at, created_at) DESC, created_at DESC, id LIMIT -1 OFFSET ?)`,
    ).run(userId, id, MAX_DEVICES_PER_USER - 1);
    return id;
  });
}

function upsertSubscription(db: Db, userId: string, sub: NewSubscription, now: number): string {
  const row = prepared(
    db,
    `INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, expiration_time, locale, vapid_public_key, created_at, last_seen_at, failures)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
       ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, p256dh = excluded.p256dh, auth = excluded.auth,
         expiration_time = excluded.expiration_time, locale = excluded.locale, last_seen_at = excluded.last_seen_at,
         vapid_public_key = COALESCE(excluded.vapid_public_key, push_subscriptions.vapid_public_key), failures = 0, permanent_failures = 0
       RETURNING id`,
  ).get(
    randomUUID(),
    userId,
    sub.endpoint,
    sub.p256dh,
    sub.auth,
    sub.expirationTime,
    sub.locale,
    sub.vapidPublicKey,
    now,
    now,
  ) as { id: string };
  return row.id;
}

/** Removes the user's own subscription for endpoint; true when one was removed. */
export function deleteSubscription(db: Db, userId: string, endpoint: string): boolean {
  return (
    Number(
      prepared(db, 'DELETE FROM push_subscriptions WHERE endpoint = ? AND user_id = ?').run(endpoint, userId).changes,
    ) > 0
  );
}

/**
 * Drops every device of the account (a stolen phone): its queued pushes go with it (the
 * outbox cascades). A device still in the owner's hands subscribes again when the app next
 * opens (API.md "Push"). Returns how many were dropped.
 */
export function dropUserDevices(db: Db, userId: string): number {
  return Number(prepared(db, 'DELETE FROM push_subscriptions WHERE user_id = ?').run(userId).changes);
}

/** The push service said the endpoint is gone (404/410). */
export function removeGoneSubscription(db: Db, id: string): void {
  prepared(db, 'DELETE FROM push_subscriptions WHERE id = ?').run(id);
}

export interface Device {
  id: string;
  endpoint: string;
  locale: Locale;
  createdAt: number;
  lastUsedAt: number | null;
}

/** A user's own subscribed devices, endpoints whole (they are the user's own). */
export function devicesOfUser(db: Db, userId: string): Device[] {
  return prepared(
    db,
    'SELECT id, endpoint, locale, created_at AS createdAt, last_used_at AS lastUsedAt FROM push_subscriptions WHERE user_id = ? ORDER BY created_at, id',
  ).all(userId) as unknown as Device[];
}

export function allSubscriptions(db: Db): (Subscription & { username: string })[] {
  return prepared(
    db,
    `SELECT s.id, s.user_id AS userId, s.endpoint, s.p256dh, s.auth, s.locale, u.username FROM push_subscriptions s JOIN users u ON u.id = s.user_id ORDER BY u.username, s.created_at, s.id`,
  ).all() as unknown as (Subscription & { username: string })[];
}

export interface SubscriptionListing {
  id: string;
  userId: string;
  /** For the CLI; the admin API leaves it out. */
  username: string;
  endpoint: string;
  createdAt: number;
  lastUsedAt: number | null;
  failures: number;
}

/** For admins: endpoints truncated (they identify a device), keys left out. */
export function listSubscriptions(db: Db, userId?: string): SubscriptionListing[] {
  const rows = prepared(
    db,
    `SELECT s.id, s.user_id AS userId, u.username, s.endpoint, s.created_at AS createdAt, s.last_used_at AS lastUsedAt, s.failures
         FROM push_subscriptions s JOIN users u ON u.id = s.user_id
        WHERE (? IS NULL OR s.user_id = ?) ORDER BY u.username, s.created_at, s.id`,
  ).all(userId ?? null, userId ?? null) as unknown as SubscriptionListing[];
  return rows.map((r) => ({ ...r, endpoint: truncateEndpoint(r.endpoint) }));
}

export function countSubscriptions(db: Db): number {
  return (prepared(db, 'SELECT COUNT(*) AS n FROM push_subscriptions').get() as { n: number }).n;
}

/** Deletes subscriptions not used or seen (or, if neither, not created) within maxAgeMs, and those past their expirationTime. */
export function pruneSubscriptions(db: Db, now: number, maxAgeMs: number): number {
  return Number(
    prepared(
      db,
      `DELETE FROM push_subscriptions
        WHERE COALESCE(max(last_used_at, last_seen_at), last_used_at, last_seen_at, created_at) < ? OR expiration_time <= ?`,
    ).run(now - maxAgeMs, now).changes,
  );
}

/**
 * The push service refused the message (400/403/413). A device refused MAX_PERMANENT_FAILURES
 * times in a row, with no delivery between, is dropped; true then. Until then it is failing.
 */
export function countPermanentFailure(db: Db, id: string, reason: string, now: number): boolean {
  const row = prepared(
    db,
    `UPDATE push_subscriptions SET failures = failures + 1, permanent_failures = permanent_failures + 1,
       failing_since = COALESCE(failing_since, ?), failing_reason = ? WHERE id = ? RETURNING permanent_failures`,
  ).get(now, reason.slice(0, 200), id) as { permanent_failures: number } | undefined;
  if (!row || row.permanent_failures < MAX_PERMANENT_FAILURES) return false;
  prepared(db, 'DELETE FROM push_subscriptions WHERE id = ?').run(id);
  return true;
}

/**
 * A transient failure (network, DNS, TLS, 5xx, 429…): the device is kept and marked failing
 * with the reason. Returns its failures in a row (the retry backs off by them).
 */
export function countFailure(db: Db, id: string, reason: string, now: number): number {
  const row = prepared(
    db,
    `UPDATE push_subscriptions SET failures = failures + 1, failing_since = COALESCE(failing_since, ?), failing_reason = ?
      WHERE id = ? RETURNING failures`,
  ).get(now, reason.slice(0, 200), id) as { failures: number } | undefined;
  return row?.failures ?? 0;
}

/** When the newest subscription was saved (doctor compares the clock with it). */
export function newestSubscriptionTime(db: Db): number | null {
  return (prepared(db, 'SELECT max(created_at) AS t FROM push_subscriptions').get() as { t: number | null }).t;
}
