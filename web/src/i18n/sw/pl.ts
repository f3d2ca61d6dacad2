// What the service worker says on the lock screen, in Polish (see en.ts beside it).
import type { SwCatalogue } from './en.ts';

export default {
  watchStarts: 'Twoja wachta zaczyna się o {time}.',
  logDue: {
    one: 'Czas na wpis do dziennika: od {n} minuty nic nie wpisano.',
    few: 'Czas na wpis do dziennika: od {n} minut nic nie wpisano.',
    many: 'Czas na wpis do dziennika: od {n} minut nic nie wpisano.',
    other: 'Czas na wpis do dziennika: od {n} minuty nic nie wpisano.',
  },
  created: { one: '{n} nowy wpis', few: '{n} nowe wpisy', many: '{n} nowych wpisów', other: '{n} nowego wpisu' },
  updated: { one: '{n} zmieniony', few: '{n} zmienione', many: '{n} zmienionych', other: '{n} zmienionego' },
  deleted: { one: '{n} usunięty', few: '{n} usunięte', many: '{n} usuniętych', other: '{n} usuniętego' },
  changes: { one: '{n} zmiana', few: '{n} zmiany', many: '{n} zmian', other: '{n} zmiany' },
  byNames: '– {names}',
  skipper: 'skipper',
} satisfies SwCatalogue<'pl'>;
