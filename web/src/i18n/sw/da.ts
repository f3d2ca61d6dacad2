// What the service worker says on the lock screen, in Danish (see en.ts beside it).
import type { SwCatalogue } from './en.ts';

export default {
  watchStarts: 'Din vagt begynder kl. {time}.',
  logDue: {
    one: 'Tid til en indførsel i logbogen: ingen i {n} minut.',
    other: 'Tid til en indførsel i logbogen: ingen i {n} minutter.',
  },
  created: { one: '{n} ny indførsel', other: '{n} nye indførsler' },
  updated: { one: '{n} ændret', other: '{n} ændret' },
  deleted: { one: '{n} slettet', other: '{n} slettet' },
  changes: { one: '{n} ændring', other: '{n} ændringer' },
  byNames: 'af {names}',
  skipper: 'skipper',
} satisfies SwCatalogue<'da'>;
