// The lock-screen texts of every language, for the service worker (and the app's tests): a
// language without a file here says English. A new language is one import and one entry.
import { type Locale, fill, isLocale, plural } from '../../../../src/wire/languages.ts';

import da from './da.ts';
import de from './de.ts';
import en, { type SwCatalogue } from './en.ts';
import es from './es.ts';
import fr from './fr.ts';
import hr from './hr.ts';
import it from './it.ts';
import nb from './nb.ts';
import nl from './nl.ts';
import pl from './pl.ts';
import sv from './sv.ts';

const SW_TEXTS: { [L in Locale]?: SwCatalogue<L> } = { en, de, nl, da, sv, nb, fr, es, it, pl, hr };

export type SwTextKey = keyof typeof en;

/** The languages with lock-screen texts (the tests walk these). */
export const SW_LANGS = Object.keys(SW_TEXTS) as Locale[];

/** A stored language tag, or English when it is none of ours. */
export function swLang(tag: unknown): Locale {
  return isLocale(tag) && SW_TEXTS[tag] ? tag : 'en';
}

/** A lock-screen text in `lang`; plurals are chosen by vars.n. */
export function swText(lang: Locale, key: SwTextKey, vars: Record<string, string | number> = {}): string {
  const text = (SW_TEXTS[lang] ?? en)[key] as string | Record<string, string>;
  return typeof text === 'string' ? fill(text, vars) : plural(lang, text, Number(vars.n), vars);
}
