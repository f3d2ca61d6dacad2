// Opaque synced entries: the server stores the browser's ciphertext as it came, versions each
// entity for conflict checks and numbers every write per logbook (seq) so that a pull can
// resume after a cursor (numbers from the persisted counter in sequence.ts). An upload also
// reports each member's changes to the notification scheduler.
import { Buffer } from 'node:buffer';
import { prepared, transaction, type Db } from '../db.ts';
import type { ChangeSink } from '../notify/port.ts';
import { roleIn, type Role } from '../logbooks/store.ts';
import type { UploadItem, UploadResult } from '../wire/sync.ts';
import { pruneVersions, recordVersion } from './history.ts';
import { takeSequence } from './sequence.ts';
import { checkEntryQuota, usageOfOwner, type Usage } from '../logbooks/quota.ts';
import type { Quotas } from '../config.ts';

interface LogbookAboard {
  ownerId: string;
  role: Role | undefined;
  /** Successful items in this request, for the other members' notifications. */
  successes: number;
  /** The same, by action. */
  counts: { create: number; update: number; delete: number };
}

/** Unlimited: for callers that check no quota (tools, benchmarks of the store alone). */
// Stryker disable next-line ObjectLiteral: an absent limit compares false like Infinity, so {} checks nothing either
const NO_QUOTAS: Quotas = { logbooks: Infinity, entries: Infinity, bytes: Infinity };

/**
 * Applies the items in order, in one transaction: each is refused (forbidden/invalid),
 * rejected (conflict) or written. Successful items (by the owner or WRITE crew) are handed
 * to `notify` per logbook in the same transaction, so a committed change can never miss its
 * notification; notify tells every other member who wants it, never the writer.
 */
export function uploadEntries(
  db: Db,
  userId: string,
  items: readonly UploadItem[],
  now: number,
  notify: ChangeSink,
  quotas = NO_QUOTAS,
): UploadResult[] {
  return transaction(db, () => {
    // Each owner's usage before: the request is refused whole (rolled back) if it grows past a quota.
    const usageBefore = new Map<string, Usage>();
    const currentOf = prepared(db, 'SELECT version FROM entries WHERE logbook_id = ? AND entity_id = ?');
    const write = prepared(
      db,
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
        if (access && !usageBefore.has(access.logbook.ownerId))
          usageBefore.set(access.logbook.ownerId, usageOfOwner(db, access.logbook.ownerId));
        logbooks.set(
          logbookId,
          access && {
            ownerId: access.logbook.ownerId,
            role: access.role,
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
      write.run(
        item.logbookId,
        entityId,
        version,
        deleted ? null : payload!,
        deleted ? 1 : 0,
        now,
        userId,
        takeSequence(db, 1),
        userId,
      );
      recordVersion(db, {
        logbookId: item.logbookId,
        entityId,
        version,
        payload: deleted ? null : payload!,
        deleted,
        updatedAt: now,
        updatedBy: userId,
      });
      logbook.successes++;
      logbook.counts[item.action]++;
      return { entityId, status: 'success', version };
    });

    for (const [ownerId, before] of usageBefore) {
      checkEntryQuota(
        before,
        usageOfOwner(db, ownerId),
        quotas,
        ownerId === userId ? 'your account' : "this logbook's owner",
      );
    }
    for (const [logbookId, logbook] of logbooks) {
      if (logbook && logbook.successes > 0) pruneVersions(db, logbookId, now);
      if (logbook && logbook.successes > 0) {
        notify.record({ logbookId, count: logbook.successes, counts: logbook.counts, writerId: userId });
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
export function pullEntries(
  db: Db,
  logbookId: string,
  since: number,
  limits = { entries: PULL_PAGE_ENTRIES, chars: PULL_PAGE_CHARS },
): PullPage {
  // Sizes first, so that a page is cut before its ciphertext is read.
  const sizes = prepared(
    db,
    'SELECT seq, COALESCE(length(payload), 0) AS size FROM entries WHERE logbook_id = ? AND seq > ? ORDER BY seq LIMIT ?',
  ).all(logbookId, since, limits.entries + 1) as { seq: number; size: number }[];
  let count = 0;
  let chars = 0;
  for (; count < sizes.length && count < limits.entries; count++) {
    chars += sizes[count]!.size;
    if (count > 0 && chars > limits.chars) break;
  }
  if (count === 0) return { entries: [], lastSeq: since, hasMore: false };
  const lastSeq = sizes[count - 1]!.seq;
  const rows = prepared(
    db,
    `SELECT entity_id, version, payload, deleted, updated_at, updated_by, created_by, seq FROM entries
        WHERE logbook_id = ? AND seq > ? AND seq <= ? ORDER BY seq`,
  ).all(logbookId, since, lastSeq) as {
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
// It also names the server's epoch (sequence.ts), so a cursor that saw numbers a roll-back
// took back is known and starts over too.
export function encodeCursor(logbookCreatedAt: number, seq: number, epoch: string): string {
  return Buffer.from(`${logbookCreatedAt}.${seq}.${epoch}`).toString('base64url');
}

export interface Cursor {
  logbookCreatedAt: number;
  seq: number;
  /** Undefined for a cursor made before epochs. */
  epoch: string | undefined;
}

/** The longest cursor: the base64url of 16 digits, '.', 16 digits, '.' and a 12-character epoch. */
const MAX_CURSOR_CHARS = 62;

/** The cursor's parts, or undefined when it is no cursor; '' is the start. */
export function decodeCursor(cursor: string): Cursor | undefined {
  if (cursor === '') return { logbookCreatedAt: 0, seq: 0, epoch: undefined };
  // Stryker disable next-line ConditionalExpression: with 'false' a longer one decodes to more than the pattern below takes, so it is no cursor either way (this only spares decoding it); 'true' (all refused) fails the cursor test, checked by hand
  if (cursor.length > MAX_CURSOR_CHARS) return undefined;
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const m = /^(\d{1,16})\.(\d{1,16})(?:\.([A-Za-z0-9_-]{12}))?$/.exec(
    Buffer.from(cursor, 'base64url').toString('latin1'),
  );
  if (!m) return undefined;
  const seq = Number(m[2]);
  if (!Number.isSafeInteger(seq)) return undefined;
  return { logbookCreatedAt: Number(m[1]), seq, epoch: m[3] };
}

/** When an entry last changed (doctor compares the clock with it). */
export function newestEntryTime(db: Db): number | null {
  return (prepared(db, 'SELECT max(updated_at) AS t FROM entries').get() as { t: number | null }).t;
}
