// In the service worker: a watch or log reminder worded on the device. The title becomes the
// logbook's name (opened with the key this device holds; the server never knows it) and the
// time is the device's own clock. Anything missing keeps the server's text.
import { idbStore } from '../offline/idb.ts';
import { logbookTitleOnDevice } from '../notification-detail.ts';
import { intlLocale, type Locale } from '../../../src/wire/languages.ts';
import { swLang, swText } from '../i18n/sw/index.ts';

export interface ReminderData {
  [key: string]: unknown;
  kind?: unknown;
  logbookId?: unknown;
  startsAt?: unknown;
  everyMinutes?: unknown;
}

export function isReminder(data: ReminderData | undefined): boolean {
  return data?.kind === 'watch' || data?.kind === 'log';
}

export async function reminderOnDevice(data: ReminderData): Promise<{ title?: string; body?: string }> {
  const language = swLang(
    await idbStore<string>('settings')
      .get('lang')
      .catch(() => undefined),
  );
  const out: { title?: string; body?: string } = {};
  if (data.kind === 'watch' && typeof data.startsAt === 'string' && !Number.isNaN(Date.parse(data.startsAt)))
    out.body = swText(language, 'watchStarts', { time: clockTime(data.startsAt, language) });
  else if (data.kind === 'log' && typeof data.everyMinutes === 'number')
    out.body = swText(language, 'logDue', { n: data.everyMinutes });
  const title = typeof data.logbookId === 'string' ? await logbookTitleOnDevice(data.logbookId) : undefined;
  if (title) out.title = title;
  return out;
}

/** "04:00" on this device's clock, 24-hour as a ship's log writes it. */
export function clockTime(at: string | number, language: Locale): string {
  return new Date(at).toLocaleTimeString(intlLocale(language), {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
}
