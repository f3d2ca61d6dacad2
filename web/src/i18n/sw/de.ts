// What the service worker says on the lock screen, in German (see en.ts beside it).
import type { SwCatalogue } from './en.ts';

export default {
  watchStarts: 'Deine Wache beginnt um {time}.',
  logDue: {
    one: 'Zeit für einen Logeintrag: seit {n} Minute keiner.',
    other: 'Zeit für einen Logeintrag: seit {n} Minuten keiner.',
  },
  created: { one: '{n} neuer Eintrag', other: '{n} neue Einträge' },
  updated: { one: '{n} geändert', other: '{n} geändert' },
  deleted: { one: '{n} gelöscht', other: '{n} gelöscht' },
  changes: { one: '{n} Änderung', other: '{n} Änderungen' },
  byNames: 'von {names}',
  skipper: 'Skipper',
} satisfies SwCatalogue<'de'>;
