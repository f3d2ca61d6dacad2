// The PWA's words for notification controls (switches, quiet hours, mute, email, "new since"), in
// German and English, kept apart from i18n.ts's main dictionary; the language is the app's.
import { lang } from './i18n.ts';

const en = {
  accountSwitch: 'Notify me about changes by others',
  accountHint: 'For your whole account: off silences every device.',
  deviceSwitch: 'This device',
  deviceHint: 'Subscribes or unsubscribes only this phone or computer; your other devices keep receiving.',
  deviceOnAccountOff: 'This device is subscribed, but notifications about changes by others are off for your account.',
  namesSwitch: 'Show logbook names on the lock screen',
  namesHint: 'On this device. When off, notifications here only say "New changes in one of your logbooks."',
  quietTitle: 'Quiet hours',
  quietHint: 'Changes by others during these hours wait and arrive as one notification when they end.',
  quietFrom: 'From',
  quietTo: 'To',
  quietZone: 'Time zone',
  quietSave: 'Save quiet hours',
  quietSaved: 'Quiet hours saved: {from}–{to} ({zone}).',
  quietOff: 'No quiet hours.',
  muteSwitch: 'Notify me about changes by others',
  muteHint: 'In this logbook. Off: changes others make here send you nothing (they are not saved up for later).',
  muteAccountOff: 'Notifications about changes by others are off for your whole account (Settings).',
  newSince: '{n} new since {time}',
  newSinceOne: '1 new since {time}',
  emailTitle: "Email when push can't reach you",
  emailHint:
    "When none of your devices can take a notification, one email says the same (at most one per logbook in a while, as the server is set). Your address is seen only by you and the server's admin.",
  emailAddress: 'Email address',
  emailSend: 'Send confirmation link',
  emailSent: 'We sent a link to {email}. Open it to confirm the address.',
  emailVerified: '{email} (confirmed)',
  emailPending: '{email}: waiting for confirmation',
  emailSwitch: 'Email me when no device can be reached',
  emailSwitchHint: 'Only to a confirmed address; quiet hours apply.',
  emailRemove: 'Remove address',
  verifyTitle: 'Confirm email address',
  verifyWorking: 'Confirming…',
  verifyDone: '{email} is confirmed. crewbell emails you when no device can take a notification.',
  verifyFailed: 'This link is used up or expired. Give the address again in Settings.',
  verifyToSettings: 'To the settings',
};

const de: typeof en = {
  accountSwitch: 'Bei Änderungen anderer benachrichtigen',
  accountHint: 'Für dein ganzes Konto: aus schaltet alle Geräte stumm.',
  deviceSwitch: 'Dieses Gerät',
  deviceHint:
    'Meldet nur dieses Handy oder diesen Computer an oder ab; deine anderen Geräte bekommen weiter Benachrichtigungen.',
  deviceOnAccountOff:
    'Dieses Gerät ist angemeldet, aber Benachrichtigungen über Änderungen anderer sind für dein Konto aus.',
  namesSwitch: 'Logbuchnamen auf dem Sperrbildschirm zeigen',
  namesHint: 'Auf diesem Gerät. Aus: Benachrichtigungen hier sagen nur „Neue Änderungen in einem deiner Logbücher.“',
  quietTitle: 'Ruhezeit',
  quietHint: 'Änderungen anderer in dieser Zeit warten und kommen als eine Benachrichtigung, wenn sie endet.',
  quietFrom: 'Von',
  quietTo: 'Bis',
  quietZone: 'Zeitzone',
  quietSave: 'Ruhezeit speichern',
  quietSaved: 'Ruhezeit gespeichert: {from}–{to} ({zone}).',
  quietOff: 'Keine Ruhezeit.',
  muteSwitch: 'Bei Änderungen anderer benachrichtigen',
  muteHint: 'In diesem Logbuch. Aus: Änderungen anderer hier schicken dir nichts (sie werden nicht aufgehoben).',
  muteAccountOff: 'Benachrichtigungen über Änderungen anderer sind für dein ganzes Konto aus (Einstellungen).',
  newSince: '{n} neu seit {time}',
  newSinceOne: '1 neu seit {time}',
  emailTitle: 'E-Mail, wenn Push dich nicht erreicht',
  emailHint:
    'Wenn keins deiner Geräte eine Benachrichtigung annehmen kann, sagt eine E-Mail dasselbe (höchstens eine pro Logbuch in einer Weile, wie der Server eingestellt ist). Deine Adresse sehen nur du und der Admin des Servers.',
  emailAddress: 'E-Mail-Adresse',
  emailSend: 'Bestätigungslink senden',
  emailSent: 'Wir haben einen Link an {email} geschickt. Öffne ihn, um die Adresse zu bestätigen.',
  emailVerified: '{email} (bestätigt)',
  emailPending: '{email}: wartet auf Bestätigung',
  emailSwitch: 'Per E-Mail benachrichtigen, wenn kein Gerät erreichbar ist',
  emailSwitchHint: 'Nur an eine bestätigte Adresse; die Ruhezeit gilt.',
  emailRemove: 'Adresse entfernen',
  verifyTitle: 'E-Mail-Adresse bestätigen',
  verifyWorking: 'Wird bestätigt…',
  verifyDone: '{email} ist bestätigt. crewbell schreibt dir, wenn kein Gerät eine Benachrichtigung annehmen kann.',
  verifyFailed: 'Dieser Link ist verbraucht oder abgelaufen. Gib die Adresse in den Einstellungen neu ein.',
  verifyToSettings: 'Zu den Einstellungen',
};

export type NotifyTextKey = keyof typeof en;

export function tn(key: NotifyTextKey, vars: Record<string, string | number> = {}): string {
  return (lang() === 'de' ? de : en)[key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ''));
}
