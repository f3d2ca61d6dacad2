// A logbook's recently deleted entries with what each held before its delete, in one read
// for the "Recently deleted" screen: newest delete first, at most 4 MiB of payload, the
// sizes looked at before any payload is loaded.
import { prepared, type Db } from '../db.ts';
import { HISTORY_KEEP_MS, HISTORY_PAGE_BYTES } from './history.ts';

/** Deleted entries listed at most (a page of them; the screen says when there are more). */
export const DELETED_MAX_ENTRIES = 500;

export interface DeletedEntry {
  entityId: string;
  /** The delete: when, by whom, and its version. */
  deletedAt: number;
  deletedBy: string | null;
  deletedVersion: number;
  /** The newest version with content before it; null when none is kept. */
  version: number | null;
  payload: string | null;
  updatedAt: number | null;
  updatedBy: string | null;
}

/** Entries deleted in the last 90 days with their last content; `more` when the page was cut. */
export function recentlyDeleted(
  db: Db,
  logbookId: string,
  now: number,
  maxBytes = HISTORY_PAGE_BYTES,
): { entries: DeletedEntry[]; more: boolean } {
  const rows = prepared(
    db,
    `SELECT e.entity_id, e.updated_at AS deleted_at, e.updated_by AS deleted_by, e.version AS deleted_version,
            (SELECT max(version) FROM entry_versions v
              WHERE v.logbook_id = e.logbook_id AND v.entity_id = e.entity_id AND v.payload IS NOT NULL) AS version
       FROM entries e WHERE e.logbook_id = ? AND e.deleted = 1 AND e.updated_at >= ?
      ORDER BY e.updated_at DESC, e.entity_id LIMIT ?`,
  ).all(logbookId, now - HISTORY_KEEP_MS, DELETED_MAX_ENTRIES + 1) as {
    entity_id: string;
    deleted_at: number;
    deleted_by: string | null;
    deleted_version: number;
    version: number | null;
  }[];
  const size = prepared(
    db,
    'SELECT octet_length(payload) AS size FROM entry_versions WHERE logbook_id = ? AND entity_id = ? AND version = ?',
  );
  const content = prepared(
    db,
    'SELECT payload, updated_at, updated_by FROM entry_versions WHERE logbook_id = ? AND entity_id = ? AND version = ?',
  );
  const entries: DeletedEntry[] = [];
  let bytes = 0;
  for (const row of rows.slice(0, DELETED_MAX_ENTRIES)) {
    if (row.version !== null) {
      bytes += (size.get(logbookId, row.entity_id, row.version) as { size: number }).size;
      if (bytes > maxBytes && entries.length > 0) return { entries, more: true };
    }
    const kept =
      row.version === null
        ? undefined
        : (content.get(logbookId, row.entity_id, row.version) as
            | { payload: string; updated_at: number; updated_by: string | null }
            | undefined);
    entries.push({
      entityId: row.entity_id,
      deletedAt: row.deleted_at,
      deletedBy: row.deleted_by,
      deletedVersion: row.deleted_version,
      version: kept ? row.version : null,
      payload: kept?.payload ?? null,
      updatedAt: kept?.updated_at ?? null,
      updatedBy: kept?.updated_by ?? null,
    });
  }
  return { entries, more: rows.length > DELETED_MAX_ENTRIES };
}
