// The PWA's words for notification controls (switches, quiet hours, mute, "new since"), in
// German and English, kept apart from i18n.ts's main dictionary; the language is the app's.
import { lang } from './i18n.ts';

const en = {
  accountSwitch: 'Notify me about crew changes',
  accountHint: 'For your whole account: off silences every device.',
  deviceSwitch: 'This device',
  deviceHint: 'Subscribes or unsubscribes only this phone or computer; your other devices keep receiving.',
  deviceOnAccountOff: 'This device is subscribed, but crew-change notifications are off for your account.',
  namesSwitch: 'Show logbook names on the lock screen',
  namesHint: 'On this device. When off, notifications here only say "New changes in one of your logbooks."',
  quietTitle: 'Quiet hours',
  quietHint: 'Crew changes during these hours wait and arrive as one notification when they end.',
  quietFrom: 'From',
  quietTo: 'To',
  quietZone: 'Time zone',
  quietSave: 'Save quiet hours',
  quietSaved: 'Quiet hours saved: {from}–{to} ({zone}).',
  quietOff: 'No quiet hours.',
  muteSwitch: 'Notify me about crew changes here',
  muteHint: 'Off: crew changes in this logbook send you nothing (they are not saved up for later).',
  muteAccountOff: 'Crew-change notifications are off for your whole account (Settings).',
  newSince: '{n} new since {time}',
  newSinceOne: '1 new since {time}',
};

const de: typeof en = {
  accountSwitch: 'Bei Crew-Änderungen benachrichtigen',
  accountHint: 'Für dein ganzes Konto: aus schaltet alle Geräte stumm.',
  deviceSwitch: 'Dieses Gerät',
  deviceHint:
    'Meldet nur dieses Handy oder diesen Computer an oder ab; deine anderen Geräte bekommen weiter Benachrichtigungen.',
  deviceOnAccountOff: 'Dieses Gerät ist angemeldet, aber Crew-Benachrichtigungen sind für dein Konto aus.',
  namesSwitch: 'Logbuchnamen auf dem Sperrbildschirm zeigen',
  namesHint: 'Auf diesem Gerät. Aus: Benachrichtigungen hier sagen nur „Neue Änderungen in einem deiner Logbücher.“',
  quietTitle: 'Ruhezeit',
  quietHint: 'Crew-Änderungen in dieser Zeit warten und kommen als eine Benachrichtigung, wenn sie endet.',
  quietFrom: 'Von',
  quietTo: 'Bis',
  quietZone: 'Zeitzone',
  quietSave: 'Ruhezeit speichern',
  quietSaved: 'Ruhezeit gespeichert: {from}–{to} ({zone}).',
  quietOff: 'Keine Ruhezeit.',
  muteSwitch: 'Bei Crew-Änderungen hier benachrichtigen',
  muteHint: 'Aus: Crew-Änderungen in diesem Logbuch schicken dir nichts (sie werden nicht aufgehoben).',
  muteAccountOff: 'Crew-Benachrichtigungen sind für dein ganzes Konto aus (Einstellungen).',
  newSince: '{n} neu seit {time}',
  newSinceOne: '1 neu seit {time}',
};

export type NotifyTextKey = keyof typeof en;

export function tn(key: NotifyTextKey, vars: Record<string, string | number> = {}): string {
  return (lang() === 'de' ? de : en)[key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ''));
}
