// What a watch or log reminder says, in the recipient's language (the words are src/texts'; a
// locale without them falls back to English). Times are the recipient's wall clock, 24-hour,
// as a ship's log writes them.
import type { Locale } from '../push/messages.ts';
import { serverText } from '../texts/index.ts';

export interface WatchTexts {
  title: string;
  /** "Your watch starts at 04:00". */
  watchStarts(time: string): string;
  /** No entry synced for `minutes`. */
  logDue(minutes: number): string;
}

export function watchTexts(locale: Locale): WatchTexts {
  return {
    title: serverText(locale, 'title'),
    watchStarts: (time) => serverText(locale, 'watchStarts', { time }),
    logDue: (minutes) => serverText(locale, 'logDue', { n: minutes }),
  };
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
