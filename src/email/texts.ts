// Every text an email says, one entry per language (a catalogue: a new language is one more
// entry, nothing else changes). Texts stay generic: an email passes through relays the owner
// does not run, so it never carries logbook content, names or counts.

export type EmailLocale = 'de' | 'en';

export interface EmailTexts {
  /** A due notification that no device could take. */
  changesSubject: string;
  changesBody: string;
  changesLink: string;
  /** The verification link for a new address. */
  verifySubject: string;
  verifyBody: string;
  verifyLink: string;
  verifyIgnore: string;
  /** `crewbell email test`. */
  testSubject: string;
  testBody: string;
  /** The footer of every notification email. */
  why: string;
  unsubscribe: string;
}

export const EMAIL_TEXTS: Record<EmailLocale, EmailTexts> = {
  en: {
    changesSubject: 'crewbell: new changes in one of your logbooks',
    changesBody:
      'New changes in one of your logbooks. None of your devices could take the notification, so it comes by email.',
    changesLink: 'Open the logbook',
    verifySubject: 'crewbell: confirm your email address',
    verifyBody: 'Confirm this address to get an email when crewbell cannot reach any of your devices.',
    verifyLink: 'Confirm the address',
    verifyIgnore: 'If you did not ask for this, ignore this email: nothing will be sent to you.',
    testSubject: 'crewbell: test email',
    testBody: 'Test email: crewbell can send email to this address.',
    why: 'You get this email because you turned on notifications in crewbell and gave this address.',
    unsubscribe: 'No more emails',
  },
  de: {
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
  },
};

/** The catalogue's language for a stored or asked-for tag; English when it has none. */
export function emailLocale(tag: string | undefined | null): EmailLocale {
  const lang = (tag ?? '').toLowerCase().split('-')[0];
  return lang && lang in EMAIL_TEXTS ? (lang as EmailLocale) : 'en';
}
