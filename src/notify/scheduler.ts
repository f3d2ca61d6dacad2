// The coalescing rule (DESIGN.md): per (owner, logbook) one row in notify_state holds the
// pending change count, when it is due and when the owner was last notified. One timer
// waits for the earliest due row; when it fires, each due row becomes one notification:
// one outbox job per device of the owner, written in the same transaction that clears it.
import { prepared, transaction, type Db } from '../db.ts';
import type { CrewChange, CrewChangeSink } from './port.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { collaboratorChangesEnabled } from '../push/prefs.ts';
import { queueForUser } from '../push/outbox.ts';
import { crewChangesMessage, logbookTopic } from '../push/messages.ts';

export interface CoalescingRule {
  debounceMs: number;
  throttleMs: number;
}

interface StateRow {
  pending_count: number;
  due_at: number | null;
  last_sent_at: number | null;
}

/**
 * Records crew changes; call inside the sync transaction. Returns when the notification
 * for this pair is due.
 */
function recordCrewChanges(db: Db, change: CrewChange, now: number, rule: CoalescingRule): number {
  const row = prepared(db, 'SELECT pending_count, due_at, last_sent_at FROM notify_state WHERE owner_id = ? AND logbook_id = ?')
    .get(change.ownerId, change.logbookId) as StateRow | undefined;
  let due: number;
  let count: number;
  if (row?.due_at != null) {
    due = row.due_at;
    count = row.pending_count + change.count;
  } else {
    due = now + rule.debounceMs;
    count = change.count;
    const lastSent = row?.last_sent_at;
    if (lastSent != null && lastSent + rule.throttleMs > due) due = lastSent + rule.throttleMs;
  }
  prepared(db, 
    `INSERT INTO notify_state (owner_id, logbook_id, pending_count, due_at, last_sent_at)
     VALUES (?, ?, ?, ?, NULL)
     ON CONFLICT (owner_id, logbook_id) DO UPDATE SET pending_count = excluded.pending_count, due_at = excluded.due_at`,
  ).run(change.ownerId, change.logbookId, count, due);
  return due;
}

export interface FiredNotification {
  ownerId: string;
  logbookId: string;
  changeCount: number;
  /** Outbox jobs written: 0 when the owner has notifications off or no device. */
  jobs: number;
}

/**
 * Turns every row due at `now` into a notification (if the owner wants them at this
 * moment) and clears it, all in one transaction. The throttle counts from a notification
 * that was actually queued.
 */
function fireDueNotifications(db: Db, now: number): FiredNotification[] {
  return transaction(db, () => {
    const due = prepared(
      db,
      'SELECT owner_id AS ownerId, logbook_id AS logbookId, pending_count AS changeCount FROM notify_state WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at',
    ).all(now) as { ownerId: string; logbookId: string; changeCount: number }[];
    const fired: FiredNotification[] = [];
    for (const row of due) {
      let jobs = 0;
      if (row.changeCount > 0 && collaboratorChangesEnabled(db, row.ownerId)) {
        jobs = queueForUser(db, row.ownerId, (locale) => crewChangesMessage(locale, row.logbookId, row.changeCount), logbookTopic(row.logbookId), now);
      }
      prepared(
        db,
        `UPDATE notify_state SET pending_count = 0, due_at = NULL, last_sent_at = CASE WHEN ? > 0 THEN ? ELSE last_sent_at END
          WHERE owner_id = ? AND logbook_id = ?`,
      ).run(jobs, now, row.ownerId, row.logbookId);
      fired.push({ ...row, jobs });
    }
    return fired;
  });
}

function earliestDue(db: Db): number | undefined {
  const row = prepared(db, 'SELECT MIN(due_at) AS at FROM notify_state WHERE due_at IS NOT NULL').get() as { at: number | null };
  return row.at ?? undefined;
}

/** After a failed run (e.g. the database was busy for longer than busy_timeout). */
const RETRY_AFTER_FAILURE_MS = 5_000;

export interface NotifyScheduler extends CrewChangeSink {
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
}

export function createNotifyScheduler(deps: SchedulerDeps): NotifyScheduler {
  const { db, clock, log } = deps;
  let timer: unknown;
  let timerAt = Infinity;
  let stopped = false;

  function armAt(dueAt: number): void {
    if (stopped || dueAt >= timerAt) return;
    if (timer !== undefined) clock.clearTimeout(timer);
    timerAt = dueAt;
    timer = clock.setTimeout(fire, dueAt - clock.now());
  }

  function fire(): void {
    timer = undefined;
    timerAt = Infinity;
    if (stopped || !db.isOpen) return;
    try {
      const fired = fireDueNotifications(db, clock.now());
      let jobs = 0;
      for (const n of fired) {
        jobs += n.jobs;
        if (n.jobs > 0) deps.metrics?.coalescedChanges.inc(n.changeCount);
      }
      if (jobs > 0) deps.onQueued();
      if (fired.length) log.info('crew changes notified', { logbooks: fired.length, devices: jobs });
      const next = earliestDue(db);
      if (next !== undefined) armAt(next);
    } catch (err) {
      // The rows stay pending (the transaction rolled back): try again shortly, not in a loop.
      log.error('notification scheduler failed; retrying in 5 s', { error: (err as Error).message });
      armAt(clock.now() + RETRY_AFTER_FAILURE_MS);
    }
  }

  return {
    record(change) {
      if (change.count <= 0) return;
      armAt(recordCrewChanges(db, change, clock.now(), deps.rule));
    },
    start() {
      const next = earliestDue(db);
      if (next !== undefined) armAt(next);
    },
    armAt,
    stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
    },
  };
}
