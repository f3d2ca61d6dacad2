// The server's catalogues of every language it has texts in (a locale without one says
// English), and the one way to read them. A new language is one import and one entry here.
import { type Locale, fill, plural } from '../wire/languages.ts';

import da from './da.ts';
import de from './de.ts';
import en, { type ServerCatalogue, type ServerTextKey } from './en.ts';
import es from './es.ts';
import fr from './fr.ts';
import hr from './hr.ts';
import it from './it.ts';
import nb from './nb.ts';
import nl from './nl.ts';
import pl from './pl.ts';
import sv from './sv.ts';

export const SERVER_TEXTS: { [L in Locale]?: ServerCatalogue<L> } = { en, de, nl, da, sv, nb, fr, es, it, pl, hr };
export type { ServerTextKey };

/** The languages with server texts (the tests walk these). */
export const SERVER_LANGS = Object.keys(SERVER_TEXTS) as Locale[];

/** A server text in `locale` (English when it has none); a plural is chosen by vars.n. */
export function serverText(locale: Locale, key: ServerTextKey, vars: Record<string, string | number> = {}): string {
  const text = ((SERVER_TEXTS[locale] ?? en) as Record<string, string | Record<string, string>>)[key] ?? en[key];
  const lang = SERVER_TEXTS[locale] ? locale : 'en';
  return typeof text === 'string' ? fill(text, vars) : plural(lang, text, Number(vars.n), vars);
}
