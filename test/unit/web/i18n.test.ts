// The PWA's one translator: a language's chunk is loaded before use, plurals are chosen by the
// language's rules ("Exported 1 entry."), lists and numbers follow the language.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_LANGS, formatList, formatNumber, lang, loadLang, t } from '../../../web/src/i18n.ts';

test('English: one entry, five entries; placeholders filled', async () => {
  await loadLang('en');
  assert.equal(t('exportDone', { n: 1 }), 'Exported 1 entry.');
  assert.equal(t('exportDone', { n: 5 }), 'Exported 5 entries.');
  assert.equal(t('exportDone', { n: 0 }), 'Exported 0 entries.');
  assert.equal(t('confirmRemove', { name: 'Anna' }), 'Remove Anna from the crew?');
  assert.equal(formatList(['Anna', 'Ben', 'Carl']), 'Anna, Ben and Carl');
});

test('German is loaded as its own chunk and speaks its plurals, lists and decimal comma', async () => {
  await loadLang('de');
  assert.equal(lang(), 'de');
  assert.equal(t('exportDone', { n: 1 }), '1 Eintrag exportiert.');
  assert.equal(t('exportDone', { n: 22 }), '22 Einträge exportiert.');
  assert.equal(t('pushOtherDevices', { n: 2 }), 'Außerdem auf 2 weiteren Geräten.');
  assert.equal(formatList(['Anna', 'Ben', 'Carl']), 'Anna, Ben und Carl');
  assert.equal(formatNumber(1.5), '1,5');
  await loadLang('en');
});

test('every language the app offers loads, and none of them says an English sentence for a plural', async () => {
  for (const l of APP_LANGS) {
    await loadLang(l);
    assert.equal(lang(), l);
    if (l !== 'en') assert.notEqual(t('exportDone', { n: 5 }), 'Exported 5 entries.', l);
  }
  await loadLang('en');
});
