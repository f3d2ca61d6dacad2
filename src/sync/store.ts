// Opaque synced entries: the server stores the browser's ciphertext as it came, versions each
// entity for conflict checks and numbers every write per logbook (seq) so that a pull can
// resume after a cursor. An upload also reports crew changes to the notification scheduler.
import { Buffer } from 'node:buffer';
import { transaction, type Db } from '../db.ts';
import type { CrewChangeSink } from '../notify/port.ts';
import { roleIn, type Role } from '../logbooks/store.ts';
import type { UploadItem, UploadResult } from '../wire/sync.ts';
import { pruneVersions, recordVersion } from './history.ts';

interface LogbookAboard {
  ownerId: string;
  role: Role | undefined;
  nextSeq: number;
  /** Successful items in this request, for the owner's notification. */
  successes: number;
  /** The same, by action. */
  counts: { create: number; update: number; delete: number };
}

/**
 * Applies the items in order, in one transaction: each is refused (forbidden/invalid),
 * rejected (conflict) or written. Successful items by WRITE crew — never the owner's own —
 * are handed to `notify` per logbook in the same transaction, so a committed change can
 * never miss its notification.
 */
export function uploadEntries(db: Db, userId: string, items: readonly UploadItem[], now: number, notify: CrewChangeSink): UploadResult[] {
  return transaction(db, () => {
    const currentOf = db.prepare('SELECT version FROM entries WHERE logbook_id = ? AND entity_id = ?');
    const lastSeqOf = db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM entries WHERE logbook_id = ?');
    const write = db.prepare(
      `INSERT INTO entries (logbook_id, entity_id, version, payload, deleted, updated_at, updated_by, seq, created_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (logbook_id, entity_id) DO UPDATE SET
         version = excluded.version, payload = excluded.payload, deleted = excluded.deleted,
         updated_at = excluded.updated_at, updated_by = excluded.updated_by, seq = excluded.seq`,
    );
    const logbooks = new Map<string, LogbookAboard | undefined>();
    const aboard = (logbookId: string): LogbookAboard | undefined => {
      if (!logbooks.has(logbookId)) {
        const access = roleIn(db, logbookId, userId);
        logbooks.set(
          logbookId,
          access && {
            ownerId: access.logbook.ownerId,
            role: access.role,
            nextSeq: (lastSeqOf.get(logbookId) as { seq: number }).seq + 1,
            successes: 0,
            counts: { create: 0, update: 0, delete: 0 },
          },
        );
      }
      return logbooks.get(logbookId);
    };

    const results = items.map((item): UploadResult => {
      const { entityId } = item;
      const logbook = aboard(item.logbookId);
      if (!logbook || (logbook.role !== 'OWNER' && logbook.role !== 'WRITE')) return { entityId, status: 'forbidden' };
      const payload = item.payload ?? undefined;
      // A create or update carries the new ciphertext; a delete carries none.
      if (item.action === 'delete' ? payload !== undefined : !payload) return { entityId, status: 'invalid' };
      const current = currentOf.get(item.logbookId, entityId) as { version: number } | undefined;
      const storedVersion = current?.version ?? 0;
      if (item.baseVersion != null && item.baseVersion !== storedVersion) return { entityId, status: 'conflict' };
      const version = storedVersion + 1;
      const deleted = item.action === 'delete';
      write.run(item.logbookId, entityId, version, deleted ? null : payload!, deleted ? 1 : 0, now, userId, logbook.nextSeq++, userId);
      recordVersion(db, { logbookId: item.logbookId, entityId, version, payload: deleted ? null : payload!, deleted, updatedAt: now, updatedBy: userId });
      logbook.successes++;
      logbook.counts[item.action]++;
      return { entityId, status: 'success', version };
    });

    for (const [logbookId, logbook] of logbooks) {
      if (logbook && logbook.successes > 0) pruneVersions(db, logbookId, now);
      if (logbook?.role === 'WRITE' && logbook.successes > 0) {
        notify.record({ ownerId: logbook.ownerId, logbookId, count: logbook.successes, counts: logbook.counts, crewId: userId });
      }
    }
    return results;
  });
}

export interface Entry {
  entityId: string;
  version: number;
  payload: string | null;
  deleted: boolean;
  updatedAt: number;
  updatedBy: string | null;
  /** Who wrote the entry's first version (null for entries from before this was kept). */
  createdBy: string | null;
  seq: number;
}

export interface PullPage {
  entries: Entry[];
  /** The seq to continue after: the last entry's, or `since` when nothing is new. */
  lastSeq: number;
  hasMore: boolean;
}

const PULL_PAGE_ENTRIES = 500;
/** Ciphertext per page, so that a page of large entries stays small for a phone (and a Pi). */
const PULL_PAGE_CHARS = 4 * 1024 * 1024;

/** Entries of a logbook written after seq `since`, oldest first, one bounded page. */
export function pullEntries(db: Db, logbookId: string, since: number, limits = { entries: PULL_PAGE_ENTRIES, chars: PULL_PAGE_CHARS }): PullPage {
  // Sizes first, so that a page is cut before its ciphertext is read.
  const sizes = db
    .prepare('SELECT seq, COALESCE(length(payload), 0) AS size FROM entries WHERE logbook_id = ? AND seq > ? ORDER BY seq LIMIT ?')
    .all(logbookId, since, limits.entries + 1) as { seq: number; size: number }[];
  let count = 0;
  let chars = 0;
  while (count < sizes.length && count < limits.entries) {
    chars += sizes[count]!.size;
    if (count > 0 && chars > limits.chars) break;
    count++;
  }
  if (count === 0) return { entries: [], lastSeq: since, hasMore: false };
  const lastSeq = sizes[count - 1]!.seq;
  const rows = db
    .prepare(
      `SELECT entity_id, version, payload, deleted, updated_at, updated_by, created_by, seq FROM entries
        WHERE logbook_id = ? AND seq > ? AND seq <= ? ORDER BY seq`,
    )
    .all(logbookId, since, lastSeq) as {
    entity_id: string;
    version: number;
    payload: string | null;
    deleted: number;
    updated_at: number;
    updated_by: string | null;
    created_by: string | null;
    seq: number;
  }[];
  return {
    entries: rows.map((r) => ({
      entityId: r.entity_id,
      version: r.version,
      payload: r.payload,
      deleted: r.deleted === 1,
      updatedAt: r.updated_at,
      updatedBy: r.updated_by,
      createdBy: r.created_by,
      seq: r.seq,
    })),
    lastSeq,
    hasMore: sizes.length > count,
  };
}

// A cursor names the logbook's creation time with the seq: seq restarts when a logbook is
// deleted and made again under the same id, and a cursor from before then must start over.
export function encodeCursor(logbookCreatedAt: number, seq: number): string {
  return Buffer.from(`${logbookCreatedAt}.${seq}`).toString('base64url');
}

/** The seq to continue after; 0 (from the start) for a cursor of an earlier logbook with this id; undefined when it is no cursor. */
export function decodeCursor(cursor: string, logbookCreatedAt: number): number | undefined {
  if (cursor === '') return 0;
  if (cursor.length > 64 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const m = /^(\d{1,16})\.(\d{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString('latin1'));
  if (!m) return undefined;
  const seq = Number(m[2]);
  if (!Number.isSafeInteger(seq)) return undefined;
  return Number(m[1]) === logbookCreatedAt ? seq : 0;
}

/** When an entry last changed (doctor compares the clock with it). */
export function newestEntryTime(db: Db): number | null {
  return (db.prepare('SELECT max(updated_at) AS t FROM entries').get() as { t: number | null }).t;
}
