// "3 new since 14:00": entries others wrote since this device last showed the logbook, so
// opening it from a notification shows at once what the notification was about. The time
// of the last visit is kept per logbook on this device.
import { useEffect, useState } from 'preact/hooks';
import { formatClock, formatTime, t } from '../i18n.ts';

const seenKey = (logbookId: string) => `crewbell.seen.${logbookId}`;

function readSeen(logbookId: string): number | undefined {
  try {
    const value = Number(localStorage.getItem(seenKey(logbookId)));
    return Number.isFinite(value) && value > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The previous visit's time (fixed for this view); this visit is remembered for the next. */
export function useLastVisit(logbookId: string): number | undefined {
  const [previous, setPrevious] = useState<number | undefined>(() => readSeen(logbookId));
  useEffect(() => {
    setPrevious(readSeen(logbookId));
    const mark = () => {
      try {
        localStorage.setItem(seenKey(logbookId), String(Date.now()));
      } catch {
        // private mode: nothing is highlighted next time
      }
    };
    mark();
    // Leaving the page counts as having seen what arrived while it was open.
    return mark;
  }, [logbookId]);
  return previous;
}

/** Ids of entries written by someone else after `since`. */
export function newSince(
  rows: ReadonlyArray<{ entry: { entityId: string; updatedAt: number; updatedBy: string | null } }>,
  since: number | undefined,
  me: string | undefined,
): Set<string> {
  if (since === undefined) return new Set();
  return new Set(
    rows.filter(({ entry }) => entry.updatedAt > since && entry.updatedBy !== me).map(({ entry }) => entry.entityId),
  );
}

function clock(ms: number): string {
  const sameDay = new Date(ms).toDateString() === new Date().toDateString();
  return sameDay ? formatClock(ms) : formatTime(ms);
}

export function NewSinceBanner({ count, since }: { count: number; since: number | undefined }) {
  if (!count || since === undefined) return null;
  return (
    <p class="notice notice-info new-since" id="new-since" role="status">
      {t('newSince', { n: count, time: clock(since) })}
    </p>
  );
}
