// Quiet hours on the owner's wall clock: whether an instant falls inside them, and the
// first instant after they end. Zone math is Intl's (no zone tables of our own), so
// daylight-saving changes shift the end with the owner's clock, not with UTC.
import type { QuietHours } from '../push/prefs.ts';

const MINUTE = 60_000;
const DAY_MINUTES = 24 * 60;
const formats = new Map<string, Intl.DateTimeFormat>();

/** Minutes since local midnight of `at` in `timeZone`. */
export function wallClockMinutes(at: number, timeZone: string): number {
  let format = formats.get(timeZone);
  // Stryker disable next-line ConditionalExpression: a cache; a format made anew each time costs more, nothing else (false crashes every call)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit' });
    // Stryker disable next-line CallExpression: a cache; without it only the cost changes
    formats.set(timeZone, format);
  }
  const parts = format.formatToParts(at);
  const part = (type: 'hour' | 'minute') => Number(parts.find((p) => p.type === type)!.value);
  return part('hour') * 60 + part('minute');
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export function isQuiet(at: number, quiet: QuietHours): boolean {
  const from = minutesOf(quiet.from);
  const to = minutesOf(quiet.to);
  const now = wallClockMinutes(at, quiet.timeZone);
  // from > to spans midnight: 22:00–07:00 is quiet from 22:00 on and before 07:00.
  return from < to ? now >= from && now < to : now >= from || now < to;
}

/**
 * When quiet hours that hold `at` end: the first whole minute whose wall-clock time is
 * outside them. undefined when `at` is not quiet. On a spring-forward night an end inside
 * the skipped hour is the moment the clock jumps; on a fall-back night the first `to`.
 */
export function quietHoursEnd(at: number, quiet: QuietHours): number | undefined {
  if (!isQuiet(at, quiet)) return undefined;
  const to = minutesOf(quiet.to);
  // Step forward by the wall-clock distance to `to`. A clock set back makes a step land
  // short (still quiet: step again); a clock set forward makes it land late (bisect back).
  let quietAt = at;
  let after = at;
  // Stryker disable next-line UpdateOperator: a bound on the steps; every valid window leaves the loop by its break within two
  for (let i = 0; i < 4; i++) {
    const ahead = (to - wallClockMinutes(after, quiet.timeZone) + DAY_MINUTES) % DAY_MINUTES || DAY_MINUTES;
    after = Math.floor(after / MINUTE) * MINUTE + ahead * MINUTE;
    if (!isQuiet(after, quiet)) break;
    quietAt = after;
  }
  // quietAt is quiet, after is not, and between them quiet hours end once.
  let lo = Math.floor(quietAt / MINUTE);
  let hi = after / MINUTE;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (isQuiet(mid * MINUTE, quiet)) lo = mid;
    else hi = mid;
  }
  return hi * MINUTE;
}
