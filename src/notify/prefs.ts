// Notification preferences per user (notify owns them: they decide whether someone is
// notified). The account switch is off until the user turns it on; quiet hours are wall-clock
// times in the user's zone; emailWhenNoPush is on unless turned off (it acts once verified).
import { prepared, type Db } from '../db.ts';
import type { NotifyPrefs, QuietHours } from '../wire/notify.ts';

export type { NotifyPrefs, QuietHours } from '../wire/notify.ts';

interface PrefsRow {
  on_: number;
  quiet_from: string | null;
  quiet_to: string | null;
  quiet_time_zone: string | null;
  email: number | null;
}

export function notifyPrefs(db: Db, userId: string): NotifyPrefs {
  const row = prepared(
    db,
    `SELECT collaborator_changes_enabled AS on_, quiet_from, quiet_to, quiet_time_zone, email_when_no_push AS email
       FROM notify_prefs WHERE user_id = ?`,
  ).get(userId) as PrefsRow | undefined;
  const quiet =
    row?.quiet_from && row.quiet_to && row.quiet_time_zone
      ? { from: row.quiet_from, to: row.quiet_to, timeZone: row.quiet_time_zone }
      : null;
  return { collaboratorChangesEnabled: row?.on_ === 1, quietHours: quiet, emailWhenNoPush: row?.email !== 0 };
}

export function quietHoursOf(db: Db, userId: string): QuietHours | null {
  return notifyPrefs(db, userId).quietHours;
}

/** Changes only the fields given (undefined = leave as it is; quietHours null = none). */
export function updateNotifyPrefs(db: Db, userId: string, change: Partial<NotifyPrefs>, now: number): NotifyPrefs {
  const next = {
    ...notifyPrefs(db, userId),
    ...Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)),
  } as NotifyPrefs;
  const q = next.quietHours;
  prepared(
    db,
    `INSERT INTO notify_prefs (user_id, collaborator_changes_enabled, quiet_from, quiet_to, quiet_time_zone, email_when_no_push, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (user_id) DO UPDATE SET collaborator_changes_enabled = excluded.collaborator_changes_enabled,
       quiet_from = excluded.quiet_from, quiet_to = excluded.quiet_to, quiet_time_zone = excluded.quiet_time_zone,
       email_when_no_push = excluded.email_when_no_push, updated_at = excluded.updated_at`,
  ).run(
    userId,
    next.collaboratorChangesEnabled ? 1 : 0,
    q?.from ?? null,
    q?.to ?? null,
    q?.timeZone ?? null,
    next.emailWhenNoPush ? 1 : 0,
    now,
  );
  return next;
}

export function setCollaboratorChangesEnabled(db: Db, userId: string, enabled: boolean, now: number): boolean {
  return updateNotifyPrefs(db, userId, { collaboratorChangesEnabled: enabled }, now).collaboratorChangesEnabled;
}
