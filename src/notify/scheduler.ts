// The coalescing rule (DESIGN.md): per (owner, logbook) one row in notify_state holds the
// pending changes (counted, by action, and who made them), when they are due and when the
// owner was last notified. One timer waits for the earliest due row; when it fires, each
// due row becomes one notification: one outbox job per device, in the transaction that
// clears it. Quiet hours move `due` to their end; a muted logbook's changes are dropped.
import { prepared, transaction, type Db } from '../db.ts';
import type { ChangeCounts, CrewChange, CrewChangeSink } from './port.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { pushPrefs, quietHoursOf } from '../push/prefs.ts';
import { queueForUser } from '../push/outbox.ts';
import { crewChangesMessage, logbookTopic } from '../push/messages.ts';
import { usernameOf } from '../logbooks/store.ts';
import { logbookNotificationsEnabled } from './mutes.ts';
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
 * Records crew changes; call inside the sync transaction. Returns when the notification
 * for this pair is due, or undefined when the owner muted the logbook (nothing is kept).
 */
function recordCrewChanges(db: Db, change: CrewChange, now: number, rule: CoalescingRule): number | undefined {
  if (!logbookNotificationsEnabled(db, change.ownerId, change.logbookId)) return undefined;
  const row = prepared(
    db,
    'SELECT pending_count, pending_creates, pending_updates, pending_deletes, pending_crew, due_at, last_sent_at FROM notify_state WHERE owner_id = ? AND logbook_id = ?',
  ).get(change.ownerId, change.logbookId) as StateRow | undefined;
  const pending = row?.due_at != null;
  let due: number;
  if (pending) {
    due = row!.due_at!;
  } else {
    due = now + rule.debounceMs;
    const lastSent = row?.last_sent_at;
    if (lastSent != null && lastSent + rule.throttleMs > due) due = lastSent + rule.throttleMs;
    const quiet = quietHoursOf(db, change.ownerId);
    due = (quiet && quietHoursEnd(due, quiet)) ?? due;
  }
  const counts = change.counts ?? { create: 0, update: 0, delete: 0 };
  const crew: string[] = pending ? JSON.parse(row!.pending_crew) : [];
  if (change.crewId && !crew.includes(change.crewId) && crew.length < MAX_CREW_NAMED) crew.push(change.crewId);
  const before = pending ? row! : { pending_count: 0, pending_creates: 0, pending_updates: 0, pending_deletes: 0 };
  prepared(
    db,
    `INSERT INTO notify_state (owner_id, logbook_id, pending_count, pending_creates, pending_updates, pending_deletes, pending_crew, due_at, last_sent_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)
     ON CONFLICT (owner_id, logbook_id) DO UPDATE SET pending_count = excluded.pending_count, pending_creates = excluded.pending_creates,
       pending_updates = excluded.pending_updates, pending_deletes = excluded.pending_deletes, pending_crew = excluded.pending_crew, due_at = excluded.due_at`,
  ).run(
    change.ownerId,
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
  ownerId: string;
  logbookId: string;
  changeCount: number;
  /** Outbox jobs written: 0 when the owner has notifications off, muted the logbook or has no device. */
  jobs: number;
}

interface DueRow {
  ownerId: string;
  logbookId: string;
  changeCount: number;
  creates: number;
  updates: number;
  deletes: number;
  crew: string;
}

/**
 * Turns every row due at `now` into a notification (if the owner wants it at this moment)
 * and clears it, all in one transaction. A row that is due inside quiet hours set since it
 * was recorded waits for their end instead. The throttle counts from a notification that
 * was actually queued.
 */
function fireDueNotifications(db: Db, now: number): FiredNotification[] {
  return transaction(db, () => {
    const due = prepared(
      db,
      `SELECT owner_id AS ownerId, logbook_id AS logbookId, pending_count AS changeCount, pending_creates AS creates,
              pending_updates AS updates, pending_deletes AS deletes, pending_crew AS crew
         FROM notify_state WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at`,
    ).all(now) as unknown as DueRow[];
    const fired: FiredNotification[] = [];
    for (const row of due) {
      const prefs = pushPrefs(db, row.ownerId);
      const quietUntil = prefs.quietHours && quietHoursEnd(now, prefs.quietHours);
      if (quietUntil) {
        prepared(db, 'UPDATE notify_state SET due_at = ? WHERE owner_id = ? AND logbook_id = ?').run(
          quietUntil,
          row.ownerId,
          row.logbookId,
        );
        continue;
      }
      let jobs = 0;
      if (
        row.changeCount > 0 &&
        prefs.collaboratorChangesEnabled &&
        logbookNotificationsEnabled(db, row.ownerId, row.logbookId)
      ) {
        const counts: ChangeCounts = { create: row.creates, update: row.updates, delete: row.deletes };
        const by = (JSON.parse(row.crew) as string[])
          .map((id) => usernameOf(db, id))
          .filter((name): name is string => !!name);
        const details = counts.create + counts.update + counts.delete > 0 ? { counts, by } : { by };
        jobs = queueForUser(
          db,
          row.ownerId,
          (locale) => crewChangesMessage(locale, row.logbookId, row.changeCount, details),
          logbookTopic(row.logbookId),
          now,
        );
      }
      prepared(
        db,
        `UPDATE notify_state SET pending_count = 0, pending_creates = 0, pending_updates = 0, pending_deletes = 0, pending_crew = '[]', due_at = NULL,
                last_sent_at = CASE WHEN ? > 0 THEN ? ELSE last_sent_at END
          WHERE owner_id = ? AND logbook_id = ?`,
      ).run(jobs, now, row.ownerId, row.logbookId);
      fired.push({ ownerId: row.ownerId, logbookId: row.logbookId, changeCount: row.changeCount, jobs });
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
      const due = recordCrewChanges(db, change, clock.now(), deps.rule);
      if (due !== undefined) armAt(due);
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
