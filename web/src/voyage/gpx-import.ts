// A chartplotter's or another app's GPX track, read on the device and thinned into the
// entries of one passage (one every few minutes, departure first, arrival last). The
// entries are then encrypted and synced like any other; the file never leaves the device.
import { emptyEntry, withPosition, type EntryData } from '../logbook/fields.ts';
import { distanceNm, type LatLon } from './geo.ts';
import { localTime } from './passages.ts';

export const GPX_MAX_BYTES = 20 * 1024 * 1024;
export const GPX_MAX_POINTS = 200_000;
/** A passage of a few weeks at one entry per quarter hour stays under this. */
export const GPX_MAX_ENTRIES = 2_000;

export interface TrackPoint extends LatLon {
  time: number;
}

export type GpxProblem = 'tooLarge' | 'notGpx' | 'noPoints' | 'tooManyPoints' | 'noTimes' | 'badPoint';

export class GpxError extends Error {
  readonly problem: GpxProblem;
  readonly detail: string;
  constructor(problem: GpxProblem, detail = '') {
    super(`gpx: ${problem}${detail ? ` (${detail})` : ''}`);
    this.problem = problem;
    this.detail = detail;
  }
}

const POINT = /<(trkpt|rtept)\b([^>]*?)(?:\/>|>([\s\S]*?)<\/\1\s*>)/g;
const attr = (attrs: string, name: string) => new RegExp(`\\b${name}\\s*=\\s*["']([^"']*)["']`).exec(attrs)?.[1];

/** The track's points in time order, or a GpxError saying what is wrong with the file. */
export function readGpx(text: string): { name: string; points: TrackPoint[] } {
  if (text.length > GPX_MAX_BYTES) throw new GpxError('tooLarge');
  if (!/<gpx[\s>]/.test(text)) throw new GpxError('notGpx');
  const points: TrackPoint[] = [];
  let line = 0;
  for (const m of text.matchAll(POINT)) {
    line++;
    if (points.length >= GPX_MAX_POINTS) throw new GpxError('tooManyPoints', String(GPX_MAX_POINTS));
    const lat = Number(attr(m[2]!, 'lat'));
    const lon = Number(attr(m[2]!, 'lon'));
    if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
      throw new GpxError('badPoint', String(line));
    }
    const time = Date.parse(/<time>\s*([^<]+?)\s*<\/time>/.exec(m[3] ?? '')?.[1] ?? '');
    if (!Number.isFinite(time)) throw new GpxError('noTimes');
    points.push({ lat, lon, time });
  }
  if (points.length === 0) throw new GpxError('noPoints');
  points.sort((a, b) => a.time - b.time);
  const name = /<name>\s*(?:<!\[CDATA\[)?([^<\]]{1,120})/.exec(text)?.[1]?.trim() ?? '';
  return { name, points };
}

/**
 * The entries a track becomes: the first and the last point, and in between one point every
 * `everyMinutes` (more minutes when the track is so long it would pass GPX_MAX_ENTRIES).
 */
export function trackToEntries(points: readonly TrackPoint[], everyMinutes = 15): EntryData[] {
  const span = points.at(-1)!.time - points[0]!.time;
  const step = Math.max(everyMinutes * 60_000, span / (GPX_MAX_ENTRIES - 1));
  const kept: TrackPoint[] = [points[0]!];
  for (const p of points.slice(1, -1)) if (p.time - kept.at(-1)!.time >= step) kept.push(p);
  if (points.length > 1) kept.push(points.at(-1)!);
  return kept.map((p, i) => ({
    ...withPosition(emptyEntry(localTime(p.time)), { lat: p.lat, lon: p.lon }),
    events: i === 0 ? ['departure'] : i === kept.length - 1 ? ['arrival'] : [],
    eventNote: i === 0 ? 'GPX' : '',
  }));
}

/** What the preview shows before anything is saved. */
export function trackSummary(points: readonly TrackPoint[]): { start: number; end: number; miles: number } {
  let miles = 0;
  for (let i = 1; i < points.length; i++) miles += distanceNm(points[i - 1]!, points[i]!);
  return { start: points[0]!.time, end: points.at(-1)!.time, miles };
}
