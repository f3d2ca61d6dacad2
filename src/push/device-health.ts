// How each device is doing, for its owner (GET /api/push/devices, the settings page) and the
// operator (`crewbell doctor`): when it last opened the app and got a message, and whether
// deliveries to it are failing, with the reason in words.
import { prepared, type Db } from '../db.ts';
import type { Locale } from './messages.ts';

export interface DeviceHealth {
  id: string;
  /** Only the push service's host: the endpoint itself identifies the device. */
  endpointHost: string;
  locale: Locale;
  createdAt: number;
  lastSeenAt: number | null;
  lastDeliveredAt: number | null;
  failingSince: number | null;
  failingReason: string | null;
}

function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return '';
  }
}

/** The account's own devices, oldest first. */
export function devicesHealth(db: Db, userId: string): DeviceHealth[] {
  const rows = prepared(
    db,
    `SELECT id, endpoint, locale, created_at AS createdAt, last_seen_at AS lastSeenAt, last_used_at AS lastDeliveredAt,
            failing_since AS failingSince, failing_reason AS failingReason
       FROM push_subscriptions WHERE user_id = ? ORDER BY created_at, id`,
  ).all(userId) as unknown as (DeviceHealth & { endpoint: string })[];
  return rows.map(({ endpoint, ...row }) => ({ ...row, endpointHost: hostOf(endpoint) }));
}

/** Removes one of the account's own devices by id; true when there was one. */
export function removeDevice(db: Db, userId: string, id: string): boolean {
  return (
    Number(prepared(db, 'DELETE FROM push_subscriptions WHERE id = ? AND user_id = ?').run(id, userId).changes) > 0
  );
}

export interface FailingSummary {
  devices: number;
  failing: number;
  /** The most common reasons, most devices first: [reason, devices]. */
  reasons: [string, number][];
  /** When the longest-failing device started failing. */
  since: number | null;
}

/** For doctor: how many devices fail, and why. */
export function failingSummary(db: Db): FailingSummary {
  const total = prepared(db, 'SELECT COUNT(*) AS n, MIN(failing_since) AS since FROM push_subscriptions').get() as {
    n: number;
    since: number | null;
  };
  const reasons = prepared(
    db,
    `SELECT COALESCE(failing_reason, 'unknown') AS reason, COUNT(*) AS n FROM push_subscriptions
      WHERE failing_since IS NOT NULL GROUP BY reason ORDER BY n DESC, reason LIMIT 3`,
  ).all() as { reason: string; n: number }[];
  const failing = (
    prepared(db, 'SELECT COUNT(*) AS n FROM push_subscriptions WHERE failing_since IS NOT NULL').get() as { n: number }
  ).n;
  return { devices: total.n, failing, reasons: reasons.map((r) => [r.reason, r.n]), since: total.since };
}
