// Per-logbook notifications for one member: the member's own choice, else the default by role
// (the owner hears changes by others, crew start muted). A muted logbook's changes are dropped
// for that member, not held for later.
import { prepared, type Db } from '../db.ts';

/** Whether changes by others in the logbook notify the user; undefined when the user is not aboard. */
export function logbookNotificationsEnabled(db: Db, userId: string, logbookId: string): boolean | undefined {
  const row = prepared(
    db,
    `SELECT l.owner_id = ?1 AS isOwner, s.enabled AS enabled
       FROM logbooks l LEFT JOIN notify_logbook_switch s ON s.user_id = ?1 AND s.logbook_id = l.id
      WHERE l.id = ?2 AND (l.owner_id = ?1 OR EXISTS (SELECT 1 FROM logbook_members m WHERE m.logbook_id = l.id AND m.user_id = ?1))`,
  ).get(userId, logbookId) as { isOwner: number; enabled: number | null } | undefined;
  if (!row) return undefined;
  return (row.enabled ?? row.isOwner) === 1;
}

export function setLogbookNotifications(
  db: Db,
  userId: string,
  logbookId: string,
  enabled: boolean,
  now: number,
): boolean {
  prepared(
    db,
    `INSERT INTO notify_logbook_switch (user_id, logbook_id, enabled, changed_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (user_id, logbook_id) DO UPDATE SET enabled = excluded.enabled, changed_at = excluded.changed_at`,
  ).run(userId, logbookId, enabled ? 1 : 0, now);
  return enabled;
}

/**
 * The members a change by `writerId` should reach: everyone aboard but the writer whose
 * switch for this logbook is on (the account switch is looked at when the row falls due).
 */
export function recipientsOfChange(db: Db, logbookId: string, writerId: string | undefined): string[] {
  const rows = prepared(
    db,
    `SELECT m.user_id AS userId FROM (
         SELECT owner_id AS user_id, 1 AS is_owner FROM logbooks WHERE id = ?1
         UNION ALL SELECT user_id, 0 FROM logbook_members WHERE logbook_id = ?1
       ) m LEFT JOIN notify_logbook_switch s ON s.user_id = m.user_id AND s.logbook_id = ?1
      WHERE m.user_id IS NOT ?2 AND COALESCE(s.enabled, m.is_owner) = 1`,
  ).all(logbookId, writerId ?? null) as { userId: string }[];
  return rows.map((r) => r.userId);
}
