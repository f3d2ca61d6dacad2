// A voyage as passages: the entries from a departure to an arrival (or an explicit "new
// passage") and the figures a skipper reads off them. Computed on the device from the
// decrypted entries; the server learns nothing.
import { deriveAll, parseNumber, type EntryData } from '../logbook/fields.ts';
import { positionOf, trackLength, type LatLon } from './geo.ts';
import { nightHours } from './night.ts';
import { strongestWind, type Wind } from './wind.ts';

export interface VoyageEntry {
  id: string;
  data: EntryData;
}

export interface Passage {
  /** 1 for the logbook's first passage. */
  number: number;
  entries: VoyageEntry[];
  /** Epoch ms of the first and the last entry. */
  start: number;
  end: number;
  /** The positions in time order (entries without one are left out). */
  track: LatLon[];
  /** nm along the positions; null with fewer than two. */
  distanceByPositions: number | null;
  /** nm by the log readings; null with fewer than two. */
  distanceByLog: number | null;
  hoursUnderWay: number;
  hoursUnderSail: number;
  hoursUnderEngine: number;
  /** null when no entry of the passage has a position (no sun to reckon with). */
  nightHours: number | null;
  strongestWind: Wind | null;
  lowestPressure: number | null;
  /** The first entry is no departure: the passage was found by its arrival. */
  missingDeparture: boolean;
  /** Ended by the next departure, with no arrival logged. */
  missingArrival: boolean;
  /** Still under way: no arrival yet, and no later departure. */
  open: boolean;
}

/** An entry's time as epoch ms in this device's time zone (entries keep local wall time), or null. */
export function entryTime(data: EntryData): number | null {
  if (!data.time) return null;
  const ms = new Date(data.time).getTime();
  return Number.isFinite(ms) ? ms : null;
}

/** Local wall time as an entry keeps it, `YYYY-MM-DDTHH:MM`. */
export function localTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

const starts = (e: VoyageEntry) => e.data.events.includes('departure') || e.data.events.includes('passage');
const ends = (e: VoyageEntry) => e.data.events.includes('arrival');

/**
 * Splits entries (any order) into passages. A departure or "new passage" starts one; an
 * arrival ends it. An arrival with no departure before it takes the entries since the last
 * passage ended; a departure while one is open ends that one without an arrival. Entries
 * between an arrival and the next departure are in harbour and belong to none.
 */
export function splitPassages(entries: readonly VoyageEntry[]): Passage[] {
  const timed = entries
    .map((e) => ({ e, t: entryTime(e.data) }))
    .filter((x): x is { e: VoyageEntry; t: number } => x.t !== null)
    .sort((a, b) => a.t - b.t)
    .map((x) => x.e);
  const groups: Array<{ entries: VoyageEntry[]; missingDeparture: boolean; missingArrival: boolean; open: boolean }> =
    [];
  let current: VoyageEntry[] | null = null;
  let harbour: VoyageEntry[] = [];
  for (const entry of timed) {
    if (starts(entry)) {
      if (current) groups.push({ entries: current, missingDeparture: false, missingArrival: true, open: false });
      current = [entry];
      harbour = [];
    } else if (current) {
      current.push(entry);
    } else if (ends(entry)) {
      groups.push({ entries: [...harbour, entry], missingDeparture: true, missingArrival: false, open: false });
      harbour = [];
      continue;
    } else {
      harbour.push(entry);
      continue;
    }
    if (ends(entry)) {
      groups.push({ entries: current, missingDeparture: false, missingArrival: false, open: false });
      current = null;
    }
  }
  if (current) groups.push({ entries: current, missingDeparture: false, missingArrival: false, open: true });
  return groups.map((g, i) => ({ number: i + 1, ...g, ...figures(g.entries) }));
}

type Figures = Omit<Passage, 'number' | 'entries' | 'missingDeparture' | 'missingArrival' | 'open'>;

/** The figures of one passage's entries, which come sorted by time. */
export function figures(entries: readonly VoyageEntry[]): Figures {
  const times = entries.map((e) => entryTime(e.data) ?? 0);
  const positions = entries.map((e) => positionOf(e.data));
  const track = positions.filter((p): p is LatLon => p !== null);
  let sail = 0;
  let engine = 0;
  let night: number | null = track.length ? 0 : null;
  // The boat is where it last was known to be; before the first fix, where that fix is.
  let where: LatLon | null = track[0] ?? null;
  for (let i = 0; i + 1 < entries.length; i++) {
    where = positions[i] ?? where;
    const hours = (times[i + 1]! - times[i]!) / 3_600_000;
    const sails = entries[i]!.data.sails;
    if (sails.includes('engine')) engine += hours;
    else if (sails.length > 0) sail += hours;
    if (night !== null && where) night += nightHours(times[i]!, times[i + 1]!, where);
  }
  const runs = deriveAll(entries.map((e) => e.data))
    .map((d) => d.distanceRun)
    .filter((d): d is number => d !== null);
  const pressures = entries.map((e) => parseNumber(e.data.baro)).filter((p): p is number => p !== null);
  return {
    start: times[0] ?? 0,
    end: times.at(-1) ?? 0,
    track,
    distanceByPositions: track.length >= 2 ? trackLength(track) : null,
    distanceByLog: runs.length ? runs.reduce((a, b) => a + b, 0) : null,
    hoursUnderWay: ((times.at(-1) ?? 0) - (times[0] ?? 0)) / 3_600_000,
    hoursUnderSail: sail,
    hoursUnderEngine: engine,
    nightHours: night,
    strongestWind: strongestWind(entries.map((e) => e.data.wind)),
    lowestPressure: pressures.length ? Math.min(...pressures) : null,
  };
}

/** The miles a passage counts for: by log where the log was read, else along the positions. */
export function passageMiles(p: Passage): number {
  return p.distanceByLog ?? p.distanceByPositions ?? 0;
}
