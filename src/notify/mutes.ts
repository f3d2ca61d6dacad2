// Per-logbook notifications for one user: on unless the user muted the logbook. A muted
// logbook's crew changes are dropped, not held for later.
import { prepared, type Db } from '../db.ts';

export function logbookNotificationsEnabled(db: Db, userId: string, logbookId: string): boolean {
  return (
    prepared(db, 'SELECT 1 FROM notify_muted_logbooks WHERE user_id = ? AND logbook_id = ?').get(userId, logbookId) ===
    undefined
  );
}

export function setLogbookNotifications(
  db: Db,
  userId: string,
  logbookId: string,
  enabled: boolean,
  now: number,
): boolean {
  if (enabled)
    prepared(db, 'DELETE FROM notify_muted_logbooks WHERE user_id = ? AND logbook_id = ?').run(userId, logbookId);
  else
    prepared(db, 'INSERT OR IGNORE INTO notify_muted_logbooks (user_id, logbook_id, muted_at) VALUES (?, ?, ?)').run(
      userId,
      logbookId,
      now,
    );
  return enabled;
}
