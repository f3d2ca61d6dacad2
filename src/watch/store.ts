// A logbook's watch plan and its reminder rows. Saving a plan replaces its watches and its
// pending reminders in one transaction; a watch reminder already sent for the same start and
// member is never written again, so saving twice does not ring twice.
import { randomUUID } from 'node:crypto';
import { prepared, transaction, type Db } from '../db.ts';
import { isoTime } from '../kit/validate.ts';
import { DEFAULT_BEFORE_MINUTES, type WatchPlan, type WatchPlanInput } from '../wire/watches.ts';

const MINUTE = 60_000;

export interface PlanRow {
  underWay: boolean;
  beforeMinutes: number;
  logEveryMinutes: number | null;
  timeZone: string | null;
}

export interface WatchRow {
  id: string;
  startsAt: number;
  endsAt: number;
  members: string[];
}

export function planSettings(db: Db, logbookId: string): PlanRow | undefined {
  const row = prepared(
    db,
    'SELECT under_way, before_minutes, log_every_minutes, time_zone FROM watch_plans WHERE logbook_id = ?',
  ).get(logbookId) as
    | { under_way: number; before_minutes: number; log_every_minutes: number | null; time_zone: string | null }
    | undefined;
  if (!row) return undefined;
  return {
    underWay: row.under_way === 1,
    beforeMinutes: row.before_minutes,
    logEveryMinutes: row.log_every_minutes,
    timeZone: row.time_zone,
  };
}

function toWatch(row: { id: string; starts_at: number; ends_at: number; members: string }): WatchRow {
  return { id: row.id, startsAt: row.starts_at, endsAt: row.ends_at, members: JSON.parse(row.members) };
}

export function watchById(db: Db, logbookId: string, watchId: string): WatchRow | undefined {
  const row = prepared(db, 'SELECT id, starts_at, ends_at, members FROM watches WHERE logbook_id = ? AND id = ?').get(
    logbookId,
    watchId,
  ) as { id: string; starts_at: number; ends_at: number; members: string } | undefined;
  return row && toWatch(row);
}

/** The watches running at `at` (usually one; overlapping ones are all on duty). */
export function watchesOnDuty(db: Db, logbookId: string, at: number): WatchRow[] {
  return (
    prepared(
      db,
      'SELECT id, starts_at, ends_at, members FROM watches WHERE logbook_id = ? AND starts_at <= ? AND ends_at > ? ORDER BY starts_at',
    ).all(logbookId, at, at) as { id: string; starts_at: number; ends_at: number; members: string }[]
  ).map(toWatch);
}

/** Everyone aboard now: the owner and the crew. */
export function membersAboard(db: Db, logbookId: string): Set<string> {
  const rows = prepared(
    db,
    'SELECT owner_id AS id FROM logbooks WHERE id = ? UNION SELECT user_id FROM logbook_members WHERE logbook_id = ?',
  ).all(logbookId, logbookId) as { id: string }[];
  return new Set(rows.map((r) => r.id));
}

/** The plan as members read it; a member who left is no longer named. */
export function readPlan(db: Db, logbookId: string): WatchPlan {
  const settings = planSettings(db, logbookId);
  const aboard = membersAboard(db, logbookId);
  const watches = (
    prepared(db, 'SELECT id, starts_at, ends_at, members FROM watches WHERE logbook_id = ? ORDER BY starts_at, id').all(
      logbookId,
    ) as { id: string; starts_at: number; ends_at: number; members: string }[]
  ).map(toWatch);
  return {
    underWay: settings?.underWay ?? false,
    watches: watches.map((w) => ({
      id: w.id,
      startsAt: isoTime(w.startsAt),
      endsAt: isoTime(w.endsAt),
      members: w.members.filter((m) => aboard.has(m)),
    })),
    reminders: {
      beforeMinutes: settings?.beforeMinutes ?? DEFAULT_BEFORE_MINUTES,
      logEveryMinutes: settings?.logEveryMinutes ?? null,
    },
    timeZone: settings?.timeZone ?? null,
  };
}

function logReminderDue(db: Db, logbookId: string): number | undefined {
  const row = prepared(db, "SELECT due_at FROM watch_reminders WHERE logbook_id = ? AND kind = 'log'").get(logbookId) as
    | { due_at: number }
    | undefined;
  return row?.due_at;
}

/**
 * Stores the plan and rewrites its reminders: the pending watch reminders are replaced by
 * one per (watch, member) still ahead, due `beforeMinutes` before the start (now, if that
 * is past); the log reminder keeps counting from the last entry, ringing or going under way.
 * Returns the earliest due time, for the bell's timer.
 */
export function savePlan(db: Db, logbookId: string, plan: WatchPlanInput, now: number): number | undefined {
  return transaction(db, () => {
    const before = planSettings(db, logbookId);
    const { beforeMinutes, logEveryMinutes } = plan.reminders;
    prepared(
      db,
      `INSERT INTO watch_plans (logbook_id, under_way, before_minutes, log_every_minutes, time_zone, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (logbook_id) DO UPDATE SET under_way = excluded.under_way, before_minutes = excluded.before_minutes,
         log_every_minutes = excluded.log_every_minutes, time_zone = excluded.time_zone, updated_at = excluded.updated_at`,
    ).run(logbookId, plan.underWay ? 1 : 0, beforeMinutes, logEveryMinutes, plan.timeZone, now);

    prepared(db, 'DELETE FROM watches WHERE logbook_id = ?').run(logbookId);
    const insertWatch = prepared(
      db,
      'INSERT INTO watches (logbook_id, id, starts_at, ends_at, members) VALUES (?, ?, ?, ?, ?)',
    );
    const watches = plan.watches.map((w) => ({
      id: w.id ?? randomUUID(),
      startsAt: Date.parse(w.startsAt),
      endsAt: Date.parse(w.endsAt),
      members: w.members,
    }));
    for (const w of watches) insertWatch.run(logbookId, w.id, w.startsAt, w.endsAt, JSON.stringify(w.members));

    // Watch reminders: pending ones go; sent ones stay as the record that keeps a start from ringing twice.
    prepared(
      db,
      "DELETE FROM watch_reminders WHERE logbook_id = ? AND kind = 'watch' AND (sent_at IS NULL OR starts_at < ?)",
    ).run(logbookId, now - 24 * 60 * MINUTE);
    if (beforeMinutes > 0) {
      const sent = prepared(
        db,
        "SELECT 1 FROM watch_reminders WHERE logbook_id = ? AND kind = 'watch' AND user_id = ? AND starts_at = ? AND sent_at IS NOT NULL",
      );
      const insert = prepared(
        db,
        "INSERT INTO watch_reminders (logbook_id, kind, watch_id, user_id, starts_at, due_at) VALUES (?, 'watch', ?, ?, ?, ?)",
      );
      for (const w of watches) {
        if (w.startsAt <= now) continue;
        for (const member of w.members) {
          if (sent.get(logbookId, member, w.startsAt)) continue;
          insert.run(logbookId, w.id, member, w.startsAt, Math.max(now, w.startsAt - beforeMinutes * MINUTE));
        }
      }
    }

    // The log reminder: counts from when the boat went under way, the last entry or the last ring.
    const oldDue = logReminderDue(db, logbookId);
    prepared(db, "DELETE FROM watch_reminders WHERE logbook_id = ? AND kind = 'log'").run(logbookId);
    if (plan.underWay && logEveryMinutes !== null) {
      const wasCounting = before?.underWay && before.logEveryMinutes !== null && oldDue !== undefined;
      const since = wasCounting ? oldDue - before.logEveryMinutes! * MINUTE : now;
      prepared(db, "INSERT INTO watch_reminders (logbook_id, kind, due_at) VALUES (?, 'log', ?)").run(
        logbookId,
        since + logEveryMinutes * MINUTE,
      );
    }
    return nextReminderDue(db);
  });
}

/** Entries arrived in these logbooks: their log reminders count again from now. */
export function entriesSynced(db: Db, logbookIds: readonly string[], now: number): void {
  if (!logbookIds.length) return;
  prepared(
    db,
    `UPDATE watch_reminders SET due_at = ? + ? * (SELECT log_every_minutes FROM watch_plans p WHERE p.logbook_id = watch_reminders.logbook_id)
      WHERE kind = 'log' AND logbook_id IN (SELECT value FROM json_each(?))`,
  ).run(now, MINUTE, JSON.stringify([...new Set(logbookIds)]));
}

export function nextReminderDue(db: Db): number | undefined {
  const row = prepared(db, 'SELECT MIN(due_at) AS at FROM watch_reminders WHERE sent_at IS NULL').get() as {
    at: number | null;
  };
  return row.at ?? undefined;
}

export interface DueReminder {
  id: number;
  logbookId: string;
  kind: 'watch' | 'log';
  watchId: string | null;
  userId: string | null;
  startsAt: number | null;
}

export function dueReminders(db: Db, now: number): DueReminder[] {
  return prepared(
    db,
    `SELECT id, logbook_id AS logbookId, kind, watch_id AS watchId, user_id AS userId, starts_at AS startsAt
       FROM watch_reminders WHERE sent_at IS NULL AND due_at <= ? ORDER BY due_at, id`,
  ).all(now) as unknown as DueReminder[];
}

export function markSent(db: Db, id: number, now: number): void {
  prepared(db, 'UPDATE watch_reminders SET sent_at = ? WHERE id = ?').run(now, id);
}

export function deleteReminder(db: Db, id: number): void {
  prepared(db, 'DELETE FROM watch_reminders WHERE id = ?').run(id);
}

export function moveReminder(db: Db, id: number, dueAt: number): void {
  prepared(db, 'UPDATE watch_reminders SET due_at = ? WHERE id = ?').run(dueAt, id);
}
