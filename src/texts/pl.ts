// What the server itself says, in Polish (see en.ts beside it).
import type { ServerCatalogue } from './en.ts';

export default {
  title: 'crewbell',
  crewChanges: 'Nowe zmiany w jednym z twoich dzienników.',
  test: 'Powiadomienie testowe: push działa na tym urządzeniu.',
  changesSubject: 'crewbell: nowe zmiany w jednym z twoich dzienników',
  changesBody:
    'Nowe zmiany w jednym z twoich dzienników. Żadne z twoich urządzeń nie mogło przyjąć powiadomienia, więc przychodzi ono e-mailem.',
  changesLink: 'Otwórz dziennik',
  verifySubject: 'crewbell: potwierdź swój adres e-mail',
  verifyBody: 'Potwierdź ten adres, aby dostać e-mail, gdy crewbell nie może dotrzeć do żadnego z twoich urządzeń.',
  verifyLink: 'Potwierdź adres',
  verifyIgnore:
    'Jeśli ta prośba nie pochodzi od ciebie, zignoruj tę wiadomość: nic więcej nie zostanie do ciebie wysłane.',
  testSubject: 'crewbell: testowy e-mail',
  testBody: 'Testowy e-mail: crewbell może wysyłać wiadomości na ten adres.',
  why: 'Dostajesz tę wiadomość, ponieważ w crewbell włączono powiadomienia i podano ten adres.',
  unsubscribe: 'Nie wysyłaj mi więcej e-maili',
  watchStarts: 'Twoja wachta zaczyna się o {time}.',
  logDue: {
    one: 'Czas na wpis do dziennika: od {n} minuty nic nie wpisano.',
    few: 'Czas na wpis do dziennika: od {n} minut nic nie wpisano.',
    many: 'Czas na wpis do dziennika: od {n} minut nic nie wpisano.',
    other: 'Czas na wpis do dziennika: od {n} minuty nic nie wpisano.',
  },
} satisfies ServerCatalogue<'pl'>;
