// What a watch or log reminder says, in each language the bell speaks. Every watch text lives
// here: a new language is one more entry (a locale without one falls back to English). Times
// are the recipient's wall clock, 24-hour, as a ship's log writes them.
import type { Locale } from '../push/messages.ts';

export interface WatchTexts {
  title: string;
  /** "Your watch starts at 04:00". */
  watchStarts(time: string): string;
  /** No entry synced for `minutes`. */
  logDue(minutes: number): string;
}

const en: WatchTexts = {
  title: 'crewbell',
  watchStarts: (time) => `Your watch starts at ${time}.`,
  logDue: (minutes) => `Time for a log entry: none for ${minutes} minutes.`,
};

const TEXTS: { [L in Locale]?: WatchTexts } & { en: WatchTexts } = {
  en,
  de: {
    title: 'crewbell',
    watchStarts: (time) => `Deine Wache beginnt um ${time}.`,
    logDue: (minutes) => `Zeit für einen Logeintrag: seit ${minutes} Minuten keiner.`,
  },
};

export function watchTexts(locale: Locale): WatchTexts {
  return TEXTS[locale] ?? TEXTS.en;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** "04:00": the wall-clock time of `at` in `timeZone`. */
export function wallClock(at: number, timeZone: string): string {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit' });
    formats.set(timeZone, format);
  }
  return format.format(at);
}
