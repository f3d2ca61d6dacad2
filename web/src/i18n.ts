// The app's one translator. English (i18n/en.ts) is in the first load; every other language is
// a chunk of its own (i18n/<lang>.ts), loaded before the first render. The language follows
// the device until the user picks one; it is kept in localStorage and sent with the push
// subscription. Plurals, lists, numbers and dates use the platform's Intl for the language.
import {
  intlLocale,
  LANG_NAMES,
  LANGS,
  type Locale,
  fill,
  isLocale,
  matchLanguage,
  plural,
} from '../../src/wire/languages.ts';
import en, { type Catalogue, type TextKey } from './i18n/en.ts';

export type { TextKey };
export { LANG_NAMES };
export type Lang = Locale;

/** The languages with a PWA catalogue: one line per language (docs/adding-a-language.md). */
const LOADERS: { [L in Locale]?: () => Promise<{ default: Catalogue<L> }> } = {
  en: async () => ({ default: en }),
  de: () => import('./i18n/de.ts'),
  nl: () => import('./i18n/nl.ts'),
  da: () => import('./i18n/da.ts'),
  sv: () => import('./i18n/sv.ts'),
  nb: () => import('./i18n/nb.ts'),
  fr: () => import('./i18n/fr.ts'),
  es: () => import('./i18n/es.ts'),
  it: () => import('./i18n/it.ts'),
  pl: () => import('./i18n/pl.ts'),
  hr: () => import('./i18n/hr.ts'),
};

/** Every language the app can show, in the contract's order. */
export const APP_LANGS: Locale[] = LANGS.filter((l) => LOADERS[l]);

const LANG_KEY = 'crewbell.lang';

/** The device's languages (navigator.languages), matched to ours; English when none is. */
export function deviceLang(): Lang {
  const asked =
    typeof navigator === 'undefined' ? [] : navigator.languages?.length ? navigator.languages : [navigator.language];
  return matchLanguage(asked.filter(Boolean).join(','), APP_LANGS) ?? 'en';
}

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(LANG_KEY);
    if (isLocale(saved) && LOADERS[saved]) return saved;
  } catch {
    // storage blocked: follow the device
  }
  return deviceLang();
}

let current: Lang = initialLang();
let table: Record<string, string | Record<string, string>> = en;
const listeners = new Set<() => void>();

export function lang(): Lang {
  return current;
}

/** Loads the chosen language's texts (before the first render, and on a change). */
export async function loadLang(next: Lang = current): Promise<void> {
  const loader = LOADERS[next] as (() => Promise<{ default: Catalogue<Lang> }>) | undefined;
  const loaded = loader ? await loader().catch(() => undefined) : undefined;
  current = loaded ? next : 'en';
  table = loaded ? loaded.default : en;
  if (typeof document !== 'undefined') document.documentElement.lang = current;
}

export async function setLang(next: Lang): Promise<void> {
  try {
    localStorage.setItem(LANG_KEY, next);
  } catch {
    // not fatal: the choice lasts this visit
  }
  await loadLang(next);
  for (const listener of listeners) listener();
}

export function onLangChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The text of `key` in the current language; a plural is chosen by vars.n. */
export function t(key: TextKey, vars: Record<string, string | number> = {}): string {
  const text = table[key] ?? en[key];
  return typeof text === 'string' ? fill(text, vars) : plural(current, text, Number(vars.n), vars);
}

/** "Anna, Ben and Jörg" in the current language. */
export function formatList(items: string[]): string {
  return new Intl.ListFormat(intlTag(), { type: 'conjunction' }).format(items);
}

/** A number as the current language writes it (decimal comma, grouping). */
export function formatNumber(n: number, options: Intl.NumberFormatOptions = {}): string {
  return new Intl.NumberFormat(intlTag(), options).format(n);
}

/** The tag dates and times are formatted with: British English keeps the 24-hour clock and day-first dates. */
export function intlTag(): string {
  return intlLocale(current);
}

export function formatDate(ms: number | string): string {
  return new Date(ms).toLocaleDateString(intlTag(), { month: 'long', year: 'numeric' });
}

export function formatTime(ms: number | string): string {
  return new Date(ms).toLocaleString(intlTag(), { dateStyle: 'medium', timeStyle: 'short' });
}

/** "04:00": a wall-clock time, 24-hour as a ship's log writes it. */
export function formatClock(ms: number | string): string {
  return new Date(ms).toLocaleTimeString(intlTag(), { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}

/** The CSV separator a spreadsheet in this language expects: `;` where the decimal mark is a comma. */
export function csvDelimiter(): ';' | ',' {
  return formatNumber(1.5).includes(',') ? ';' : ',';
}
