// The push message of a watch or a log reminder: the shape of every crewbell push (tag, data
// for the service worker) with the text in the recipient's language and on their wall clock.
// The service worker adds the logbook's name on the device; the server never knows it.
import { logbookTopic, type Locale, type PushMessage } from '../push/messages.ts';
import { isoTime } from '../kit/validate.ts';
import type { WatchReminderData } from '../wire/watches.ts';
import { wallClock, watchTexts } from './texts.ts';

export function watchMessage(
  locale: Locale,
  timeZone: string,
  logbookId: string,
  watch: { id: string; startsAt: number; endsAt: number },
): PushMessage {
  const texts = watchTexts(locale);
  const data: WatchReminderData = {
    kind: 'watch',
    url: `/logbook/${logbookId}`,
    logbookId,
    watchId: watch.id,
    startsAt: isoTime(watch.startsAt),
    endsAt: isoTime(watch.endsAt),
  };
  return {
    title: texts.title,
    body: texts.watchStarts(wallClock(watch.startsAt, timeZone)),
    tag: `watch-${logbookId}`,
    renotify: true,
    data,
  };
}

export function logMessage(locale: Locale, logbookId: string, everyMinutes: number): PushMessage {
  const texts = watchTexts(locale);
  const data: WatchReminderData = { kind: 'log', url: `/logbook/${logbookId}`, logbookId, everyMinutes };
  return { title: texts.title, body: texts.logDue(everyMinutes), tag: `log-${logbookId}`, renotify: true, data };
}

/** Topics of their own: a pending crew-change push never replaces a reminder, nor the other way. */
export const watchTopic = (logbookId: string) => logbookTopic(`watch-${logbookId}`);
export const logTopic = (logbookId: string) => logbookTopic(`log-${logbookId}`);
