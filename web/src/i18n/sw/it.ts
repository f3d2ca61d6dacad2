// What the service worker says on the lock screen, in Italian (see en.ts beside it).
import type { SwCatalogue } from './en.ts';

export default {
  watchStarts: 'La tua guardia inizia alle {time}.',
  logDue: {
    one: 'È ora di scrivere sul giornale di bordo: nessuna annotazione da {n} minuto.',
    many: 'È ora di scrivere sul giornale di bordo: nessuna annotazione da {n} minuti.',
    other: 'È ora di scrivere sul giornale di bordo: nessuna annotazione da {n} minuti.',
  },
  created: { one: '{n} nuova annotazione', many: '{n} nuove annotazioni', other: '{n} nuove annotazioni' },
  updated: { one: '{n} modificata', many: '{n} modificate', other: '{n} modificate' },
  deleted: { one: '{n} eliminata', many: '{n} eliminate', other: '{n} eliminate' },
  changes: { one: '{n} modifica', many: '{n} modifiche', other: '{n} modifiche' },
  byNames: 'di {names}',
  skipper: 'skipper',
} satisfies SwCatalogue<'it'>;
