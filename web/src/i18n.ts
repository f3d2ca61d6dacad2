// German and English texts. The language follows the phone until the user picks one; it
// is kept in localStorage and sent with the push subscription.
import { logbookDe, logbookEn } from './logbook/texts.ts';
// Texts of screens that are loaded later come with them (registered by addTexts), so the
// first load carries only what the first screens say.
import type { voyageEn } from './voyage/texts.ts';

const en = {
  ...logbookEn,
  tagline: 'The logbook your crew writes, and only you and your crew can read.',
  signIn: 'Sign in with passkey',
  signInHint: 'New here? Open the sign-up link from your harbour master, or the invite link from your skipper.',
  signUpTitle: 'Create your account',
  recoverTitle: 'A new passkey for your account',
  recoverLead:
    'Your admin made this link so you can sign in again. Enter your username and create a passkey on this device. Your logbooks and crew stay as they are; every other device is signed out.',
  signUpLead: 'You sign in with a passkey: your phone unlocks it with your face, finger or PIN. No password to forget.',
  username: 'Name on board',
  usernameHint: 'Letters, digits, dots and dashes.',
  createPasskey: 'Create passkey',
  haveAccount: 'Already have an account?',
  noToken: 'This sign-up link is incomplete. Ask for a new one.',
  errNoSupport: 'This browser cannot use passkeys. Try an up-to-date Safari, Chrome or Firefox.',
  errCancelled: 'The passkey prompt was closed. Nothing was changed; try again when ready.',
  errExists: 'This device already holds a passkey for this account.',
  errOffline: 'No connection to the server. Check the marina Wi-Fi and try again.',
  errLogin: 'The server did not accept this passkey. Did you sign up here with it?',
  errServer: 'The server refused: {message}',
  errLocked: 'The key for this logbook is not on this device.',
  lockedHow:
    'Open the key link from a device that has this logbook (Crew → On your other devices), or ask the skipper for a new invite.',
  keyLinkWrong: 'The key in this link does not open this logbook. Nothing was stored.',
  keyLinkTitle: 'On your other devices',
  keyLinkLead:
    'The logbook key lives only on your devices; the server never has it. To read this logbook on a laptop or a new phone, sign in there and open this link or scan the code.',
  keyLinkSafe:
    'Keep a copy in your password manager: if every device with the key is lost, nobody can open this logbook again, not even the server admin. Share it with nobody; crew get invites.',
  keyLinkShow: 'Show key link',
  keyLink: 'Key link',
  keyLinkScan: 'Scan with your other device',
  logbooks: 'Logbooks',
  newLogbook: 'New logbook',
  noLogbooks: 'No logbooks yet. Start one for your boat, or open an invite link from your skipper.',
  title: 'Boat or voyage',
  titlePlaceholder: 'e.g. Mira – Baltic summer',
  create: 'Create',
  cancel: 'Cancel',
  save: 'Save',
  delete: 'Delete',
  edit: 'Edit',
  back: 'Back',
  roleOWNER: 'Skipper',
  roleWRITE: 'Crew',
  roleREAD: 'Reader',
  roleWRITELong: 'Crew – can write entries',
  roleREADLong: 'Reader – can read entries',
  locked: 'Locked logbook',
  entries: 'Entries',
  noEntries: 'No entries yet.',
  addEntry: 'New entry',
  editEntry: 'Edit entry',
  readOnly: 'You can read this logbook; only the skipper and crew can write.',
  when: 'Date and time',
  position: 'Position',
  positionPlaceholder: "54°19.2'N 010°08.5'E",
  usePosition: 'Use my position',
  course: 'Course (°)',
  speed: 'Speed (kn)',
  factCourse: 'Course',
  factSpeed: 'Speed',
  since: 'Since {date}',
  wind: 'Wind',
  windPlaceholder: 'SW 4 Bft',
  notes: 'Notes',
  notesPlaceholder: 'Sails, weather, what happened',
  confirmDelete: 'Delete this entry?',
  syncSynced: 'Synced',
  syncSyncing: 'Syncing…',
  syncOffline: 'Offline – {n} saved on this device',
  syncOfflineNone: 'Offline',
  syncPending: '{n} waiting to sync',
  syncError: 'Sync problem: {message}',
  syncConflict: 'Someone changed an entry before your edit arrived. Theirs stays; yours is kept beside it as a copy.',
  conflictCopy: '[Your edit, kept after a conflict]',
  crew: 'Crew',
  members: 'On board',
  you: 'you',
  remove: 'Remove',
  leave: 'Leave this logbook',
  confirmLeave: 'Leave this logbook? You will need a new invite to come back.',
  confirmRemove: 'Remove {name} from the crew?',
  inviteTitle: 'Invite crew',
  inviteLead:
    'The link carries the key to this logbook. Share it only with the person you invite; it works once, for 7 days.',
  inviteWrite: 'Invite crew (can write)',
  inviteRead: 'Invite reader',
  inviteLink: 'Invite link',
  copy: 'Copy link',
  copied: 'Copied',
  share: 'Share',
  scanOnDeck: 'Scan on deck',
  expires: 'Valid until {date}',
  deleteLogbook: 'Delete logbook',
  confirmDeleteLogbook: 'Delete this logbook and all its entries for everyone? This cannot be undone.',
  joinTitle: 'Join a logbook',
  joinLead: '{owner} invites you aboard.',
  joinAs: 'Your role: {role}',
  join: 'Join logbook',
  joinSignUp: 'Create account and join',
  joinSignIn: 'Sign in and join',
  joinInvalid: 'This invite is used up or has expired. Ask the skipper for a new one.',
  joinNoKey: 'This link is missing the logbook key (the part after #). Ask the skipper to send the whole link.',
  joinOwner: 'This is your own logbook.',
  settings: 'Settings',
  notifications: 'Notifications',
  pushLead:
    'Get one notification per logbook when someone else writes in it, even with the app closed. Notifications never contain what was written.',
  pushToggle: 'Changes by others on this device',
  pushUnsupported: 'This browser cannot receive push notifications.',
  pushDenied: 'Notifications are blocked for this site.',
  pushDeniedHow:
    'To allow them again, open the site settings (the lock or (i) next to the address) and set Notifications to Allow, then come back here.',
  pushIos: 'On iPhone and iPad, notifications work only after adding crewbell to the Home Screen.',
  pushIosHow: 'Tap Share, then "Add to Home Screen", and open crewbell from its icon.',
  pushActive: 'Active on this device.',
  pushOff: 'Off on this device.',
  pushOtherDevices: 'Also on {n} other device(s).',
  pushOtherNone: 'Not on any other device.',
  pushWorking: 'Setting up…',
  pushTest: 'Send a test notification',
  pushTestSent: 'Test sent to {n} device(s).',
  pushOwnerOnly:
    "Notifications are about changes by others; each logbook's screen turns them on or off there (crew start with them off).",
  broadcastTitle: 'Message to everyone',
  broadcastHint: 'Admins only: a short notification to every device of every account on this server (at most 3 a day).',
  broadcastHeading: 'Title',
  broadcastBody: 'Text',
  broadcastSend: 'Send to every device',
  broadcastConfirm: 'Send this notification to every device of every account?',
  broadcastProgress: 'Last message: {done} of {devices} device(s) answered.',
  language: 'Language',
  account: 'Account',
  signedInAs: 'Signed in as {name}',
  addPasskey: 'Add another passkey',
  passkeyAdded: 'Passkey added.',
  passkeysTitle: 'Your passkeys',
  passkeyN: 'Passkey {n}',
  passkeyDates: 'added {added} · {used}',
  passkeyUsed: 'last used {date}',
  passkeyNeverUsed: 'not used to sign in yet',
  passkeyOnlyOne:
    'This is your only passkey. Add another on a second device of your own (a laptop or tablet), so a lost phone does not lock you out.',
  removePasskey: 'Remove',
  confirmRemovePasskey:
    'Remove this passkey? Every other device is signed out and signs in again with a passkey that remains.',
  passkeyRemoved: 'Passkey removed. Your other devices were signed out.',
  signOut: 'Sign out',
  offlineApp: 'Offline – showing what is saved on this device.',
  notFound: 'Nothing here.',
  home: 'To the logbooks',
};

type LaterTexts = typeof voyageEn;
export type TextKey = keyof typeof en | keyof LaterTexts;

const de: Record<keyof typeof en, string> = {
  ...logbookDe,
  tagline: 'Das Logbuch, das deine Crew schreibt – lesbar nur für dich und deine Crew.',
  signIn: 'Mit Passkey anmelden',
  signInHint: 'Neu hier? Öffne den Registrierungslink vom Hafenmeister oder den Einladungslink deines Skippers.',
  signUpTitle: 'Konto anlegen',
  recoverTitle: 'Ein neuer Passkey für dein Konto',
  recoverLead:
    'Dein Admin hat diesen Link erstellt, damit du dich wieder anmelden kannst. Gib deinen Benutzernamen ein und erstelle einen Passkey auf diesem Gerät. Deine Logbücher und deine Crew bleiben, wie sie sind; alle anderen Geräte werden abgemeldet.',
  signUpLead:
    'Du meldest dich mit einem Passkey an: dein Telefon entsperrt ihn mit Gesicht, Finger oder PIN. Kein Passwort zum Vergessen.',
  username: 'Name an Bord',
  usernameHint: 'Buchstaben, Ziffern, Punkte und Bindestriche.',
  createPasskey: 'Passkey erstellen',
  haveAccount: 'Schon ein Konto?',
  noToken: 'Dieser Registrierungslink ist unvollständig. Bitte um einen neuen.',
  errNoSupport: 'Dieser Browser kann keine Passkeys. Versuche ein aktuelles Safari, Chrome oder Firefox.',
  errCancelled: 'Die Passkey-Abfrage wurde geschlossen. Nichts wurde geändert; versuche es erneut.',
  errExists: 'Dieses Gerät hat schon einen Passkey für dieses Konto.',
  errOffline: 'Keine Verbindung zum Server. Prüfe das Hafen-WLAN und versuche es erneut.',
  errLogin: 'Der Server hat diesen Passkey nicht angenommen. Hast du dich hier damit registriert?',
  errServer: 'Der Server hat abgelehnt: {message}',
  errLocked: 'Der Schlüssel für dieses Logbuch ist nicht auf diesem Gerät.',
  lockedHow:
    'Öffne den Schlüssel-Link von einem Gerät, das dieses Logbuch hat (Crew → Auf deinen anderen Geräten), oder bitte den Skipper um eine neue Einladung.',
  keyLinkWrong: 'Der Schlüssel in diesem Link öffnet dieses Logbuch nicht. Es wurde nichts gespeichert.',
  keyLinkTitle: 'Auf deinen anderen Geräten',
  keyLinkLead:
    'Der Logbuch-Schlüssel liegt nur auf deinen Geräten; der Server hat ihn nie. Um dieses Logbuch auf einem Laptop oder einem neuen Handy zu lesen, melde dich dort an und öffne diesen Link oder scanne den Code.',
  keyLinkSafe:
    'Bewahre eine Kopie in deinem Passwort-Manager auf: Gehen alle Geräte mit dem Schlüssel verloren, kann niemand dieses Logbuch mehr öffnen, auch nicht der Server-Admin. Gib ihn niemandem; Crew bekommt Einladungen.',
  keyLinkShow: 'Schlüssel-Link zeigen',
  keyLink: 'Schlüssel-Link',
  keyLinkScan: 'Mit deinem anderen Gerät scannen',
  logbooks: 'Logbücher',
  newLogbook: 'Neues Logbuch',
  noLogbooks: 'Noch keine Logbücher. Leg eins für dein Boot an oder öffne den Einladungslink deines Skippers.',
  title: 'Boot oder Törn',
  titlePlaceholder: 'z. B. Mira – Ostseesommer',
  create: 'Anlegen',
  cancel: 'Abbrechen',
  save: 'Speichern',
  delete: 'Löschen',
  edit: 'Bearbeiten',
  back: 'Zurück',
  roleOWNER: 'Skipper',
  roleWRITE: 'Crew',
  roleREAD: 'Leser',
  roleWRITELong: 'Crew – darf Einträge schreiben',
  roleREADLong: 'Leser – darf Einträge lesen',
  locked: 'Gesperrtes Logbuch',
  entries: 'Einträge',
  noEntries: 'Noch keine Einträge.',
  addEntry: 'Neuer Eintrag',
  editEntry: 'Eintrag bearbeiten',
  readOnly: 'Du kannst dieses Logbuch lesen; schreiben dürfen Skipper und Crew.',
  when: 'Datum und Uhrzeit',
  position: 'Position',
  positionPlaceholder: "54°19,2'N 010°08,5'E",
  usePosition: 'Meine Position',
  course: 'Kurs (°)',
  speed: 'Fahrt (kn)',
  factCourse: 'Kurs',
  factSpeed: 'Fahrt',
  since: 'Seit {date}',
  wind: 'Wind',
  windPlaceholder: 'SW 4 Bft',
  notes: 'Notizen',
  notesPlaceholder: 'Segel, Wetter, was passiert ist',
  confirmDelete: 'Diesen Eintrag löschen?',
  syncSynced: 'Synchron',
  syncSyncing: 'Synchronisiere…',
  syncOffline: 'Offline – {n} auf diesem Gerät gespeichert',
  syncOfflineNone: 'Offline',
  syncPending: '{n} warten auf Sync',
  syncError: 'Sync-Problem: {message}',
  syncConflict:
    'Jemand hat einen Eintrag vor deiner Änderung geändert. Seine Fassung bleibt; deine steht als Kopie daneben.',
  conflictCopy: '[Deine Änderung, nach einem Konflikt behalten]',
  crew: 'Crew',
  members: 'An Bord',
  you: 'du',
  remove: 'Entfernen',
  leave: 'Logbuch verlassen',
  confirmLeave: 'Dieses Logbuch verlassen? Für die Rückkehr brauchst du eine neue Einladung.',
  confirmRemove: '{name} aus der Crew entfernen?',
  inviteTitle: 'Crew einladen',
  inviteLead:
    'Der Link enthält den Schlüssel zu diesem Logbuch. Teile ihn nur mit der eingeladenen Person; er gilt einmal, 7 Tage lang.',
  inviteWrite: 'Crew einladen (darf schreiben)',
  inviteRead: 'Leser einladen',
  inviteLink: 'Einladungslink',
  copy: 'Link kopieren',
  copied: 'Kopiert',
  share: 'Teilen',
  scanOnDeck: 'An Deck scannen',
  expires: 'Gültig bis {date}',
  deleteLogbook: 'Logbuch löschen',
  confirmDeleteLogbook: 'Dieses Logbuch mit allen Einträgen für alle löschen? Das lässt sich nicht rückgängig machen.',
  joinTitle: 'Einem Logbuch beitreten',
  joinLead: '{owner} lädt dich an Bord ein.',
  joinAs: 'Deine Rolle: {role}',
  join: 'Beitreten',
  joinSignUp: 'Konto anlegen und beitreten',
  joinSignIn: 'Anmelden und beitreten',
  joinInvalid: 'Diese Einladung ist verbraucht oder abgelaufen. Bitte den Skipper um eine neue.',
  joinNoKey:
    'Diesem Link fehlt der Logbuch-Schlüssel (der Teil nach #). Bitte den Skipper, den ganzen Link zu schicken.',
  joinOwner: 'Das ist dein eigenes Logbuch.',
  settings: 'Einstellungen',
  notifications: 'Benachrichtigungen',
  pushLead:
    'Eine Benachrichtigung pro Logbuch, wenn jemand anderes darin schreibt – auch bei geschlossener App. Sie enthält nie, was geschrieben wurde.',
  pushToggle: 'Änderungen anderer auf diesem Gerät',
  pushUnsupported: 'Dieser Browser kann keine Push-Benachrichtigungen empfangen.',
  pushDenied: 'Benachrichtigungen sind für diese Seite blockiert.',
  pushDeniedHow:
    'Zum Erlauben öffne die Website-Einstellungen (Schloss oder (i) neben der Adresse), setze Benachrichtigungen auf Zulassen und komm hierher zurück.',
  pushIos: 'Auf iPhone und iPad gibt es Benachrichtigungen erst, wenn crewbell zum Home-Bildschirm hinzugefügt ist.',
  pushIosHow: 'Tippe auf Teilen, dann „Zum Home-Bildschirm“, und öffne crewbell über das Symbol.',
  pushActive: 'Auf diesem Gerät aktiv.',
  pushOff: 'Auf diesem Gerät aus.',
  pushOtherDevices: 'Außerdem auf {n} weiteren Gerät(en).',
  pushOtherNone: 'Auf keinem anderen Gerät.',
  pushWorking: 'Wird eingerichtet…',
  pushTest: 'Test-Benachrichtigung senden',
  pushTestSent: 'Test an {n} Gerät(e) gesendet.',
  pushOwnerOnly:
    'Benachrichtigungen betreffen Änderungen anderer; auf dem Bildschirm jedes Logbuchs schaltest du sie dort ein oder aus (für Crew sind sie anfangs aus).',
  broadcastTitle: 'Nachricht an alle',
  broadcastHint:
    'Nur für Admins: eine kurze Benachrichtigung an jedes Gerät jedes Kontos auf diesem Server (höchstens 3 am Tag).',
  broadcastHeading: 'Titel',
  broadcastBody: 'Text',
  broadcastSend: 'An alle Geräte senden',
  broadcastConfirm: 'Diese Benachrichtigung an jedes Gerät jedes Kontos senden?',
  broadcastProgress: 'Letzte Nachricht: {done} von {devices} Gerät(en) beantwortet.',
  language: 'Sprache',
  account: 'Konto',
  signedInAs: 'Angemeldet als {name}',
  addPasskey: 'Weiteren Passkey hinzufügen',
  passkeyAdded: 'Passkey hinzugefügt.',
  passkeysTitle: 'Deine Passkeys',
  passkeyN: 'Passkey {n}',
  passkeyDates: 'hinzugefügt {added} · {used}',
  passkeyUsed: 'zuletzt benutzt {date}',
  passkeyNeverUsed: 'noch nicht zum Anmelden benutzt',
  passkeyOnlyOne:
    'Das ist dein einziger Passkey. Füge auf einem zweiten eigenen Gerät (Laptop oder Tablet) einen weiteren hinzu, damit dich ein verlorenes Handy nicht aussperrt.',
  removePasskey: 'Entfernen',
  confirmRemovePasskey:
    'Diesen Passkey entfernen? Alle anderen Geräte werden abgemeldet und melden sich mit einem verbliebenen Passkey wieder an.',
  passkeyRemoved: 'Passkey entfernt. Deine anderen Geräte wurden abgemeldet.',
  signOut: 'Abmelden',
  offlineApp: 'Offline – zu sehen ist, was auf diesem Gerät gespeichert ist.',
  notFound: 'Hier ist nichts.',
  home: 'Zu den Logbüchern',
};

export type Lang = 'de' | 'en';
const LANG_KEY = 'crewbell.lang';

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(LANG_KEY);
    if (saved === 'de' || saved === 'en') return saved;
  } catch {
    // storage blocked: follow the browser
  }
  return navigator.language?.toLowerCase().startsWith('de') ? 'de' : 'en';
}

let current: Lang = initialLang();
const listeners = new Set<() => void>();

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  current = next;
  try {
    localStorage.setItem(LANG_KEY, next);
  } catch {
    // not fatal: the choice lasts this visit
  }
  document.documentElement.lang = next;
  for (const listener of listeners) listener();
}

export function onLangChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const tables: Record<Lang, Record<string, string>> = { en: { ...en }, de: { ...de } };

/** A later screen's texts, every language at once (typed by the caller's catalogue). */
export function addTexts<K extends keyof LaterTexts>(texts: Record<Lang, Record<K, string>>): void {
  for (const language of Object.keys(tables) as Lang[]) Object.assign(tables[language], texts[language]);
}

export function t(key: TextKey, vars: Record<string, string | number> = {}): string {
  const text = tables[current][key] ?? tables.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ''));
}

export function formatDate(ms: number | string): string {
  return new Date(ms).toLocaleDateString(current === 'de' ? 'de-DE' : 'en-GB', { month: 'long', year: 'numeric' });
}

export function formatTime(ms: number | string): string {
  return new Date(ms).toLocaleString(current === 'de' ? 'de-DE' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}
