// Every catalogue of every language registered (the PWA's, the service worker's, the server's)
// against English: each key there, nothing empty, the same {placeholders}, each plural with
// exactly the forms Intl.PluralRules has for the language. A new language file is walked too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { LANGS, type Locale, plural } from '../../src/wire/languages.ts';
import { crewChangesMessage, localeFromAcceptLanguage, testMessage } from '../../src/push/messages.ts';
import { SERVER_LANGS, SERVER_TEXTS } from '../../src/texts/index.ts';
import { logMessage, watchMessage } from '../../src/watch/messages.ts';
import { composeEmail } from '../../src/email/compose.ts';
import { APP_LANGS } from '../../web/src/i18n.ts';
import { SW_LANGS } from '../../web/src/i18n/sw/index.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
type Text = string | Record<string, string>;
type Table = Record<string, Text>;

/** The language files of a catalogue folder (xx.ts), each loaded. */
async function catalogues(dir: string): Promise<Map<string, Table>> {
  const out = new Map<string, Table>();
  for (const file of readdirSync(path.join(ROOT, dir)).sort()) {
    const m = /^([a-z]{2})\.ts$/.exec(file);
    if (m) out.set(m[1]!, (await import(path.join(ROOT, dir, file))).default as Table);
  }
  return out;
}

const FOLDERS = [
  { dir: 'web/src/i18n', registered: APP_LANGS },
  { dir: 'web/src/i18n/sw', registered: SW_LANGS },
  { dir: 'src/texts', registered: SERVER_LANGS },
];

const placeholders = (text: Text) =>
  [
    ...new Set(
      Object.values(typeof text === 'string' ? { other: text } : text).flatMap((s) => s.match(/\{\w+\}/g) ?? []),
    ),
  ].sort();

for (const { dir, registered } of FOLDERS) {
  test(`${dir}: every language file is registered, and speaks a LANG of the contract`, async () => {
    const files = [...(await catalogues(dir)).keys()];
    assert.deepEqual([...registered].sort(), files.sort());
    for (const lang of files) assert.ok((LANGS as readonly string[]).includes(lang), lang);
  });

  test(`${dir}: every key of English in every language, none empty, the same placeholders`, async () => {
    const all = await catalogues(dir);
    const en = all.get('en')!;
    for (const [lang, table] of all) {
      assert.deepEqual(Object.keys(table).sort(), Object.keys(en).sort(), `${lang}: the keys of en`);
      for (const [key, text] of Object.entries(table)) {
        const forms = typeof text === 'string' ? [text] : Object.values(text);
        for (const form of forms) assert.ok(form.trim().length > 0, `${lang}.${key} is empty`);
        assert.deepEqual(placeholders(text), placeholders(en[key]!), `${lang}.${key}: placeholders as in en`);
        assert.equal(typeof text, typeof en[key], `${lang}.${key}: a plural where en has one`);
      }
    }
  });

  test(`${dir}: no sentence left in English (a text of 12 letters or more the same as en's)`, async () => {
    const all = await catalogues(dir);
    const en = all.get('en')!;
    for (const [lang, table] of all) {
      if (lang === 'en') continue;
      const same = Object.keys(table).filter((key) => {
        const ours = JSON.stringify(table[key]);
        const letters = ours.replace(/\{\w+\}/g, '').replace(/[^\p{L}]/gu, '').length;
        return ours === JSON.stringify(en[key]) && letters >= 12 && !SAME_AS_ENGLISH.has(`${lang}.${key}`);
      });
      assert.deepEqual(same, [], `${lang}: still English`);
    }
  });

  test(`${dir}: plurals for 0, 1, 2, 5 and 22 take the language's form, with the number`, async () => {
    for (const [lang, table] of await catalogues(dir)) {
      const categories = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
      for (const [key, text] of Object.entries(table)) {
        if (typeof text === 'string') continue;
        assert.deepEqual(Object.keys(text).sort(), [...categories].sort(), `${lang}.${key}: the forms of ${lang}`);
        for (const n of [0, 1, 2, 5, 22]) {
          const form = EXPECTED[lang as Locale]![[0, 1, 2, 5, 22].indexOf(n)]!;
          const said = plural(lang, text, n);
          assert.equal(
            said,
            text[form]!.replaceAll('{n}', String(n)).replace(/\{\w+\}/g, ''),
            `${lang}.${key} for ${n}`,
          );
          assert.ok(said.includes(String(n)), `${lang}.${key} for ${n} says the number: ${said}`);
        }
      }
    }
  });
}

/** Texts that are rightly the same as English in a language (`lang.key`), e.g. "Barometer (hPa)". */
const SAME_AS_ENGLISH = new Set<string>([
  'de.f_baro',
  'da.f_baro',
  'sv.f_baro',
  'nb.f_baro',
  'nl.exportCsv',
  'fr.notifications',
]);

/** The plural form each language uses for 0, 1, 2, 5 and 22 (CLDR), written out, not asked of Intl. */
const EXPECTED: Record<Locale, string[]> = {
  de: ['other', 'one', 'other', 'other', 'other'],
  en: ['other', 'one', 'other', 'other', 'other'],
  nl: ['other', 'one', 'other', 'other', 'other'],
  da: ['other', 'one', 'other', 'other', 'other'],
  sv: ['other', 'one', 'other', 'other', 'other'],
  nb: ['other', 'one', 'other', 'other', 'other'],
  fr: ['one', 'one', 'other', 'other', 'other'],
  es: ['other', 'one', 'other', 'other', 'other'],
  it: ['other', 'one', 'other', 'other', 'other'],
  pl: ['many', 'one', 'few', 'many', 'few'],
  hr: ['other', 'one', 'few', 'other', 'few'],
};

test('every language of the contract has its catalogues (PWA, lock screen, server)', (t) => {
  const missing = FOLDERS.flatMap(({ dir, registered }) =>
    LANGS.filter((l) => !registered.includes(l)).map((l) => `${dir}/${l}.ts`),
  );
  if (missing.length) t.todo(`not yet: ${missing.join(', ')}`);
});

test('Accept-Language: the highest q-value among the eleven, a region falls back to its language, else en', () => {
  assert.equal(localeFromAcceptLanguage(undefined), 'en');
  assert.equal(localeFromAcceptLanguage(''), 'en');
  assert.equal(localeFromAcceptLanguage('de-DE,de;q=0.9,en;q=0.8'), 'de');
  assert.equal(localeFromAcceptLanguage('nl-BE'), 'nl');
  assert.equal(localeFromAcceptLanguage('en;q=0.5, da;q=0.8'), 'da', 'by q-value, not by order');
  assert.equal(localeFromAcceptLanguage('fr;q=0.7, pl;q=0.7'), 'fr', 'equal q: the first');
  assert.equal(localeFromAcceptLanguage('ja, hr;q=0.3'), 'hr', 'skips a language crewbell does not speak');
  assert.equal(localeFromAcceptLanguage('no, en;q=0.5'), 'nb', 'Norwegian is written in bokmål');
  assert.equal(localeFromAcceptLanguage('nn-NO'), 'nb');
  assert.equal(localeFromAcceptLanguage('sv;q=0, it;q=0.1'), 'it', 'q=0 refuses');
  assert.equal(localeFromAcceptLanguage('es;q=2, de;q=0.2'), 'de', 'a q-value out of range counts as refused');
  assert.equal(localeFromAcceptLanguage('*'), 'en');
  assert.equal(localeFromAcceptLanguage('ja, zh;q=0.9'), 'en');
  assert.equal(localeFromAcceptLanguage(`${'x,'.repeat(5000)}de`), 'en', 'a long header is cut, not parsed whole');
});

test('the server words its push, its reminders and its emails in each language it has, English for the others', () => {
  for (const lang of SERVER_LANGS) {
    const texts = SERVER_TEXTS[lang]!;
    assert.equal(crewChangesMessage(lang, 'l1', 2).body, texts.crewChanges, lang);
    assert.equal(testMessage(lang).body, texts.test, lang);
    const log = logMessage(lang, 'l1', 1).body;
    assert.equal(log, plural(lang, texts.logDue, 1), `${lang}: the one-minute form`);
    assert.ok(log.includes('1'), log);
    assert.ok(
      watchMessage(lang, 'UTC', 'l1', { id: 'w', startsAt: Date.UTC(2026, 6, 4, 4), endsAt: 0 }).body.includes('04:00'),
    );
    assert.equal(composeEmail('test', lang, 'https://boat.example', '/settings', undefined).subject, texts.testSubject);
  }
  const missing = LANGS.find((l) => !SERVER_LANGS.includes(l));
  if (missing) assert.equal(crewChangesMessage(missing, 'l1', 1).body, SERVER_TEXTS.en!.crewChanges);
});
