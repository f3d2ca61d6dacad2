// The watch bell: one timer waits for the earliest reminder row; when it fires, every due row
// becomes pushes through the outbox in the transaction that marks it sent (or, for a log
// reminder, moves it one interval on), so a crash neither loses nor doubles one. Quiet hours
// and the per-logbook mute do not hold a bell; the account switch does.
import { transaction, type Db } from '../db.ts';
import { createDueTimer, type Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import { notifyPrefs } from '../notify/prefs.ts';
import { queueForUser } from '../push/outbox.ts';
import { logMessage, logTopic, watchMessage, watchTopic } from './messages.ts';
import type { WatchBellPort } from './port.ts';
import {
  deleteReminder,
  dueReminders,
  entriesSynced,
  markSent,
  membersAboard,
  moveReminder,
  nextReminderDue,
  planSettings,
  watchById,
  watchesOnDuty,
} from './store.ts';

const MINUTE = 60_000;
/** After a failed run (e.g. the database was busy): try again shortly, not in a loop. */
const RETRY_AFTER_FAILURE_MS = 5_000;

export interface WatchBell extends WatchBellPort {
  /** Rings what is overdue (rows survive restarts) and arms the timer. */
  start(): void;
  /** Makes sure the timer fires no later than dueAt (a plan was saved). */
  armAt(dueAt: number): void;
  stop(): void;
}

export interface WatchBellDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  /** false (serve --watches-off): no reminder rings; rows wait. */
  enabled: boolean;
  /** Jobs were queued: wake the outbox worker. */
  onQueued: () => void;
}

/** Who may be rung: aboard now, with the account switch on. The zone is theirs, else the plan's. */
function ring(
  db: Db,
  userId: string,
  aboard: Set<string>,
  now: number,
  build: (timeZone: string) => Parameters<typeof queueForUser>[2],
  topic: string,
  planZone: string | null,
): number {
  if (!aboard.has(userId)) return 0;
  const prefs = notifyPrefs(db, userId);
  if (!prefs.collaboratorChangesEnabled) return 0;
  // RFC 8030 Urgency high: a phone saving its battery (Android's Doze) delivers it at once, not
  // at its next maintenance window, which may be after the watch has begun.
  return queueForUser(db, userId, build(prefs.quietHours?.timeZone ?? planZone ?? 'UTC'), topic, now, 'high');
}

/** Turns every reminder due at `now` into outbox jobs; returns the number of jobs. */
export function ringDueReminders(db: Db, now: number, log: Logger): number {
  return transaction(db, () => {
    let jobs = 0;
    for (const r of dueReminders(db, now)) {
      const plan = planSettings(db, r.logbookId);
      const aboard = membersAboard(db, r.logbookId);
      if (r.kind === 'watch') {
        const watch = r.watchId === null ? undefined : watchById(db, r.logbookId, r.watchId);
        markSent(db, r.id, now);
        // Overdue after a long stop: a watch already over is not announced any more.
        if (!watch || !r.userId || watch.endsAt <= now) {
          log.info('watch reminder dropped: its watch is over', { logbookId: r.logbookId });
          continue;
        }
        jobs += ring(
          db,
          r.userId,
          aboard,
          now,
          (zone) => (locale) => watchMessage(locale, zone, r.logbookId, watch),
          watchTopic(r.logbookId),
          plan?.timeZone ?? null,
        );
        continue;
      }
      const every = plan?.logEveryMinutes;
      if (!plan?.underWay || !every) {
        deleteReminder(db, r.id);
        continue;
      }
      // At most one per interval: the next one counts from this ring (or the next entry).
      moveReminder(db, r.id, now + every * MINUTE);
      const onDuty = new Set(watchesOnDuty(db, r.logbookId, now).flatMap((w) => w.members));
      for (const userId of onDuty) {
        jobs += ring(
          db,
          userId,
          aboard,
          now,
          () => (locale) => logMessage(locale, r.logbookId, every),
          logTopic(r.logbookId),
          plan.timeZone,
        );
      }
    }
    return jobs;
  });
}

export function createWatchBell(deps: WatchBellDeps): WatchBell {
  const { db, clock, log } = deps;
  const due = createDueTimer(
    clock,
    () => {
      const jobs = ringDueReminders(db, clock.now(), log);
      if (jobs > 0) {
        deps.onQueued();
        log.info('watch bell rang', { devices: jobs });
      }
      return nextReminderDue(db);
    },
    {
      retryMs: RETRY_AFTER_FAILURE_MS,
      ready: () => db.isOpen,
      onError: (error) => log.error('watch bell failed; retrying in 5 s', { error: error.message }),
    },
  );
  /** With --watches-off nothing is ever armed. */
  const armAt = (dueAt: number) => {
    if (deps.enabled) due.armAt(dueAt);
  };

  return {
    entriesSynced(logbookIds) {
      entriesSynced(db, logbookIds, clock.now());
    },
    planSaved(nextDue) {
      if (nextDue !== undefined) armAt(nextDue);
    },
    start() {
      const next = nextReminderDue(db);
      if (next !== undefined) armAt(next);
    },
    armAt,
    stop: due.stop,
  };
}
