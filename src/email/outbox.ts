// The email outbox: one persisted row per email, written in the transaction that decides to
// send it and deleted once the relay has taken it (or it failed for good), so a crash between
// "due" and "sent" sends late rather than never. Like push/outbox.ts, for the relay.
import { prepared, type Db } from '../db.ts';
import type { EmailKind } from './compose.ts';

export interface EmailJob {
  id: number;
  userId: string;
  kind: EmailKind;
  path: string;
  attempts: number;
}

export function queueEmail(db: Db, userId: string, kind: EmailKind, path: string, now: number): number {
  return Number(
    prepared(
      db,
      'INSERT INTO email_outbox (user_id, kind, path, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, 0, ?, ?)',
    ).run(userId, kind, path, now, now).lastInsertRowid,
  );
}

/** Emails due now, oldest first, leaving out the ones being sent. */
export function dueEmails(db: Db, now: number, limit: number, claimed: ReadonlySet<number>): EmailJob[] {
  return prepared(
    db,
    `SELECT id, user_id AS userId, kind, path, attempts FROM email_outbox
      WHERE next_attempt_at <= ? AND id NOT IN (SELECT value FROM json_each(?)) ORDER BY next_attempt_at, id LIMIT ?`,
  ).all(now, JSON.stringify([...claimed]), limit) as unknown as EmailJob[];
}

/** When the earliest email is due, past or future; undefined when the outbox is empty. */
export function nextEmailAt(db: Db): number | undefined {
  const row = prepared(db, 'SELECT MIN(next_attempt_at) AS at FROM email_outbox').get() as { at: number | null };
  return row.at ?? undefined;
}

export function deleteEmail(db: Db, id: number): void {
  prepared(db, 'DELETE FROM email_outbox WHERE id = ?').run(id);
}

export function postponeEmail(db: Db, id: number, attempts: number, nextAttemptAt: number, error: string): void {
  prepared(db, 'UPDATE email_outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?').run(
    attempts,
    nextAttemptAt,
    error.slice(0, 200),
    id,
  );
}

/** A verification link waiting to be mailed carries its token in `path`: a new address drops the old one's. */
export function dropPendingVerifications(db: Db, userId: string): void {
  prepared(db, "DELETE FROM email_outbox WHERE user_id = ? AND kind = 'verify'").run(userId);
}

export function emailOutboxDepth(db: Db): number {
  return (prepared(db, 'SELECT COUNT(*) AS n FROM email_outbox').get() as { n: number }).n;
}
