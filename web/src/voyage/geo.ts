// Distances on the sea: great-circle miles between two positions, and the position an entry
// holds, whichever way it was typed. Everything here runs on the device.
import { parsePosition, type EntryData } from '../logbook/fields.ts';

export interface LatLon {
  lat: number;
  lon: number;
}

const EARTH_RADIUS_NM = 3440.065;
const rad = Math.PI / 180;

/** Great-circle distance in nautical miles (haversine; good to a few metres a mile). */
export function distanceNm(a: LatLon, b: LatLon): number {
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_NM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The entry's position as decimal degrees, or null when it has none or it can't be read. */
export function positionOf(data: EntryData): LatLon | null {
  if (typeof data.lat === 'number' && typeof data.lon === 'number') return { lat: data.lat, lon: data.lon };
  return data.position ? parsePosition(data.position) : null;
}

/** The sum of the legs between consecutive positions. */
export function trackLength(points: readonly LatLon[]): number {
  let total = 0;
  for (let i = 1; i < points.length; i++) total += distanceNm(points[i - 1]!, points[i]!);
  return total;
}
