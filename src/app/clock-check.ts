// Is the system clock far off? Offline there is no true time to ask, so the clock is compared
// with times it must be after: the binary's build time, and the newest time the database has
// recorded (entries, accounts, and the mark serve moves forward while it runs; this file
// owns that one-row table, clock_mark).
import { prepared, type Db } from '../db.ts';
import { newestUserTime } from '../auth/users.ts';
import { newestLogbookTime } from '../logbooks/store.ts';
import { newestEntryTime } from '../sync/store.ts';
import { newestSubscriptionTime } from '../push/subscriptions.ts';
import { vapidKeysTime } from '../push/vapid.ts';

/** Set by build.ts in the binary: when its source was committed. */
declare const CREWBELL_BUILD_TIME: number | undefined;
/** From source there is no build time; no correct clock is earlier than this release line. */
const EARLIEST_SANE_TIME = Date.UTC(2026, 0, 1);
/** How far the clock may lag the newest time the database recorded before it counts. */
export const CLOCK_SLACK_MS = 5 * 60_000;
/** How often serve moves its mark forward. */
export const CLOCK_MARK_EVERY_MS = 10 * 60_000;

export function buildTime(): number {
  return typeof CREWBELL_BUILD_TIME === 'number' ? CREWBELL_BUILD_TIME : EARLIEST_SANE_TIME;
}

/** Newest time the database has seen (each module answers for its own tables): a clock behind it has jumped back. */
export function newestRecordedTime(db: Db): number | undefined {
  const times = [
    clockMarkTime(db),
    newestUserTime(db),
    newestLogbookTime(db),
    newestEntryTime(db),
    newestSubscriptionTime(db),
    vapidKeysTime(db),
  ];
  const known = times.filter((t): t is number => t !== null);
  return known.length ? Math.max(...known) : undefined;
}

function clockMarkTime(db: Db): number | null {
  return (
    (prepared(db, 'SELECT seen_at AS t FROM clock_mark WHERE id = 1').get() as { t: number } | undefined)?.t ?? null
  );
}

/** Why the clock reading `now` is wrong, or undefined when nothing says so. */
export function clockSkew(now: number, db: Db | undefined): string | undefined {
  const floor = buildTime();
  if (now < floor) return `${new Date(now).toISOString()} is before this build (${new Date(floor).toISOString()})`;
  const newest = db ? newestRecordedTime(db) : undefined;
  if (newest !== undefined && now + CLOCK_SLACK_MS < newest) {
    return `${new Date(now).toISOString()} is behind the newest database record (${new Date(newest).toISOString()})`;
  }
  return undefined;
}

/** serve, now and then: the mark only moves forward, and a failed write (a full disk) is no error. */
export function markClock(db: Db, now: number): void {
  try {
    prepared(
      db,
      'INSERT INTO clock_mark (id, seen_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET seen_at = MAX(seen_at, excluded.seen_at)',
    ).run(now);
  } catch {
    // best effort: the mark only sharpens the clock check
  }
}
