// What the server itself says, in Norwegian bokmål (see en.ts beside it).
import type { ServerCatalogue } from './en.ts';

export default {
  title: 'crewbell',
  crewChanges: 'Nye endringer i en av loggbøkene dine.',
  test: 'Testvarsel: push virker på denne enheten.',
  changesSubject: 'crewbell: nye endringer i en av loggbøkene dine',
  changesBody:
    'Nye endringer i en av loggbøkene dine. Ingen av enhetene dine kunne ta imot varselet, så det kommer på e-post.',
  changesLink: 'Åpne loggboka',
  verifySubject: 'crewbell: bekreft e-postadressen din',
  verifyBody: 'Bekreft denne adressen for å få en e-post når crewbell ikke når noen av enhetene dine.',
  verifyLink: 'Bekreft adressen',
  verifyIgnore: 'Hvis du ikke har bedt om dette, kan du se bort fra denne e-posten: ingenting blir sendt til deg.',
  testSubject: 'crewbell: test-e-post',
  testBody: 'Test-e-post: crewbell kan sende e-post til denne adressen.',
  why: 'Du får denne e-posten fordi du har slått på varsler i crewbell og oppgitt denne adressen.',
  unsubscribe: 'Ikke flere e-poster',
  watchStarts: 'Vakten din begynner kl. {time}.',
  logDue: {
    one: 'På tide med en loggføring: ingen på {n} minutt.',
    other: 'På tide med en loggføring: ingen på {n} minutter.',
  },
} satisfies ServerCatalogue<'nb'>;
