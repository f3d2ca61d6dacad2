// Whether push can reach a user at all: devices that are not past their expirationTime and
// have not been refused for good since their last delivery. notify sends an email instead
// when there is none (API.md "Who is notified").
import { prepared, type Db } from '../db.ts';

export function reachableDevices(db: Db, userId: string, now: number): number {
  return (
    prepared(
      db,
      `SELECT COUNT(*) AS n FROM push_subscriptions
        WHERE user_id = ? AND (expiration_time IS NULL OR expiration_time > ?) AND permanent_failures = 0`,
    ).get(userId, now) as { n: number }
  ).n;
}

/** Devices that can take a push now: reachable, and not failing since their last delivery. */
export function healthyDevices(db: Db, userId: string, now: number): number {
  return (
    prepared(
      db,
      `SELECT COUNT(*) AS n FROM push_subscriptions
        WHERE user_id = ? AND (expiration_time IS NULL OR expiration_time > ?) AND permanent_failures = 0
          AND failing_since IS NULL`,
    ).get(userId, now) as { n: number }
  ).n;
}
