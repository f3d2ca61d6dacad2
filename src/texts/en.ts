// What the server itself says, in English: the push text, the emails and the watch reminders.
// The source every other language (one file beside this, typed `satisfies ServerCatalogue<'xx'>`)
// is checked against. Texts stay generic: the server cannot read logbooks.
import type { CatalogueOf, Locale } from '../wire/languages.ts';

export const en = {
  /** Push: the title and the generic text of a crew-change notification, and the test push. */
  title: 'crewbell',
  crewChanges: 'New changes in one of your logbooks.',
  test: 'Test notification: push works on this device.',
  /** Email: a due notification that no device could take. */
  changesSubject: 'crewbell: new changes in one of your logbooks',
  changesBody:
    'New changes in one of your logbooks. None of your devices could take the notification, so it comes by email.',
  changesLink: 'Open the logbook',
  /** Email: the verification link for a new address. */
  verifySubject: 'crewbell: confirm your email address',
  verifyBody: 'Confirm this address to get an email when crewbell cannot reach any of your devices.',
  verifyLink: 'Confirm the address',
  verifyIgnore: 'If you did not ask for this, ignore this email: nothing will be sent to you.',
  /** Email: `crewbell email test`. */
  testSubject: 'crewbell: test email',
  testBody: 'Test email: crewbell can send email to this address.',
  /** Email: the footer of every notification email. */
  why: 'You get this email because you turned on notifications in crewbell and gave this address.',
  unsubscribe: 'No more emails',
  /** Watch reminders: "Your watch starts at 04:00" (24-hour wall clock), and no entry for {n} minutes. */
  watchStarts: 'Your watch starts at {time}.',
  logDue: { one: 'Time for a log entry: none for {n} minute.', other: 'Time for a log entry: none for {n} minutes.' },
};

export type ServerCatalogue<L extends Locale> = CatalogueOf<typeof en, L>;
export type ServerTextKey = keyof typeof en;

export default en satisfies ServerCatalogue<'en'>;
