// Email instead of push: when a recipient's notification falls due and no device of theirs can
// take it (none, or every one refused for good), one email with the same generic text and the
// logbook's link goes to their verified address, at most one per --email-throttle per logbook.
// Quiet hours hold the row before it gets here, so they hold the email too.
import { prepared, type Db } from '../db.ts';
import { verifiedAddressOf } from '../email/addresses.ts';
import { queueEmail } from '../email/outbox.ts';
import { reachableDevices } from '../push/reachable.ts';
import type { NotifyPrefs } from './prefs.ts';

export interface EmailFallback {
  /** At most one email per recipient and logbook in this time. */
  throttleMs: number;
}

/** Queues the email when it is wanted and allowed; true then. Call in the transaction that clears the row. */
export function emailInstead(
  db: Db,
  fallback: EmailFallback,
  userId: string,
  logbookId: string,
  prefs: NotifyPrefs,
  now: number,
): boolean {
  if (!prefs.emailWhenNoPush || reachableDevices(db, userId, now) > 0) return false;
  if (!verifiedAddressOf(db, userId)) return false;
  const emailedLately = prepared(
    db,
    'SELECT 1 FROM notify_state WHERE user_id = ? AND logbook_id = ? AND last_email_at > ?',
  ).get(userId, logbookId, now - fallback.throttleMs);
  if (emailedLately) return false;
  queueEmail(db, userId, 'changes', `/logbook/${logbookId}`, now);
  prepared(db, 'UPDATE notify_state SET last_email_at = ? WHERE user_id = ? AND logbook_id = ?').run(
    now,
    userId,
    logbookId,
  );
  return true;
}
