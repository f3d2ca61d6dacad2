// "My sea miles": every passage of every logbook the user belongs to, with the miles, night
// hours and the role they sailed in, totals per year, and a CSV, for a sailing school or a
// licence (RYA, the German Meilenbestätigung). Computed on the device.
import { localTime, passageMiles, type Passage } from './passages.ts';

export type Role = 'OWNER' | 'WRITE' | 'READ';

export interface SeaMilesRow {
  logbookId: string;
  logbook: string;
  role: Role;
  passage: number;
  start: number;
  end: number;
  miles: number;
  nightHours: number;
  hours: number;
}

export interface YearTotal {
  year: number;
  passages: number;
  miles: number;
  nightHours: number;
  hours: number;
}

export function seaMilesRows(
  logbooks: ReadonlyArray<{ id: string; title: string; role: Role; passages: readonly Passage[] }>,
): SeaMilesRow[] {
  return logbooks
    .flatMap((l) =>
      l.passages.map((p) => ({
        logbookId: l.id,
        logbook: l.title,
        role: l.role,
        passage: p.number,
        start: p.start,
        end: p.end,
        miles: passageMiles(p),
        nightHours: p.nightHours ?? 0,
        hours: p.hoursUnderWay,
      })),
    )
    .sort((a, b) => a.start - b.start);
}

/** Totals per calendar year of each passage's start (this device's time zone), newest first. */
export function yearTotals(rows: readonly SeaMilesRow[]): YearTotal[] {
  const years = new Map<number, YearTotal>();
  for (const row of rows) {
    const year = new Date(row.start).getFullYear();
    const total = years.get(year) ?? { year, passages: 0, miles: 0, nightHours: 0, hours: 0 };
    total.passages++;
    total.miles += row.miles;
    total.nightHours += row.nightHours;
    total.hours += row.hours;
    years.set(year, total);
  }
  return [...years.values()].sort((a, b) => b.year - a.year);
}

const cell = (value: string) => (/[",;\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** One line per passage; `labels` are the column titles in the user's language. */
export function seaMilesCsv(
  rows: readonly SeaMilesRow[],
  labels: {
    logbook: string;
    role: string;
    passage: string;
    from: string;
    to: string;
    miles: string;
    night: string;
    hours: string;
  },
  roleName: (role: Role) => string,
  delimiter = ',',
): string {
  const iso = (ms: number) => localTime(ms).replace('T', ' ');
  const lines = [
    [labels.logbook, labels.role, labels.passage, labels.from, labels.to, labels.miles, labels.night, labels.hours],
    ...rows.map((r) => [
      r.logbook,
      roleName(r.role),
      String(r.passage),
      iso(r.start),
      iso(r.end),
      r.miles.toFixed(1),
      r.nightHours.toFixed(1),
      r.hours.toFixed(1),
    ]),
  ];
  return `${lines.map((l) => l.map(cell).join(delimiter)).join('\r\n')}\r\n`;
}
