// How a member's device words a notification about changes by others once it has opened the
// logbook's title with the key it holds: "Baltic summer: 2 new entries by Jörg (skipper)". Pure,
// so the service worker and the tests share it; German and English live here, apart from the
// app's texts.
import type { CrewChangeData as Sent } from '../../src/wire/notification.ts';

/** What the server put in the push message's data (all optional: older servers send less). */
export type CrewChangeData = Partial<Pick<Sent, 'changeCount' | 'counts' | 'by' | 'skipper'>>;

const WORDS = {
  en: {
    created: (n: number) => (n === 1 ? '1 new entry' : `${n} new entries`),
    updated: (n: number) => `${n} changed`,
    deleted: (n: number) => `${n} deleted`,
    changes: (n: number) => (n === 1 ? '1 change' : `${n} changes`),
    by: 'by',
    and: 'and',
    skipper: 'skipper',
  },
  de: {
    created: (n: number) => (n === 1 ? '1 neuer Eintrag' : `${n} neue Einträge`),
    updated: (n: number) => `${n} geändert`,
    deleted: (n: number) => `${n} gelöscht`,
    changes: (n: number) => (n === 1 ? '1 Änderung' : `${n} Änderungen`),
    by: 'von',
    and: 'und',
    skipper: 'Skipper',
  },
};

function list(names: string[], and: string): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} ${and} ${names.at(-1)}`;
}

const count = (n: unknown) => (typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : 0);

/** The enriched body, or undefined when the data says too little to be worth it. */
export function crewChangesText(lang: 'de' | 'en', logbookTitle: string, data: CrewChangeData): string | undefined {
  const w = WORDS[lang];
  const parts: string[] = [];
  if (data.counts) {
    if (count(data.counts.create)) parts.push(w.created(count(data.counts.create)));
    if (count(data.counts.update)) parts.push(w.updated(count(data.counts.update)));
    if (count(data.counts.delete)) parts.push(w.deleted(count(data.counts.delete)));
  }
  if (!parts.length && count(data.changeCount)) parts.push(w.changes(count(data.changeCount)));
  if (!parts.length) return undefined;
  const names = Array.isArray(data.by)
    ? data.by.filter((n): n is string => typeof n === 'string' && n.length > 0).slice(0, 5)
    : [];
  // The logbook's skipper is named as such, so crew can tell a correction from the top.
  const named = names.map((n) => (n === data.skipper ? `${n} (${w.skipper})` : n));
  const by = named.length ? ` ${w.by} ${list(named, w.and)}` : '';
  return `${logbookTitle}: ${parts.join(', ')}${by}`;
}
