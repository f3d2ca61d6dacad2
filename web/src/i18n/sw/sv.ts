// What the service worker says on the lock screen, in Swedish (see en.ts beside it).
import type { SwCatalogue } from './en.ts';

export default {
  watchStarts: 'Din vakt börjar kl. {time}.',
  logDue: {
    one: 'Dags för en loggbokanteckning: ingen på {n} minut.',
    other: 'Dags för en loggbokanteckning: ingen på {n} minuter.',
  },
  created: { one: '{n} ny anteckning', other: '{n} nya anteckningar' },
  updated: { one: '{n} ändrad', other: '{n} ändrade' },
  deleted: { one: '{n} raderad', other: '{n} raderade' },
  changes: { one: '{n} ändring', other: '{n} ändringar' },
  byNames: 'av {names}',
  skipper: 'skeppare',
} satisfies SwCatalogue<'sv'>;
