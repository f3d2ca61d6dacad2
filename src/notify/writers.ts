// Who made the changes a notification is about, as the recipient's device may name them: their
// usernames in order of first change, and which of them is the logbook's skipper (the device
// says "by Jörg (skipper)", so crew can tell a correction from the top).
import { prepared, type Db } from '../db.ts';
import { usernameOf } from '../logbooks/store.ts';

export function writersOf(db: Db, logbookId: string, writerIds: readonly string[]): { by: string[]; skipper?: string } {
  const by = writerIds.map((id) => usernameOf(db, id)).filter((name): name is string => !!name);
  const owner = prepared(db, 'SELECT owner_id AS id FROM logbooks WHERE id = ?').get(logbookId) as
    | { id: string }
    | undefined;
  const skipper = owner && writerIds.includes(owner.id) ? usernameOf(db, owner.id) : undefined;
  return skipper ? { by, skipper } : { by };
}
