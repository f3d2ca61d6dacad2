// Night hours on the device: how much of a stretch of time the sun spent below the horizon
// at the boat's position. The sun's altitude comes from SunCalc; stepping through time and
// asking it gives the right answer where sunrise and sunset don't exist (polar day and
// night) and across midnight, with no special cases.
import { getPosition } from 'suncalc';
import type { LatLon } from './geo.ts';

/** SunCalc gives the apparent (refraction-corrected) altitude of the sun's centre: night starts when its upper limb (16′ above the centre) is gone. */
const SUNSET_ALTITUDE = -0.27;
/** The sun's altitude changes by at most 15° an hour (at the equator, at noon or midnight less). */
const MAX_DEGREES_PER_MS = 15 / 3_600_000;
const MIN_STEP_MS = 60_000;

/**
 * Hours of night between `from` and `to` (epoch ms) at `where`. Each step lasts as long as
 * the sun cannot cross the horizon, given how far from it the sun is at the step's start
 * (at least a minute), so a night far from dusk costs a few steps, not one every minute.
 */
export function nightHours(from: number, to: number, where: LatLon): number {
  if (!(to > from)) return 0;
  let night = 0;
  for (let at = from; at < to; ) {
    const altitude = getPosition(new Date(at), where.lat, where.lon).altitude;
    const step = Math.max(MIN_STEP_MS, Math.abs(altitude - SUNSET_ALTITUDE) / MAX_DEGREES_PER_MS);
    const end = Math.min(to, at + step);
    if (altitude < SUNSET_ALTITUDE) night += end - at;
    at = end;
  }
  return night / 3_600_000;
}
