// What a notification says, in every language crewbell speaks (push owns the message and
// Locale; notify builds from here). Visible texts stay generic: the server cannot read
// logbooks. Counts and crew names ride only in `data`, encrypted for the device.
import { createHash } from 'node:crypto';
import type { ChangeCounts, CrewChangeData, PushMessage } from '../wire/notification.ts';

/** The languages a notification can be written in (a subscription's locale). */
export type Locale = 'de' | 'en';

const TEXTS: Record<Locale, { title: string; crewChanges: string; test: string }> = {
  en: {
    title: 'crewbell',
    crewChanges: 'New changes in one of your logbooks.',
    test: 'Test notification: push works on this device.',
  },
  de: {
    title: 'crewbell',
    crewChanges: 'Neue Änderungen in einem deiner Logbücher.',
    test: 'Testbenachrichtigung: Push funktioniert auf diesem Gerät.',
  },
};

export type { PushMessage } from '../wire/notification.ts';

/** What the owner's device may use to word the notification itself (it holds the logbook's key). */
export interface CrewChangeDetails {
  counts?: ChangeCounts;
  /** Usernames of the members who made the changes. */
  by?: string[];
  /** The one of them who is the logbook's skipper (owner), if any: the device says so. */
  skipper?: string;
}

/**
 * The visible text stays generic; counts and crew names ride along in `data` (encrypted
 * for the device like the rest) for a service worker that can say more.
 */
export function crewChangesMessage(
  locale: Locale,
  logbookId: string,
  changeCount: number,
  details: CrewChangeDetails = {},
): PushMessage {
  const data: CrewChangeData = { url: `/logbook/${logbookId}`, logbookId, changeCount };
  if (details.counts) data.counts = details.counts;
  if (details.by?.length) data.by = details.by;
  if (details.skipper) data.skipper = details.skipper;
  return {
    title: TEXTS[locale].title,
    body: TEXTS[locale].crewChanges,
    tag: `logbook-${logbookId}`,
    renotify: false,
    data,
  };
}

export function testMessage(locale: Locale, title?: string, body?: string): PushMessage {
  return {
    title: title ?? TEXTS[locale].title,
    body: body ?? TEXTS[locale].test,
    tag: 'test',
    renotify: false,
    data: { url: '/settings' },
  };
}

/**
 * The Topic header for a logbook (≤ 32 base64url characters): its uuid without dashes,
 * or a digest for an id that would not fit.
 */
export function logbookTopic(logbookId: string): string {
  const compact = logbookId.replace(/-/g, '');
  if (/^[A-Za-z0-9_]{1,32}$/.test(compact)) return compact;
  return createHash('sha256').update(logbookId).digest('base64url').slice(0, 32);
}

/** Picks de or en from an Accept-Language header by quality; en when neither is asked for. */
export function localeFromAcceptLanguage(header: string | undefined): Locale {
  if (!header) return 'en';
  const ranked = header
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((x) => x !== undefined);
      return { lang: (tag ?? '').trim().toLowerCase().split('-')[0], q: q === undefined ? 1 : Number(q), index };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { lang } of ranked) if (lang === 'de' || lang === 'en') return lang;
  return 'en';
}
