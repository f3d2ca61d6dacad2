// Every text an email says, in each language with server texts (src/texts/<lang>.ts: a new
// language is one more file there, nothing changes here). Texts stay generic: an email passes through relays the owner
// does not run, so it never carries logbook content, names or counts.

import { SERVER_LANGS, serverText } from '../texts/index.ts';
import { isLocale, type Locale } from '../wire/languages.ts';

export type EmailLocale = Locale;

export interface EmailTexts {
  /** A due notification that no device could take. */
  changesSubject: string;
  changesBody: string;
  changesLink: string;
  /** The verification link for a new address. */
  verifySubject: string;
  verifyBody: string;
  verifyLink: string;
  verifyIgnore: string;
  /** `crewbell email test`. */
  testSubject: string;
  testBody: string;
  /** The footer of every notification email. */
  why: string;
  unsubscribe: string;
}

const KEYS: (keyof EmailTexts)[] = [
  'changesSubject',
  'changesBody',
  'changesLink',
  'verifySubject',
  'verifyBody',
  'verifyLink',
  'verifyIgnore',
  'testSubject',
  'testBody',
  'why',
  'unsubscribe',
];

/** The email texts of every language with server texts (src/texts/<lang>.ts). */
export const EMAIL_TEXTS = Object.fromEntries(
  SERVER_LANGS.map((l) => [l, Object.fromEntries(KEYS.map((k) => [k, serverText(l, k)])) as unknown as EmailTexts]),
) as { [L in Locale]?: EmailTexts } & { en: EmailTexts };

/**
 * The language (one of API.md's eleven) for a stored or asked-for tag; English when it is
 * none of them. Kept as asked even before its texts exist: emails say English until then.
 */
export function emailLocale(tag: string | undefined | null): EmailLocale {
  const lang = (tag ?? '').toLowerCase().split('-')[0];
  return isLocale(lang) ? lang : 'en';
}
