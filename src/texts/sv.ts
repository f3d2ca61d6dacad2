// What the server itself says, in Swedish (see en.ts beside it).
import type { ServerCatalogue } from './en.ts';

export default {
  title: 'crewbell',
  crewChanges: 'Nya ändringar i en av dina loggböcker.',
  test: 'Testavisering: push fungerar på den här enheten.',
  changesSubject: 'crewbell: nya ändringar i en av dina loggböcker',
  changesBody:
    'Nya ändringar i en av dina loggböcker. Ingen av dina enheter kunde ta emot aviseringen, så den kommer med e-post.',
  changesLink: 'Öppna loggboken',
  verifySubject: 'crewbell: bekräfta din e-postadress',
  verifyBody: 'Bekräfta den här adressen för att få ett mejl när crewbell inte når någon av dina enheter.',
  verifyLink: 'Bekräfta adressen',
  verifyIgnore: 'Om du inte har bett om detta kan du strunta i det här mejlet: inget kommer att skickas till dig.',
  testSubject: 'crewbell: testmejl',
  testBody: 'Testmejl: crewbell kan skicka e-post till den här adressen.',
  why: 'Du får det här mejlet eftersom du har slagit på aviseringar i crewbell och angett den här adressen.',
  unsubscribe: 'Inga fler mejl',
  watchStarts: 'Din vakt börjar kl. {time}.',
  logDue: {
    one: 'Dags för en loggbokanteckning: ingen på {n} minut.',
    other: 'Dags för en loggbokanteckning: ingen på {n} minuter.',
  },
} satisfies ServerCatalogue<'sv'>;
