// Sequence numbers for the sync cursor: one persisted counter, and an epoch per server start
// that every cursor carries, so that a cursor can never skip an entry after a roll-back.
//
// The counter lives in the same transaction as the entries it numbers (never MAX(seq)+1).
// That alone does not protect a device: a power cut (or a restore of an older copy) takes
// back the last commits and the counter with them, the next writes get the lost numbers
// again, and a device whose cursor passed them never pulls them. So each start records an
// epoch: a random id and the counter at that moment, which is where the epoch before it
// durably ended. A cursor from an epoch the database does not know (lost with the roll-back),
// or past its epoch's durable end, has seen numbers that were lost: that device starts over
// from the beginning (entries carry versions, so a full pull is idempotent). Every other
// cursor goes on where it was.
import { randomBytes } from 'node:crypto';
import { prepared, transaction, type Db } from '../db.ts';

interface EpochRow {
  rowid: number;
  id: string;
  first_seq: number;
}

export function lastSequence(db: Db): number {
  return (prepared(db, 'SELECT last_seq FROM sync_counter WHERE id = 1').get() as { last_seq: number }).last_seq;
}

/** serve's start: a new epoch from the counter as it stands (the durable end of the one before). */
export function startEpoch(db: Db, now: number): { id: string; firstSeq: number } {
  return transaction(db, () => {
    const epoch = { id: randomBytes(9).toString('base64url'), firstSeq: lastSequence(db) };
    prepared(db, 'INSERT INTO sync_epochs (id, first_seq, started_at) VALUES (?, ?, ?)').run(
      epoch.id,
      epoch.firstSeq,
      now,
    );
    return epoch;
  });
}

/** The epoch new cursors name: the newest one. */
export function currentEpoch(db: Db): string {
  return (prepared(db, 'SELECT id FROM sync_epochs ORDER BY rowid DESC LIMIT 1').get() as { id: string }).id;
}

/** Reserves `count` numbers inside the caller's transaction; returns the first. */
export function takeSequence(db: Db, count: number): number {
  const row = prepared(db, 'UPDATE sync_counter SET last_seq = last_seq + ? WHERE id = 1 RETURNING last_seq').get(
    count,
  ) as { last_seq: number };
  return row.last_seq - count + 1;
}

/**
 * Whether a cursor's seq, from `epoch`, still means "every entry up to here was pulled".
 * A cursor without an epoch comes from before epochs (the first one, 'legacy').
 */
export function cursorHolds(db: Db, epoch: string | undefined, seq: number): boolean {
  const row = prepared(db, 'SELECT rowid, id, first_seq FROM sync_epochs WHERE id = ?').get(epoch ?? 'legacy') as
    | EpochRow
    | undefined;
  if (!row) return false;
  const next = prepared(db, 'SELECT first_seq FROM sync_epochs WHERE rowid > ? ORDER BY rowid LIMIT 1').get(
    row.rowid,
  ) as { first_seq: number } | undefined;
  return seq <= (next ? next.first_seq : lastSequence(db));
}
