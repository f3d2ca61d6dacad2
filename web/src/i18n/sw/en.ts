// What the service worker says on the lock screen, in English: the source for the other
// languages' files beside it. These few texts are bundled into sw.js for every language (a
// service worker cannot load a chunk later), so they stay apart from the app's catalogue.
import type { CatalogueOf, Locale } from '../../../../src/wire/languages.ts';

export const en = {
  watchStarts: 'Your watch starts at {time}.',
  logDue: { one: 'Time for a log entry: none for {n} minute.', other: 'Time for a log entry: none for {n} minutes.' },
  created: { one: '{n} new entry', other: '{n} new entries' },
  updated: { one: '{n} changed', other: '{n} changed' },
  deleted: { one: '{n} deleted', other: '{n} deleted' },
  changes: { one: '{n} change', other: '{n} changes' },
  byNames: 'by {names}',
  skipper: 'skipper',
};

export type SwCatalogue<L extends Locale> = CatalogueOf<typeof en, L>;

export default en satisfies SwCatalogue<'en'>;
