// Notification preferences per user. Off until the user turns them on: a push is only
// sent to someone who asked for it. Quiet hours are wall-clock times in the user's zone.
import { prepared, type Db } from '../db.ts';
import type { PushPrefs, QuietHours } from '../wire/push.ts';

export type { PushPrefs, QuietHours } from '../wire/push.ts';

interface PrefsRow {
  on_: number;
  quiet_from: string | null;
  quiet_to: string | null;
  quiet_time_zone: string | null;
}

export function pushPrefs(db: Db, userId: string): PushPrefs {
  const row = prepared(
    db,
    'SELECT collaborator_changes_enabled AS on_, quiet_from, quiet_to, quiet_time_zone FROM push_prefs WHERE user_id = ?',
  ).get(userId) as PrefsRow | undefined;
  const quiet =
    row?.quiet_from && row.quiet_to && row.quiet_time_zone
      ? { from: row.quiet_from, to: row.quiet_to, timeZone: row.quiet_time_zone }
      : null;
  return { collaboratorChangesEnabled: row?.on_ === 1, quietHours: quiet };
}

export function collaboratorChangesEnabled(db: Db, userId: string): boolean {
  return pushPrefs(db, userId).collaboratorChangesEnabled;
}

export function quietHoursOf(db: Db, userId: string): QuietHours | null {
  return pushPrefs(db, userId).quietHours;
}

/** Changes only the fields given (undefined = leave as it is; quietHours null = none). */
export function updatePushPrefs(db: Db, userId: string, change: Partial<PushPrefs>, now: number): PushPrefs {
  const next = {
    ...pushPrefs(db, userId),
    ...Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)),
  } as PushPrefs;
  const q = next.quietHours;
  prepared(
    db,
    `INSERT INTO push_prefs (user_id, collaborator_changes_enabled, quiet_from, quiet_to, quiet_time_zone, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (user_id) DO UPDATE SET collaborator_changes_enabled = excluded.collaborator_changes_enabled,
       quiet_from = excluded.quiet_from, quiet_to = excluded.quiet_to, quiet_time_zone = excluded.quiet_time_zone, updated_at = excluded.updated_at`,
  ).run(userId, next.collaboratorChangesEnabled ? 1 : 0, q?.from ?? null, q?.to ?? null, q?.timeZone ?? null, now);
  return next;
}

export function setCollaboratorChangesEnabled(db: Db, userId: string, enabled: boolean, now: number): boolean {
  return updatePushPrefs(db, userId, { collaboratorChangesEnabled: enabled }, now).collaboratorChangesEnabled;
}
