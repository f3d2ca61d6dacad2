// What the server itself says, in Italian (see en.ts beside it).
import type { ServerCatalogue } from './en.ts';

export default {
  title: 'crewbell',
  crewChanges: 'Nuove modifiche in uno dei tuoi giornali di bordo.',
  test: 'Notifica di prova: le notifiche push funzionano su questo dispositivo.',
  changesSubject: 'crewbell: nuove modifiche in uno dei tuoi giornali di bordo',
  changesBody:
    'Nuove modifiche in uno dei tuoi giornali di bordo. Nessuno dei tuoi dispositivi ha potuto ricevere la notifica, quindi arriva per email.',
  changesLink: 'Apri il giornale di bordo',
  verifySubject: 'crewbell: conferma il tuo indirizzo email',
  verifyBody:
    'Conferma questo indirizzo per ricevere un’email quando crewbell non riesce a raggiungere nessuno dei tuoi dispositivi.',
  verifyLink: 'Conferma l’indirizzo',
  verifyIgnore: 'Se non l’hai chiesto tu, ignora questa email: non ti verrà inviato nulla.',
  testSubject: 'crewbell: email di prova',
  testBody: 'Email di prova: crewbell può inviare email a questo indirizzo.',
  why: 'Ricevi questa email perché hai attivato le notifiche in crewbell e hai indicato questo indirizzo.',
  unsubscribe: 'Non inviarmi più email',
  watchStarts: 'La tua guardia inizia alle {time}.',
  logDue: {
    one: 'È ora di scrivere sul giornale di bordo: nessuna annotazione da {n} minuto.',
    many: 'È ora di scrivere sul giornale di bordo: nessuna annotazione da {n} minuti.',
    other: 'È ora di scrivere sul giornale di bordo: nessuna annotazione da {n} minuti.',
  },
} satisfies ServerCatalogue<'it'>;
