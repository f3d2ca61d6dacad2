// What the server itself says, in German (see en.ts beside it).
import type { ServerCatalogue } from './en.ts';

export default {
  title: 'crewbell',
  crewChanges: 'Neue Änderungen in einem deiner Logbücher.',
  test: 'Testbenachrichtigung: Push funktioniert auf diesem Gerät.',
  changesSubject: 'crewbell: Neue Änderungen in einem deiner Logbücher',
  changesBody:
    'Neue Änderungen in einem deiner Logbücher. Keins deiner Geräte konnte die Benachrichtigung annehmen, darum kommt sie per E-Mail.',
  changesLink: 'Logbuch öffnen',
  verifySubject: 'crewbell: Bestätige deine E-Mail-Adresse',
  verifyBody: 'Bestätige diese Adresse, um eine E-Mail zu bekommen, wenn crewbell keins deiner Geräte erreicht.',
  verifyLink: 'Adresse bestätigen',
  verifyIgnore: 'Wenn du das nicht angefordert hast, ignoriere diese E-Mail: Du bekommst dann nichts.',
  testSubject: 'crewbell: Test-E-Mail',
  testBody: 'Test-E-Mail: crewbell kann an diese Adresse schreiben.',
  why: 'Du bekommst diese E-Mail, weil du in crewbell Benachrichtigungen eingeschaltet und diese Adresse angegeben hast.',
  unsubscribe: 'Keine E-Mails mehr',
  watchStarts: 'Deine Wache beginnt um {time}.',
  logDue: {
    one: 'Zeit für einen Logeintrag: seit {n} Minute keiner.',
    other: 'Zeit für einen Logeintrag: seit {n} Minuten keiner.',
  },
} satisfies ServerCatalogue<'de'>;
