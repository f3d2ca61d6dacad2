// What the server itself says, in French (see en.ts beside it).
import type { ServerCatalogue } from './en.ts';

export default {
  title: 'crewbell',
  crewChanges: 'Nouvelles modifications dans l’un de vos livres de bord.',
  test: 'Notification de test : le push fonctionne sur cet appareil.',
  changesSubject: 'crewbell : nouvelles modifications dans l’un de vos livres de bord',
  changesBody:
    'Nouvelles modifications dans l’un de vos livres de bord. Aucun de vos appareils n’a pu recevoir la notification, elle arrive donc par e-mail.',
  changesLink: 'Ouvrir le livre de bord',
  verifySubject: 'crewbell : confirmez votre adresse e-mail',
  verifyBody: 'Confirmez cette adresse pour recevoir un e-mail quand crewbell ne peut joindre aucun de vos appareils.',
  verifyLink: 'Confirmer l’adresse',
  verifyIgnore: 'Si vous n’avez rien demandé, ignorez cet e-mail : rien ne vous sera envoyé.',
  testSubject: 'crewbell : e-mail de test',
  testBody: 'E-mail de test : crewbell peut envoyer des e-mails à cette adresse.',
  why: 'Vous recevez cet e-mail parce que vous avez activé les notifications dans crewbell et indiqué cette adresse.',
  unsubscribe: 'Ne plus recevoir d’e-mails',
  watchStarts: 'Votre quart commence à {time}.',
  logDue: {
    one: 'C’est l’heure d’une entrée au livre de bord : aucune depuis {n} minute.',
    many: 'C’est l’heure d’une entrée au livre de bord : aucune depuis {n} minutes.',
    other: 'C’est l’heure d’une entrée au livre de bord : aucune depuis {n} minutes.',
  },
} satisfies ServerCatalogue<'fr'>;
