// The coalescing rule (DESIGN.md): per (owner, logbook) one row in notify_state holds the
// pending change count, when it is due and when the owner was last notified.
import type { Db } from '../db.ts';
import type { CrewChange, CrewChangeSink } from '../http/deps.ts';
import type { Clock } from '../clock.ts';

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
export function recordCrewChanges(db: Db, change: CrewChange, now: number, rule: CoalescingRule): number {
  const row = db
    .prepare('SELECT pending_count, due_at, last_sent_at FROM notify_state WHERE owner_id = ? AND logbook_id = ?')
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
  db.prepare(
    `INSERT INTO notify_state (owner_id, logbook_id, pending_count, due_at, last_sent_at)
     VALUES (?, ?, ?, ?, NULL)
     ON CONFLICT (owner_id, logbook_id) DO UPDATE SET pending_count = excluded.pending_count, due_at = excluded.due_at`,
  ).run(change.ownerId, change.logbookId, count, due);
  return due;
}

/** Foundation sink: records the changes; the push pipeline arms the timer that fires them. */
export function createCrewChangeSink(db: Db, clock: Clock, rule: CoalescingRule, onDue: (dueAt: number) => void = () => {}): CrewChangeSink {
  return {
    record(change) {
      if (change.count <= 0) return;
      onDue(recordCrewChanges(db, change, clock.now(), rule));
    },
  };
}
