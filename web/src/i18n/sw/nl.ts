// What the service worker says on the lock screen, in Dutch (see en.ts beside it).
import type { SwCatalogue } from './en.ts';

export default {
  watchStarts: 'Je wacht begint om {time}.',
  logDue: {
    one: 'Tijd voor een regel in het logboek: al {n} minuut geen.',
    other: 'Tijd voor een regel in het logboek: al {n} minuten geen.',
  },
  created: { one: '{n} nieuwe regel', other: '{n} nieuwe regels' },
  updated: { one: '{n} gewijzigd', other: '{n} gewijzigd' },
  deleted: { one: '{n} verwijderd', other: '{n} verwijderd' },
  changes: { one: '{n} wijziging', other: '{n} wijzigingen' },
  byNames: 'door {names}',
  skipper: 'schipper',
} satisfies SwCatalogue<'nl'>;
