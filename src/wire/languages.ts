// The languages crewbell speaks (API.md's LANG), their own names, and the plural forms each
// one has: shared by the PWA's and the server's catalogues, so both type-check a missing
// text or a missing plural form the same way. Words are filled in by `fill` and `plural`.

export const LANGS = ['de', 'en', 'nl', 'da', 'sv', 'nb', 'fr', 'es', 'it', 'pl', 'hr'] as const;
export type Locale = (typeof LANGS)[number];

/** Each language named in its own words (the picker shows these). */
export const LANG_NAMES: Record<Locale, string> = {
  de: 'Deutsch',
  en: 'English',
  nl: 'Nederlands',
  da: 'Dansk',
  sv: 'Svenska',
  nb: 'Norsk bokmål',
  fr: 'Français',
  es: 'Español',
  it: 'Italiano',
  pl: 'Polski',
  hr: 'Hrvatski',
};

/** The categories `new Intl.PluralRules(lang).select(n)` returns for whole numbers in each language. */
export interface PluralCategories {
  de: 'one' | 'other';
  en: 'one' | 'other';
  nl: 'one' | 'other';
  da: 'one' | 'other';
  sv: 'one' | 'other';
  nb: 'one' | 'other';
  fr: 'one' | 'many' | 'other';
  es: 'one' | 'many' | 'other';
  it: 'one' | 'many' | 'other';
  pl: 'one' | 'few' | 'many' | 'other';
  hr: 'one' | 'few' | 'other';
}

/** A text that depends on a count `{n}`: one wording per plural category of the language. */
export type Plural<L extends Locale = Locale> = { [C in PluralCategories[L]]: string };

/** An English catalogue's shape, for language L: strings stay strings, plurals take L's categories. */
export type CatalogueOf<English, L extends Locale> = {
  [K in keyof English]: English[K] extends string ? string : Plural<L>;
};

/** The tag dates, lists and numbers are formatted with: British English for en (24-hour clock, day first, no serial comma). */
export function intlLocale(lang: Locale): string {
  return lang === 'en' ? 'en-GB' : lang;
}

export function isLocale(tag: unknown): tag is Locale {
  return typeof tag === 'string' && (LANGS as readonly string[]).includes(tag);
}

/** Replaces `{name}` with vars.name (missing names become empty). */
export function fill(text: string, vars: Record<string, string | number> = {}): string {
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ''));
}

const rules = new Map<string, Intl.PluralRules>();

/** The wording of `text` for count n in `lang`, with `{n}` (and any other vars) filled in. */
export function plural(
  lang: string,
  text: string | Partial<Record<Intl.LDMLPluralRule, string>>,
  n: number,
  vars: Record<string, string | number> = {},
): string {
  if (typeof text === 'string') return fill(text, { n, ...vars });
  let rule = rules.get(lang);
  if (!rule) {
    rule = new Intl.PluralRules(lang);
    rules.set(lang, rule);
  }
  const chosen = text[rule.select(n)] ?? text.other ?? '';
  return fill(chosen, { n, ...vars });
}

/**
 * The best of `offered` for an Accept-Language header (RFC 9110 q-values; a region falls back
 * to its language, `no` and `nn` to `nb`); undefined when none matches, `*` included.
 */
export function matchLanguage<L extends string>(header: string | undefined, offered: readonly L[]): L | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .slice(0, 32)
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/.exec(p)?.[1]).find((x) => x !== undefined);
      const bad = params.some((p) => /^\s*q\s*=/.test(p)) && q === undefined;
      return { tag: (tag ?? '').trim().toLowerCase(), q: bad ? 0 : q === undefined ? 1 : Number(q), index };
    })
    .filter((x) => x.q > 0 && x.tag)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    if (tag === '*') continue;
    let base = tag.split('-')[0] ?? '';
    if (base === 'no' || base === 'nn') base = 'nb';
    const found = offered.find((l) => l === base);
    if (found) return found;
  }
  return undefined;
}
