// The logbook's positions as a GPX 1.1 track: one track point per entry with a position
// that can be read, with its time, and speed (m/s) and course (degrees) in Garmin's
// TrackPointExtension v2, where GPX 1.1 readers look for them.
import { parseNumber, parsePosition } from '../logbook/fields.ts';
import { storedPosition } from '../logbook/position.ts';
import { mapInChunks, yieldToUi } from './chunks.ts';
import type { ExportRow } from './entries.ts';

const KNOT_MS = 1852 / 3600;

export function xmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** An entry's local "YYYY-MM-DDTHH:MM" (the device's time zone) as UTC ISO time; null when unreadable. */
export function entryInstant(time: string): string | null {
  const ms = Date.parse(time);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
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
      const speed = parseNumber(data.speed);
      const course = parseNumber(data.course);
      const ext =
        speed !== null || course !== null
          ? `<extensions><gpxtpx:TrackPointExtension>${speed !== null ? `<gpxtpx:speed>${(speed * KNOT_MS).toFixed(3)}</gpxtpx:speed>` : ''}${
              course !== null ? `<gpxtpx:course>${course % 360}</gpxtpx:course>` : ''
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
