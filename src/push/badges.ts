// The app badge: per recipient and logbook, how many changes they were notified of since
// they last opened the app (POST /api/push/seen). A push carries the sum as `app_badge`.
import { prepared, type Db } from '../db.ts';

/** The most a badge shows (API.md "The push message"). */
export const MAX_BADGE = 99;

/** What the recipient's badge shows now: the sum over their logbooks, at most MAX_BADGE. */
export function badgeOf(db: Db, userId: string): number {
  const row = prepared(db, 'SELECT COALESCE(SUM(changes), 0) AS n FROM push_badges WHERE user_id = ?').get(userId) as {
    n: number;
  };
  return Math.min(row.n, MAX_BADGE);
}

/** The recipient was notified of `changes` more changes in a logbook; returns their badge. */
export function countNotified(db: Db, userId: string, logbookId: string, changes: number): number {
  if (changes > 0) {
    // Capped per row too, so that a logbook nobody opens for years stays a small number. A
    // logbook that is gone counts nothing (and never fails the notification's transaction).
    prepared(
      db,
      `INSERT INTO push_badges (user_id, logbook_id, changes)
         SELECT ?, id, min(?, ${MAX_BADGE}) FROM logbooks WHERE id = ?
       ON CONFLICT (user_id, logbook_id) DO UPDATE SET changes = min(changes + excluded.changes, ${MAX_BADGE})`,
    ).run(userId, changes, logbookId);
  }
  return badgeOf(db, userId);
}

/** The recipient has seen the changes of one logbook, or of all when logbookId is left out. */
export function markSeen(db: Db, userId: string, logbookId?: string): void {
  if (logbookId === undefined) prepared(db, 'DELETE FROM push_badges WHERE user_id = ?').run(userId);
  else prepared(db, 'DELETE FROM push_badges WHERE user_id = ? AND logbook_id = ?').run(userId, logbookId);
}
