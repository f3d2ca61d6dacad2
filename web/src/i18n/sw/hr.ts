// What the service worker says on the lock screen, in Croatian (see en.ts beside it).
import type { SwCatalogue } from './en.ts';

export default {
  watchStarts: 'Tvoja straža počinje u {time}.',
  logDue: {
    one: 'Vrijeme je za upis u dnevnik: nema ga već {n} minutu.',
    few: 'Vrijeme je za upis u dnevnik: nema ga već {n} minute.',
    other: 'Vrijeme je za upis u dnevnik: nema ga već {n} minuta.',
  },
  created: { one: '{n} novi unos', few: '{n} nova unosa', other: '{n} novih unosa' },
  updated: { one: '{n} izmijenjen', few: '{n} izmijenjena', other: '{n} izmijenjeno' },
  deleted: { one: '{n} obrisan', few: '{n} obrisana', other: '{n} obrisano' },
  changes: { one: '{n} promjena', few: '{n} promjene', other: '{n} promjena' },
  byNames: '– {names}',
  skipper: 'skiper',
} satisfies SwCatalogue<'hr'>;
