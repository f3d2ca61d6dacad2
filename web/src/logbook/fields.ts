// What a logbook entry holds inside its ciphertext, the way a ship's log (the German
// Logbuch, the RYA log) records it, plus what follows from the entries before it.
// Entries written before the full set of fields still open: missing fields read as empty.
import { formatPosition, readPosition, storedPosition, type LatLon } from './position.ts';

export const SAIL_CHIPS = [
  'main',
  'genoa',
  'jib',
  'staysail',
  'spinnaker',
  'gennaker',
  'reef1',
  'reef2',
  'reef3',
  'engine',
] as const;
export const EVENTS = ['departure', 'arrival', 'passage', 'anchoring', 'reefing', 'mobDrill', 'other'] as const;
export type SailChip = (typeof SAIL_CHIPS)[number];
export type EventKind = (typeof EVENTS)[number];

export interface EntryData {
  /** Local date and time, `YYYY-MM-DDTHH:MM` as a datetime-local field gives it. */
  time: string;
  /** Always shown as 54°28.0'N 010°20.5'E (logbook/position.ts); as typed only when unreadable. */
  position: string;
  /** The position as numbers, decimal degrees (entries saved since positions are kept so). */
  lat?: number;
  lon?: number;
  course: string;
  speed: string;
  wind: string;
  text: string;
  /** Barometer, hPa. */
  baro: string;
  /** Log reading, nm. */
  log: string;
  engineHours: string;
  sails: string[];
  sailsNote: string;
  /** Douglas sea state, 0–9. */
  sea: string;
  visibility: string;
  /** Cloud cover, oktas 0–8. */
  cloud: string;
  onWatch: string;
  helm: string;
  /** Fuel, litres. */
  fuel: string;
  /** Fresh water, litres. */
  water: string;
  events: string[];
  eventNote: string;
}

/** The fields in the order a CSV export and a history diff list them. */
export const FIELD_ORDER = [
  'time',
  'position',
  'course',
  'speed',
  'wind',
  'baro',
  'log',
  'engineHours',
  'sails',
  'sailsNote',
  'sea',
  'visibility',
  'cloud',
  'onWatch',
  'helm',
  'fuel',
  'water',
  'events',
  'eventNote',
  'text',
] as const satisfies readonly (keyof EntryData)[];
export type FieldName = (typeof FIELD_ORDER)[number];

/** Fields a new entry takes over from the last one: they rarely change between entries. */
export const CARRIED_OVER = ['sails', 'sailsNote', 'onWatch', 'helm'] as const satisfies readonly FieldName[];
/** Fields whose last value a new entry offers with one tap. */
export const OFFERED = [
  'wind',
  'baro',
  'log',
  'engineHours',
  'sea',
  'visibility',
  'cloud',
  'fuel',
  'water',
] as const satisfies readonly FieldName[];

export function emptyEntry(time = ''): EntryData {
  return {
    time,
    position: '',
    course: '',
    speed: '',
    wind: '',
    text: '',
    baro: '',
    log: '',
    engineHours: '',
    sails: [],
    sailsNote: '',
    sea: '',
    visibility: '',
    cloud: '',
    onWatch: '',
    helm: '',
    fuel: '',
    water: '',
    events: [],
    eventNote: '',
  };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Any decrypted entry, old or new, as a whole EntryData: unknown or missing fields are empty. */
export function normalizeEntry(raw: unknown): EntryData {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const out = emptyEntry();
  for (const name of FIELD_ORDER) {
    if (name === 'sails' || name === 'events') out[name] = list(r[name]);
    else out[name] = str(r[name]);
  }
  // The numbers when stored, else what an older entry's text means: shown in the one format.
  const at = storedPosition(r.lat, r.lon) ?? readPosition(out.position);
  return at ? withPosition(out, at) : out;
}

/** A field's value as one line of text (lists joined), for diffs, CSV and print. */
export function fieldText(data: EntryData, name: FieldName): string {
  const value = data[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The fields that differ between two versions, in FIELD_ORDER. */
export function changedFields(before: EntryData | null, after: EntryData | null): FieldName[] {
  if (!before || !after) return [];
  return FIELD_ORDER.filter((name) => fieldText(before, name) !== fieldText(after, name));
}

/**
 * Compares texts as localeCompare does (the same default collation), with one collator made
 * once rather than per comparison: sorting 10,000 entries compares them ~140,000 times.
 */
export const byText: (a: string, b: string) => number = new Intl.Collator().compare;

/** A number typed by a sailor: "1013,5" and "1013.5" both count; anything else is null. */
export function parseNumber(text: string): number | null {
  const cleaned = text.trim().replace(',', '.');
  if (!/^-?\d+(\.\d+)?$/.test(cleaned)) return null;
  return Number(cleaned);
}

export interface Derived {
  /** hPa since the previous entry with a barometer reading (positive = rising). */
  baroTrend: number | null;
  /** nm since the previous entry with a log reading. */
  distanceRun: number | null;
}

/**
 * The barometer trend and the distance run of each entry, from the entries before it in
 * time. `entries` may come in any order; the answer is keyed by the same index.
 */
export function deriveAll(entries: readonly EntryData[]): Derived[] {
  const order = entries.map((_, i) => i).sort((a, b) => byText(entries[a]!.time, entries[b]!.time));
  const out: Derived[] = entries.map(() => ({ baroTrend: null, distanceRun: null }));
  let lastBaro: number | null = null;
  let lastLog: number | null = null;
  for (const i of order) {
    const baro = parseNumber(entries[i]!.baro);
    const log = parseNumber(entries[i]!.log);
    if (baro !== null) {
      if (lastBaro !== null) out[i]!.baroTrend = round1(baro - lastBaro);
      lastBaro = baro;
    }
    if (log !== null) {
      // A log reset (a lower reading) starts counting again rather than running backwards.
      if (lastLog !== null && log >= lastLog) out[i]!.distanceRun = round1(log - lastLog);
      lastLog = log;
    }
  }
  return out;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** "54°10.5'N 010°20.3'E", decimal "54.175, 10.338", and similar, as decimal degrees. */
export const parsePosition = readPosition;

/** The entry with this position (its numbers and its one written form), or none. */
export function withPosition(data: EntryData, at: LatLon | null): EntryData {
  const { lat: _lat, lon: _lon, ...rest } = data;
  return at ? { ...rest, position: formatPosition(at), lat: at.lat, lon: at.lon } : { ...rest, position: '' };
}
