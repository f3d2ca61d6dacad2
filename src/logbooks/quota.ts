// Per-account quotas: how many logbooks an account may own, and how many entries and bytes
// of ciphertext those logbooks may hold (crew writes count for the owner, who chose the crew).
// A request that would go over is refused whole, before anything is kept: 403 quota_exceeded.
import { prepared, type Db } from '../db.ts';
import type { Quotas } from '../config.ts';
import { AppError } from '../kit/errors.ts';

export interface Usage {
  entries: number;
  bytes: number;
}

export function usageOfOwner(db: Db, ownerId: string): Usage {
  return prepared(
    db,
    `SELECT COALESCE(SUM(u.entries), 0) AS entries, COALESCE(SUM(u.bytes), 0) AS bytes
       FROM logbooks l JOIN logbook_usage u ON u.logbook_id = l.id WHERE l.owner_id = ?`,
  ).get(ownerId) as unknown as Usage;
}

export function quotaExceeded(what: string): AppError {
  return new AppError(403, 'quota_exceeded', what);
}

/**
 * Throws 403 quota_exceeded when `after` is over a quota and grew since `before`: an owner
 * already over (a quota lowered later) may still delete and shrink, never grow.
 */
export function checkEntryQuota(before: Usage, after: Usage, quotas: Quotas, whose: string): void {
  if (after.entries > quotas.entries && after.entries > before.entries) {
    throw quotaExceeded(
      `entries quota: the logbooks of ${whose} may hold at most ${quotas.entries} entries (deleted ones count); nothing was saved`,
    );
  }
  if (after.bytes > quotas.bytes && after.bytes > before.bytes) {
    throw quotaExceeded(
      `bytes quota: the logbooks of ${whose} may hold at most ${Math.round(quotas.bytes / 2 ** 20)} MiB (earlier versions kept as history count); nothing was saved`,
    );
  }
}

/** Before a new logbook: the owner's count. */
export function checkLogbookQuota(db: Db, ownerId: string, quotas: Quotas): void {
  const { n } = prepared(db, 'SELECT COUNT(*) AS n FROM logbooks WHERE owner_id = ?').get(ownerId) as { n: number };
  if (n >= quotas.logbooks)
    throw quotaExceeded(`logbooks quota: an account may own at most ${quotas.logbooks} logbooks`);
}
