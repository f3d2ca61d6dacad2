// Every version of every entry: the upload writes one row per version in its own
// transaction, a history read lists them newest first, and replaced versions go after 90 days.
import { prepared, type Db } from '../db.ts';

/** A replaced version is kept at least this long after the newer one arrived. */
export const HISTORY_KEEP_MS = 90 * 86_400_000;
/** Versions per history answer: far more than 90 days of a watch's edits to one entry. */
export const HISTORY_MAX_VERSIONS = 1000;

export interface EntryVersion {
  version: number;
  payload: string | null;
  deleted: boolean;
  updatedAt: number;
  updatedBy: string | null;
}

export interface VersionWrite {
  logbookId: string;
  entityId: string;
  version: number;
  payload: string | null;
  deleted: boolean;
  updatedAt: number;
  updatedBy: string;
}

/**
 * Keeps a newly written version and marks the one before it replaced now. Call inside the
 * transaction that writes the entry, so an entry never has a version its history lacks.
 */
export function recordVersion(db: Db, write: VersionWrite): void {
  prepared(
    db,
    'UPDATE entry_versions SET replaced_at = ? WHERE logbook_id = ? AND entity_id = ? AND replaced_at IS NULL',
  ).run(write.updatedAt, write.logbookId, write.entityId);
  prepared(
    db,
    `INSERT INTO entry_versions (logbook_id, entity_id, version, payload, deleted, updated_at, updated_by)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (logbook_id, entity_id, version) DO UPDATE SET
       payload = excluded.payload, deleted = excluded.deleted, updated_at = excluded.updated_at,
       updated_by = excluded.updated_by, replaced_at = NULL`,
  ).run(
    write.logbookId,
    write.entityId,
    write.version,
    write.payload,
    write.deleted ? 1 : 0,
    write.updatedAt,
    write.updatedBy,
  );
}

/**
 * Drops a logbook's versions replaced more than 90 days ago; the current version of an
 * entry is never replaced, so it stays. Runs when the logbook is written to.
 */
export function pruneVersions(db: Db, logbookId: string, now: number): number {
  const pruned = prepared(
    db,
    'DELETE FROM entry_versions WHERE logbook_id = ? AND replaced_at IS NOT NULL AND replaced_at < ?',
  ).run(logbookId, now - HISTORY_KEEP_MS);
  return Number(pruned.changes);
}

/**
 * Payload per history page: ../shared/API.md allows up to 4 MiB; 1 MiB keeps four readers of
 * bloated histories at once within the Pi's memory target (bench/history-memory.bench.ts) and
 * each request short. Older versions come on the next page.
 */
export const HISTORY_PAGE_BYTES = 1024 * 1024;

export interface VersionPage {
  versions: EntryVersion[];
  /** Pass back as `before` for the older versions; undefined on the last page. */
  nextBefore: number | undefined;
}

interface VersionRow {
  version: number;
  payload: string | null;
  deleted: number;
  updated_at: number;
  updated_by: string | null;
}

const toVersion = (r: VersionRow): EntryVersion => ({
  version: r.version,
  payload: r.payload,
  deleted: r.deleted === 1,
  updatedAt: r.updated_at,
  updatedBy: r.updated_by,
});

/**
 * One page of an entry's versions older than `before`, newest first (deletes included): at
 * most HISTORY_MAX_VERSIONS, and at most `maxBytes` of payload (always at least one version).
 * The sizes are looked at first, without the payloads, so a page never loads more than it sends.
 */
export function listVersions(
  db: Db,
  logbookId: string,
  entityId: string,
  before = Number.MAX_SAFE_INTEGER,
  maxBytes = HISTORY_PAGE_BYTES,
): VersionPage {
  const sizes = prepared(
    db,
    `SELECT version, coalesce(octet_length(payload), 0) AS size FROM entry_versions
      WHERE logbook_id = ? AND entity_id = ? AND version < ? ORDER BY version DESC LIMIT ?`,
  ).all(logbookId, entityId, before, HISTORY_MAX_VERSIONS + 1) as { version: number; size: number }[];
  let taken = 0;
  let bytes = 0;
  for (; taken < Math.min(sizes.length, HISTORY_MAX_VERSIONS); taken++) {
    bytes += sizes[taken]!.size;
    if (bytes > maxBytes && taken > 0) break;
  }
  if (taken === 0) return { versions: [], nextBefore: undefined };
  const oldest = sizes[taken - 1]!.version;
  const rows = prepared(
    db,
    `SELECT version, payload, deleted, updated_at, updated_by FROM entry_versions
      WHERE logbook_id = ? AND entity_id = ? AND version < ? AND version >= ? ORDER BY version DESC`,
  ).all(logbookId, entityId, before, oldest) as unknown as VersionRow[];
  return { versions: rows.map(toVersion), nextBefore: taken < sizes.length ? oldest : undefined };
}
