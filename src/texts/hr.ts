// What the server itself says, in Croatian (see en.ts beside it).
import type { ServerCatalogue } from './en.ts';

export default {
  title: 'crewbell',
  crewChanges: 'Nove promjene u jednom od tvojih dnevnika.',
  test: 'Probna obavijest: push radi na ovom uređaju.',
  changesSubject: 'crewbell: nove promjene u jednom od tvojih dnevnika',
  changesBody:
    'Nove promjene u jednom od tvojih dnevnika. Nijedan tvoj uređaj nije mogao primiti obavijest, pa stiže e-poštom.',
  changesLink: 'Otvori dnevnik',
  verifySubject: 'crewbell: potvrdi svoju adresu e-pošte',
  verifyBody: 'Potvrdi ovu adresu da dobiješ e-poruku kad crewbell ne može doći ni do jednog tvog uređaja.',
  verifyLink: 'Potvrdi adresu',
  verifyIgnore: 'Ako ovo nije tvoj zahtjev, zanemari ovu poruku: ništa ti se neće slati.',
  testSubject: 'crewbell: probna e-poruka',
  testBody: 'Probna e-poruka: crewbell može slati e-poštu na ovu adresu.',
  why: 'Ovu poruku dobivaš jer u crewbellu imaš uključene obavijesti i upisanu ovu adresu.',
  unsubscribe: 'Ne šalji mi više e-poštu',
  watchStarts: 'Tvoja straža počinje u {time}.',
  logDue: {
    one: 'Vrijeme je za upis u dnevnik: nema ga već {n} minutu.',
    few: 'Vrijeme je za upis u dnevnik: nema ga već {n} minute.',
    other: 'Vrijeme je za upis u dnevnik: nema ga već {n} minuta.',
  },
} satisfies ServerCatalogue<'hr'>;
