// Night hours on the device: how much of a stretch of time the sun spent below the horizon
// at the boat's position. The sun's altitude comes from SunCalc; sampling it every few
// minutes gives the right answer where sunrise and sunset don't exist (polar day and night)
// and across midnight, with no special cases.
import { getPosition } from 'suncalc';
import type { LatLon } from './geo.ts';

/** SunCalc gives the apparent (refraction-corrected) altitude of the sun's centre: night starts when its upper limb (16′ above the centre) is gone. */
const SUNSET_ALTITUDE = -0.27;
const STEP_MS = 5 * 60_000;

export function isNight(at: number, where: LatLon): boolean {
  return getPosition(new Date(at), where.lat, where.lon).altitude < SUNSET_ALTITUDE;
}

/**
 * Hours of night between `from` and `to` (epoch ms) at `where`. Each step of at most five
 * minutes counts as night when the sun is down at its middle.
 */
export function nightHours(from: number, to: number, where: LatLon): number {
  if (!(to > from)) return 0;
  let night = 0;
  for (let start = from; start < to; start += STEP_MS) {
    const end = Math.min(to, start + STEP_MS);
    if (isNight((start + end) / 2, where)) night += end - start;
  }
  return night / 3_600_000;
}
