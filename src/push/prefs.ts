// Notification preferences per user. Off until the user turns them on: a push is only
// sent to someone who asked for it.
import { prepared, type Db } from '../db.ts';

export function collaboratorChangesEnabled(db: Db, userId: string): boolean {
  const row = prepared(db, 'SELECT collaborator_changes_enabled AS on_ FROM push_prefs WHERE user_id = ?').get(userId) as { on_: number } | undefined;
  return row?.on_ === 1;
}

export function setCollaboratorChangesEnabled(db: Db, userId: string, enabled: boolean, now: number): boolean {
  prepared(db, 
    `INSERT INTO push_prefs (user_id, collaborator_changes_enabled, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (user_id) DO UPDATE SET collaborator_changes_enabled = excluded.collaborator_changes_enabled, updated_at = excluded.updated_at`,
  ).run(userId, enabled ? 1 : 0, now);
  return enabled;
}
