// What the printable logbook sums up: the distance run per day (by the entry's local date),
// from the log readings, and the total.
import type { ExportRow } from './entries.ts';

export interface DayRun {
  day: string;
  nm: number;
}

export function distancePerDay(rows: readonly ExportRow[]): { days: DayRun[]; total: number } {
  const byDay = new Map<string, number>();
  for (const { data, derived } of rows) {
    const day = data.time.slice(0, 10);
    if (!day) continue;
    byDay.set(day, (byDay.get(day) ?? 0) + (derived.distanceRun ?? 0));
  }
  const days = [...byDay]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([day, nm]) => ({ day, nm: Math.round(nm * 10) / 10 }));
  return { days, total: Math.round(days.reduce((sum, d) => sum + d.nm, 0) * 10) / 10 };
}
