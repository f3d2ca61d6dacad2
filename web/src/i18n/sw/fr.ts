// What the service worker says on the lock screen, in French (see en.ts beside it).
import type { SwCatalogue } from './en.ts';

export default {
  watchStarts: 'Votre quart commence à {time}.',
  logDue: {
    one: 'C’est l’heure d’une entrée au livre de bord : aucune depuis {n} minute.',
    many: 'C’est l’heure d’une entrée au livre de bord : aucune depuis {n} minutes.',
    other: 'C’est l’heure d’une entrée au livre de bord : aucune depuis {n} minutes.',
  },
  created: { one: '{n} nouvelle entrée', many: '{n} nouvelles entrées', other: '{n} nouvelles entrées' },
  updated: { one: '{n} modifiée', many: '{n} modifiées', other: '{n} modifiées' },
  deleted: { one: '{n} supprimée', many: '{n} supprimées', other: '{n} supprimées' },
  changes: { one: '{n} modification', many: '{n} modifications', other: '{n} modifications' },
  byNames: 'par {names}',
  skipper: 'skipper',
} satisfies SwCatalogue<'fr'>;
