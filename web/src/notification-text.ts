// How a member's device words a notification about changes by others once it has opened the
// logbook's title with the key it holds: "Baltic summer: 2 new entries by Jörg (skipper)". Pure,
// so the service worker and the tests share it; the words are the lock-screen catalogue's.
import { intlLocale, type Locale } from '../../src/wire/languages.ts';
import type { CrewChangeData as Sent } from '../../src/wire/notification.ts';
import { swText } from './i18n/sw/index.ts';

/** What the server put in the push message's data (all optional: older servers send less). */
export type CrewChangeData = Partial<Pick<Sent, 'changeCount' | 'counts' | 'by' | 'skipper'>>;

const count = (n: unknown) => (typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : 0);

/** The enriched body, or undefined when the data says too little to be worth it. */
export function crewChangesText(lang: Locale, logbookTitle: string, data: CrewChangeData): string | undefined {
  const parts: string[] = [];
  if (data.counts) {
    if (count(data.counts.create)) parts.push(swText(lang, 'created', { n: count(data.counts.create) }));
    if (count(data.counts.update)) parts.push(swText(lang, 'updated', { n: count(data.counts.update) }));
    if (count(data.counts.delete)) parts.push(swText(lang, 'deleted', { n: count(data.counts.delete) }));
  }
  if (!parts.length && count(data.changeCount)) parts.push(swText(lang, 'changes', { n: count(data.changeCount) }));
  if (!parts.length) return undefined;
  const names = Array.isArray(data.by)
    ? data.by.filter((n): n is string => typeof n === 'string' && n.length > 0).slice(0, 5)
    : [];
  // The logbook's skipper is named as such, so crew can tell a correction from the top.
  const named = names.map((n) => (n === data.skipper ? `${n} (${swText(lang, 'skipper')})` : n));
  const by = named.length
    ? ` ${swText(lang, 'byNames', { names: new Intl.ListFormat(intlLocale(lang), { type: 'conjunction' }).format(named) })}`
    : '';
  return `${logbookTitle}: ${parts.join(', ')}${by}`;
}
