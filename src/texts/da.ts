// What the server itself says, in Danish (see en.ts beside it).
import type { ServerCatalogue } from './en.ts';

export default {
  title: 'crewbell',
  crewChanges: 'Nye ændringer i en af dine logbøger.',
  test: 'Testnotifikation: push virker på denne enhed.',
  changesSubject: 'crewbell: nye ændringer i en af dine logbøger',
  changesBody:
    'Nye ændringer i en af dine logbøger. Ingen af dine enheder kunne tage imod notifikationen, så den kommer som e-mail.',
  changesLink: 'Åbn logbogen',
  verifySubject: 'crewbell: bekræft din e-mailadresse',
  verifyBody: 'Bekræft denne adresse for at få en e-mail, når crewbell ikke kan nå nogen af dine enheder.',
  verifyLink: 'Bekræft adressen',
  verifyIgnore: 'Har du ikke bedt om dette, så se bort fra denne e-mail: du får ikke tilsendt noget.',
  testSubject: 'crewbell: test-e-mail',
  testBody: 'Test-e-mail: crewbell kan sende e-mail til denne adresse.',
  why: 'Du får denne e-mail, fordi du har slået notifikationer til i crewbell og opgivet denne adresse.',
  unsubscribe: 'Ingen flere e-mails',
  watchStarts: 'Din vagt begynder kl. {time}.',
  logDue: {
    one: 'Tid til en indførsel i logbogen: ingen i {n} minut.',
    other: 'Tid til en indførsel i logbogen: ingen i {n} minutter.',
  },
} satisfies ServerCatalogue<'da'>;
