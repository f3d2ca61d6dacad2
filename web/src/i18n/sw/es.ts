// What the service worker says on the lock screen, in Spanish (see en.ts beside it).
import type { SwCatalogue } from './en.ts';

export default {
  watchStarts: 'Tu guardia empieza a las {time}.',
  logDue: {
    one: 'Es hora de una anotación en el cuaderno: ninguna desde hace {n} minuto.',
    many: 'Es hora de una anotación en el cuaderno: ninguna desde hace {n} minutos.',
    other: 'Es hora de una anotación en el cuaderno: ninguna desde hace {n} minutos.',
  },
  created: { one: '{n} anotación nueva', many: '{n} anotaciones nuevas', other: '{n} anotaciones nuevas' },
  updated: { one: '{n} modificada', many: '{n} modificadas', other: '{n} modificadas' },
  deleted: { one: '{n} eliminada', many: '{n} eliminadas', other: '{n} eliminadas' },
  changes: { one: '{n} cambio', many: '{n} cambios', other: '{n} cambios' },
  byNames: 'por {names}',
  skipper: 'patrón',
} satisfies SwCatalogue<'es'>;
