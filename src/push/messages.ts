// What a notification says, in every language crewbell speaks (the words are src/texts'; push
// owns the message; notify builds from here). Visible texts stay generic: the server cannot read
// logbooks. Counts and crew names ride only in `data`, encrypted for the device.
import { createHash } from 'node:crypto';
import { serverText } from '../texts/index.ts';
import { LANGS, type Locale, matchLanguage } from '../wire/languages.ts';
import type { ChangeCounts, CrewChangeData, PushMessage } from '../wire/notification.ts';

/** The languages a notification can be written in (a subscription's locale): API.md's LANG. */
export type { Locale };

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
    title: serverText(locale, 'title'),
    body: serverText(locale, 'crewChanges'),
    tag: `logbook-${logbookId}`,
    renotify: false,
    data,
  };
}

export function testMessage(locale: Locale, title?: string, body?: string): PushMessage {
  return {
    title: title ?? serverText(locale, 'title'),
    body: body ?? serverText(locale, 'test'),
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

/**
 * The language an Accept-Language header asks for most (by q-value, then order; a region
 * falls back to its language), among API.md's LANG; en when it asks for none of them.
 */
export function localeFromAcceptLanguage(header: string | undefined): Locale {
  return matchLanguage(header, LANGS) ?? 'en';
}
