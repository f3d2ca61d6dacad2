// The email for a change notification that no device took: when the last push job of one is
// dropped for good (the device gone, refused, or out of retries) and none of the recipient's
// devices is healthy any more, the email they asked for goes instead (fallback.ts: verified
// address, at most one per --email-throttle per logbook). Watch reminders, tests and
// broadcasts get no email.
import { prepared, transaction, type Db } from '../db.ts';
import type { OutboxJob } from '../push/outbox.ts';
import type { SendOutcome } from '../push/outcome.ts';
import { healthyDevices } from '../push/reachable.ts';
import { queueChangesEmail, type EmailFallback } from './fallback.ts';
import { logbookNotificationsEnabled } from './mutes.ts';
import { notifyPrefs } from './prefs.ts';

/** The logbook of a crew-change message (API.md "The push message"); undefined for any other message. */
export function changedLogbookOf(payload: string): string | undefined {
  let data: Record<string, unknown> | undefined;
  try {
    data = (JSON.parse(payload) as { data?: Record<string, unknown> }).data;
  } catch {
    // Not a message of ours.
  }
  return data && data.kind === undefined && typeof data.logbookId === 'string' && typeof data.changeCount === 'number'
    ? data.logbookId
    : undefined;
}

/**
 * Called once a job's answer is written. Queues the email when the job was a change
 * notification, is no longer in the outbox (dropped, not waiting for a retry), and the
 * recipient still wants it, is still aboard and has no healthy device. True when queued.
 */
export function emailForUndelivered(
  db: Db,
  fallback: EmailFallback,
  job: Pick<OutboxJob, 'id' | 'userId' | 'payload'>,
  outcome: SendOutcome,
  now: number,
): boolean {
  if (outcome.kind === 'success') return false;
  const logbookId = changedLogbookOf(job.payload);
  if (!logbookId) return false;
  return transaction(db, () => {
    if (prepared(db, 'SELECT 1 FROM push_outbox WHERE id = ?').get(job.id)) return false;
    const prefs = notifyPrefs(db, job.userId);
    if (!prefs.emailWhenNoPush || !prefs.collaboratorChangesEnabled) return false;
    if (logbookNotificationsEnabled(db, job.userId, logbookId) !== true) return false;
    if (healthyDevices(db, job.userId, now) > 0) return false;
    return queueChangesEmail(db, fallback, job.userId, logbookId, now);
  });
}
