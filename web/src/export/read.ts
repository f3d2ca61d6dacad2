// Reads a logbook's cached entries out of IndexedDB a page at a time, each page in its own
// short transaction: one read of 10,000 entries would block the page while they are copied out.
import { countPrefix, listPage } from '../offline/idb.ts';
import type { CachedEntry } from '../sync.ts';

export interface EntryPage {
  entries: CachedEntry[];
  /** The key to continue after, or undefined after the last page. */
  next: string | undefined;
}

/** Up to `size` entries of the logbook with keys after `after` (from the start when undefined). */
export async function readEntryPage(logbookId: string, after: string | undefined, size: number): Promise<EntryPage> {
  const entries = await listPage<CachedEntry>('entries', `${logbookId}/`, after, size);
  // An entry's key is its logbook and id (as sync stores it), so the last one's key is known.
  const last = entries.length === size ? entries[entries.length - 1] : undefined;
  return { entries, next: last ? `${logbookId}/${last.entityId}` : undefined };
}

/** How many entries (deleted ones included) the logbook has on this device, for progress. */
export function countEntries(logbookId: string): Promise<number> {
  return countPrefix('entries', `${logbookId}/`);
}
