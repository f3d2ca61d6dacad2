// Quiet hours on the owner's wall clock: whether an instant falls inside them, and the
// first instant after they end. Zone math is Intl's (no zone tables of our own), so
// daylight-saving changes shift the end with the owner's clock, not with UTC.
import type { QuietHours } from './prefs.ts';

const MINUTE = 60_000;
const DAY_MINUTES = 24 * 60;
/** Formatters kept, by canonical zone name (each holds ~24 KiB of ICU memory); least recently used go first. */
export const MAX_CACHED_ZONES = 64;
const formats = new Map<string, Intl.DateTimeFormat>();

/** The zones whose formatter is kept, least recently used first. */
export function cachedZones(): string[] {
  return [...formats.keys()];
}

/**
 * The formatter of a zone, kept under its canonical name only: another spelling (stored
 * before names were made canonical) gets a formatter that is not kept beyond its call.
 */
function formatFor(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    const made = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit' });
    const canonical = made.resolvedOptions().timeZone;
    format = formats.get(canonical) ?? made;
    timeZone = canonical;
  }
  formats.delete(timeZone);
  formats.set(timeZone, format);
  if (formats.size > MAX_CACHED_ZONES) formats.delete(formats.keys().next().value!);
  return format;
}

/** Minutes since local midnight of `at` in `timeZone`. */
export function wallClockMinutes(at: number, timeZone: string): number {
  const format = formatFor(timeZone);
  let hour = 0;
  let minute = 0;
  for (const part of format.formatToParts(at)) {
    if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return hour * 60 + minute;
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
  return firstMinuteNotQuiet(Math.floor(quietAt / MINUTE), after / MINUTE, quiet) * MINUTE;
}

/**
 * The first minute after `lo` (quiet) up to `hi` (not quiet) that is not quiet, by halving the
 * span. It recurses (depth log2 of the span: 11 for a whole day) rather than loops, so a broken
 * step overflows the stack instead of hanging.
 */
function firstMinuteNotQuiet(lo: number, hi: number, quiet: QuietHours): number {
  if (hi - lo <= 1) return hi;
  const mid = Math.floor((lo + hi) / 2);
  return isQuiet(mid * MINUTE, quiet) ? firstMinuteNotQuiet(mid, hi, quiet) : firstMinuteNotQuiet(lo, mid, quiet);
}
