// What the service worker says on the lock screen, in Norwegian bokmål (see en.ts beside it).
import type { SwCatalogue } from './en.ts';

export default {
  watchStarts: 'Vakten din begynner kl. {time}.',
  logDue: {
    one: 'På tide med en loggføring: ingen på {n} minutt.',
    other: 'På tide med en loggføring: ingen på {n} minutter.',
  },
  created: { one: '{n} ny oppføring', other: '{n} nye oppføringer' },
  updated: { one: '{n} endret', other: '{n} endret' },
  deleted: { one: '{n} slettet', other: '{n} slettet' },
  changes: { one: '{n} endring', other: '{n} endringer' },
  byNames: 'av {names}',
  skipper: 'skipper',
} satisfies SwCatalogue<'nb'>;
