// The logbook's positions as a GPX 1.1 track: one track point per entry with a position
// that can be read, with its time, and speed (m/s) and course (degrees) in Garmin's
// TrackPointExtension v2, where GPX 1.1 readers look for them.
import { parseNumber, parsePosition } from '../logbook/fields.ts';
import { storedPosition } from '../logbook/position.ts';
import { mapInChunks, yieldToUi } from './chunks.ts';
import type { ExportRow } from './entries.ts';

const KNOT_MS = 1852 / 3600;
/** Faster than any boat (the speed sailing record is about 65 kn): a typo, left out of the track. */
export const MAX_SPEED_KN = 100;

/**
 * Characters XML 1.0 does not allow (C0 controls but tab and line breaks, lone surrogates,
 * U+FFFE and U+FFFF): dropped, since one of them makes the whole file unreadable.
 */
const NOT_XML =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlText(s: string): string {
  return s
    .replace(NOT_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/**
 * An entry's local "YYYY-MM-DDTHH:MM" (the device's time zone) as UTC ISO time; null when
 * unreadable or outside the years 1–9999 (an xsd:dateTime has no "+010000").
 */
export function entryInstant(time: string): string | null {
  const ms = Date.parse(time);
  if (!Number.isFinite(ms)) return null;
  const year = new Date(ms).getUTCFullYear();
  return year >= 1 && year <= 9999 ? new Date(ms).toISOString() : null;
}

/** Speed over ground in m/s with 3 decimals, for 0–100 kn; null otherwise (a 400-digit speed was Infinity). */
export function gpxSpeed(knots: number | null): string | null {
  return knots !== null && Number.isFinite(knots) && knots >= 0 && knots <= MAX_SPEED_KN
    ? (knots * KNOT_MS).toFixed(3)
    : null;
}

/** Course in degrees 0 to below 360 (a course of 360 or -90 turned round), at most 1 decimal; null when not finite or beyond ±720. */
export function gpxCourse(degrees: number | null): string | null {
  if (degrees === null || !Number.isFinite(degrees) || Math.abs(degrees) > 720) return null;
  const turned = (((Math.round(degrees * 10) / 10) % 360) + 360) % 360;
  return String(Math.round(turned * 10) / 10);
}

export async function buildGpx(
  rows: readonly ExportRow[],
  trackName: string,
  pause: () => Promise<void> = yieldToUi,
): Promise<string[]> {
  const points = await mapInChunks(
    rows,
    ({ data }) => {
      // The stored numbers are finer than the written 0.1 minute.
      const at = storedPosition(data.lat, data.lon) ?? parsePosition(data.position);
      if (!at) return '';
      const time = entryInstant(data.time);
      const speed = gpxSpeed(parseNumber(data.speed));
      const course = gpxCourse(parseNumber(data.course));
      const ext =
        speed !== null || course !== null
          ? `<extensions><gpxtpx:TrackPointExtension>${speed !== null ? `<gpxtpx:speed>${speed}</gpxtpx:speed>` : ''}${
              course !== null ? `<gpxtpx:course>${course}</gpxtpx:course>` : ''
            }</gpxtpx:TrackPointExtension></extensions>`
          : '';
      return `<trkpt lat="${at.lat.toFixed(6)}" lon="${at.lon.toFixed(6)}">${time ? `<time>${time}</time>` : ''}${ext}</trkpt>\n`;
    },
    pause,
  );
  const head =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<gpx version="1.1" creator="crewbell" xmlns="http://www.topografix.com/GPX/1/1" ' +
    'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v2">\n' +
    `<metadata><name>${xmlText(trackName)}</name><time>${new Date().toISOString()}</time></metadata>\n` +
    `<trk><name>${xmlText(trackName)}</name><trkseg>\n`;
  return [head, ...points.filter(Boolean), '</trkseg></trk>\n</gpx>\n'];
}
