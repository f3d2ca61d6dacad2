// A skipper and a READ mate in one logbook, on a bare database: the mate wants the logbook's
// changes by others (account switch and logbook switch on). For the notify unit tests.
import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db.ts';
import { setLogbookNotifications } from '../../src/notify/mutes.ts';
import { updateNotifyPrefs } from '../../src/notify/prefs.ts';
import type { NotifyPrefs } from '../../src/notify/prefs.ts';

export function mateAboard(
  db: Db,
  prefs: Partial<NotifyPrefs> = {},
): { skipper: string; mate: string; logbookId: string } {
  const [skipper, mate, logbookId] = [randomUUID(), randomUUID(), randomUUID()];
  db.prepare("INSERT INTO users (id, username, created_at) VALUES (?, 'skipper', 0), (?, 'mate', 0)").run(
    skipper,
    mate,
  );
  db.prepare("INSERT INTO logbooks (id, owner_id, meta, created_at) VALUES (?, ?, 'x', 0)").run(logbookId, skipper);
  db.prepare("INSERT INTO logbook_members (logbook_id, user_id, role, joined_at) VALUES (?, ?, 'READ', 0)").run(
    logbookId,
    mate,
  );
  updateNotifyPrefs(db, mate, { collaboratorChangesEnabled: true, ...prefs }, 0);
  setLogbookNotifications(db, mate, logbookId, true, 0);
  return { skipper, mate, logbookId };
}
