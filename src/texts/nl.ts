// What the server itself says, in Dutch (see en.ts beside it).
import type { ServerCatalogue } from './en.ts';

export default {
  title: 'crewbell',
  crewChanges: 'Nieuwe wijzigingen in een van je logboeken.',
  test: 'Testmelding: push werkt op dit apparaat.',
  changesSubject: 'crewbell: nieuwe wijzigingen in een van je logboeken',
  changesBody:
    'Nieuwe wijzigingen in een van je logboeken. Geen van je apparaten kon de melding aannemen, daarom komt ze per e-mail.',
  changesLink: 'Het logboek openen',
  verifySubject: 'crewbell: bevestig je e-mailadres',
  verifyBody: 'Bevestig dit adres om een e-mail te krijgen als crewbell geen van je apparaten bereikt.',
  verifyLink: 'Het adres bevestigen',
  verifyIgnore: 'Heb je hier niet om gevraagd, negeer deze e-mail dan: je krijgt niets toegestuurd.',
  testSubject: 'crewbell: test-e-mail',
  testBody: 'Test-e-mail: crewbell kan naar dit adres mailen.',
  why: 'Je krijgt deze e-mail omdat je in crewbell meldingen hebt aangezet en dit adres hebt opgegeven.',
  unsubscribe: 'Geen e-mails meer',
  watchStarts: 'Je wacht begint om {time}.',
  logDue: {
    one: 'Tijd voor een regel in het logboek: al {n} minuut geen.',
    other: 'Tijd voor een regel in het logboek: al {n} minuten geen.',
  },
} satisfies ServerCatalogue<'nl'>;
