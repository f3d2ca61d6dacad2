// The coalescing rule (DESIGN.md): per (recipient, logbook) one row in notify_state holds the
// pending changes (counted, by action, and who made them), when they are due and when the
// recipient was last notified. A change by one member makes a row for every other member who
// wants it (mutes.ts). One timer waits for the earliest due row; when it fires, each due row
// becomes one notification: one outbox job per device, or one email when no device can take
// it (fallback.ts), in the transaction that clears it. Quiet hours move `due` to their end; a
// muted logbook's changes are dropped.
import { prepared, transaction, type Db } from '../db.ts';
import type { ChangeCounts, ChangeSink, LogbookChange } from './port.ts';
import { createDueTimer, type Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { notifyPrefs, quietHoursOf } from './prefs.ts';
import { queueForUser } from '../push/outbox.ts';
import { crewChangesMessage, logbookTopic } from '../push/messages.ts';
import { writersOf } from './writers.ts';
import { logbookNotificationsEnabled, recipientsOfChange } from './mutes.ts';
import { emailInstead, type EmailFallback } from './fallback.ts';
import { quietHoursEnd } from './quiet-hours.ts';

export interface CoalescingRule {
  debounceMs: number;
  throttleMs: number;
}

/** Crew named in one notification at most (a message stays small; the count says the rest). */
export const MAX_CREW_NAMED = 5;

interface StateRow {
  pending_count: number;
  pending_creates: number;
  pending_updates: number;
  pending_deletes: number;
  pending_crew: string;
  due_at: number | null;
  last_sent_at: number | null;
}

/**
 * Records one member's changes for every other member who wants them; call inside the sync
 * transaction. Returns the earliest due time of the rows it touched, or undefined when nobody
 * is to hear (all muted: nothing is kept).
 */
function recordChange(db: Db, change: LogbookChange, now: number, rule: CoalescingRule): number | undefined {
  let earliest: number | undefined;
  for (const userId of recipientsOfChange(db, change.logbookId, change.writerId)) {
    const due = recordFor(db, userId, change, now, rule);
    earliest = earliest === undefined ? due : Math.min(earliest, due);
  }
  return earliest;
}

/** The coalescing rule for one recipient's row. */
function recordFor(db: Db, userId: string, change: LogbookChange, now: number, rule: CoalescingRule): number {
  const row = prepared(
    db,
    'SELECT pending_count, pending_creates, pending_updates, pending_deletes, pending_crew, due_at, last_sent_at FROM notify_state WHERE user_id = ? AND logbook_id = ?',
  ).get(userId, change.logbookId) as StateRow | undefined;
  const pending = row?.due_at != null;
  let due: number;
  if (pending) {
    due = row!.due_at!;
  } else {
    due = now + rule.debounceMs;
    const lastSent = row?.last_sent_at;
    if (lastSent != null) due = Math.max(due, lastSent + rule.throttleMs);
    const quiet = quietHoursOf(db, userId);
    due = (quiet && quietHoursEnd(due, quiet)) ?? due;
  }
  const counts = change.counts ?? { create: 0, update: 0, delete: 0 };
  const crew: string[] = pending ? JSON.parse(row!.pending_crew) : [];
  if (change.writerId && !crew.includes(change.writerId) && crew.length < MAX_CREW_NAMED) crew.push(change.writerId);
  const before = pending ? row! : { pending_count: 0, pending_creates: 0, pending_updates: 0, pending_deletes: 0 };
  prepared(
    db,
    `INSERT INTO notify_state (user_id, logbook_id, pending_count, pending_creates, pending_updates, pending_deletes, pending_crew, due_at, last_sent_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)
     ON CONFLICT (user_id, logbook_id) DO UPDATE SET pending_count = excluded.pending_count, pending_creates = excluded.pending_creates,
       pending_updates = excluded.pending_updates, pending_deletes = excluded.pending_deletes, pending_crew = excluded.pending_crew, due_at = excluded.due_at`,
  ).run(
    userId,
    change.logbookId,
    before.pending_count + change.count,
    before.pending_creates + counts.create,
    before.pending_updates + counts.update,
    before.pending_deletes + counts.delete,
    JSON.stringify(crew),
    due,
  );
  return due;
}

export interface FiredNotification {
  userId: string;
  logbookId: string;
  changeCount: number;
  /** Outbox jobs written: 0 when the recipient has notifications off, muted the logbook or has no device. */
  jobs: number;
  /** An email went to the queue instead (no device could take it). */
  emailed: boolean;
}

interface DueRow {
  userId: string;
  logbookId: string;
  changeCount: number;
  creates: number;
  updates: number;
  deletes: number;
  crew: string;
}

/**
 * Turns every row due at `now` into a notification (if the recipient wants it at this moment)
 * and clears it, all in one transaction. A row that is due inside quiet hours set since it
 * was recorded waits for their end instead. The throttle counts from a notification that
 * was actually queued (a push or the email instead).
 */
function fireDueNotifications(db: Db, now: number, email: EmailFallback | undefined): FiredNotification[] {
  return transaction(db, () => {
    const due = prepared(
      db,
      `SELECT user_id AS userId, logbook_id AS logbookId, pending_count AS changeCount, pending_creates AS creates,
              pending_updates AS updates, pending_deletes AS deletes, pending_crew AS crew
         FROM notify_state WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at`,
    ).all(now) as unknown as DueRow[];
    const fired: FiredNotification[] = [];
    for (const row of due) {
      const prefs = notifyPrefs(db, row.userId);
      const quietUntil = prefs.quietHours && quietHoursEnd(now, prefs.quietHours);
      if (quietUntil) {
        prepared(db, 'UPDATE notify_state SET due_at = ? WHERE user_id = ? AND logbook_id = ?').run(
          quietUntil,
          row.userId,
          row.logbookId,
        );
        continue;
      }
      let jobs = 0;
      let emailed = false;
      // Not aboard any more (left, or removed) counts as muted.
      if (
        row.changeCount > 0 &&
        prefs.collaboratorChangesEnabled &&
        logbookNotificationsEnabled(db, row.userId, row.logbookId) === true
      ) {
        const counts: ChangeCounts = { create: row.creates, update: row.updates, delete: row.deletes };
        const details = {
          ...(counts.create + counts.update + counts.delete > 0 ? { counts } : {}),
          ...writersOf(db, row.logbookId, JSON.parse(row.crew) as string[]),
        };
        jobs = queueForUser(
          db,
          row.userId,
          (locale) => crewChangesMessage(locale, row.logbookId, row.changeCount, details),
          logbookTopic(row.logbookId),
          now,
        );
        if (email) emailed = emailInstead(db, email, row.userId, row.logbookId, prefs, now);
      }
      prepared(
        db,
        `UPDATE notify_state SET pending_count = 0, pending_creates = 0, pending_updates = 0, pending_deletes = 0, pending_crew = '[]', due_at = NULL,
                last_sent_at = CASE WHEN ? > 0 THEN ? ELSE last_sent_at END
          WHERE user_id = ? AND logbook_id = ?`,
      ).run(jobs + (emailed ? 1 : 0), now, row.userId, row.logbookId);
      fired.push({ userId: row.userId, logbookId: row.logbookId, changeCount: row.changeCount, jobs, emailed });
    }
    return fired;
  });
}

function earliestDue(db: Db): number | undefined {
  const row = prepared(db, 'SELECT MIN(due_at) AS at FROM notify_state WHERE due_at IS NOT NULL').get() as {
    at: number | null;
  };
  return row.at ?? undefined;
}

/** After a failed run (e.g. the database was busy for longer than busy_timeout). */
const RETRY_AFTER_FAILURE_MS = 5_000;

export interface NotifyScheduler extends ChangeSink {
  /** Fires what is overdue (pending rows survive restarts) and arms the timer. */
  start(): void;
  /** Makes sure the timer fires no later than dueAt. */
  armAt(dueAt: number): void;
  stop(): void;
}

export interface SchedulerDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  metrics?: Metrics | undefined;
  rule: CoalescingRule;
  /** Jobs were queued: wake the outbox worker. */
  onQueued: () => void;
  /** Email instead of push when no device can take a notification (only with --smtp-url). */
  email?: EmailFallback | undefined;
  /** Emails were queued: wake the email worker. */
  onEmailQueued?: () => void;
}

export function createNotifyScheduler(deps: SchedulerDeps): NotifyScheduler {
  const { db, clock, log } = deps;
  // The rows stay pending when a round fails (its transaction rolled back): tried again shortly.
  const due = createDueTimer(
    clock,
    () => {
      const fired = fireDueNotifications(db, clock.now(), deps.email);
      let jobs = 0;
      let emails = 0;
      for (const n of fired) {
        jobs += n.jobs;
        if (n.emailed) emails++;
        if (n.jobs > 0 || n.emailed) deps.metrics?.coalescedChanges.inc(n.changeCount);
      }
      if (jobs > 0) deps.onQueued();
      if (emails > 0) deps.onEmailQueued?.();
      if (fired.length) log.info('changes by others notified', { rows: fired.length, devices: jobs, emails });
      return earliestDue(db);
    },
    {
      retryMs: RETRY_AFTER_FAILURE_MS,
      ready: () => db.isOpen,
      onError: (error) => log.error('notification scheduler failed; retrying in 5 s', { error: error.message }),
    },
  );
  const armAt = due.armAt;

  return {
    record(change) {
      if (change.count <= 0) return;
      const due = recordChange(db, change, clock.now(), deps.rule);
      if (due !== undefined) armAt(due);
    },
    start() {
      const next = earliestDue(db);
      if (next !== undefined) armAt(next);
    },
    armAt,
    stop: due.stop,
  };
}
