// The PWA's words for watches (planner, banner, reminder settings, the watch-change entry and
// the reminder text the service worker words on the device), German and English; a new
// language is one more table here. Free of the app's i18n, so the service worker can use it.
export type WatchLang = 'de' | 'en';

const en = {
  watchPlan: 'Watch plan',
  onWatch: 'On watch: {names}',
  onWatchUntil: 'until {time}',
  nextWatch: 'Next: {names} at {time}',
  noWatchNow: 'Nobody is on watch now.',
  nobody: 'nobody',
  underWay: 'Under way',
  underWayHint: 'While under way, the watch on duty is reminded when nobody has logged for a while.',
  logWatchChange: 'Log the watch change',
  watchChangeLogged: 'Watch change logged.',
  watchChangeText: 'Watch: {from} → {to}',
  system: 'Watch system',
  sys_fourOnFourOff: '4 on / 4 off',
  sys_threeWatches: 'Three watches of 4 h',
  sys_swedish: 'Swedish (6-6-4-4-4)',
  sys_sixOnSixOff: '6 on / 6 off',
  sys_custom: 'Custom',
  customHours: 'Watch lengths in hours',
  customHoursHint: 'Comma-separated, repeated in turn, e.g. 3, 3, 3, 3, 4, 4, 4',
  customHoursBad: 'Give watch lengths between 0.5 and 24 hours, e.g. 4, 4, 4.',
  teamsCount: 'Watch teams',
  team: 'Watch {name}',
  startsAt: 'First watch starts',
  days: 'Days to plan',
  reminders: 'Reminders',
  saveReminders: 'Save reminders',
  beforeMinutes: 'Ring the next watch (minutes ahead, 0 = off)',
  logEvery: 'Remind the watch to log',
  logOff: 'off',
  logEveryN: 'every {n} minutes',
  writePlan: 'Write the plan',
  planSaved: 'Plan saved: {n} watches.',
  preview: '{n} watches, until {time}',
  emptyTeam: 'Every watch team needs at least one member.',
  onlySkipper: 'Only the skipper sets the watch plan.',
  reminderNote:
    'Reminders ring on the phones of the watch members who turned notifications on, also during quiet hours. The server learns the watch times and who stands them, never the log.',
  watchStarts: 'Your watch starts at {time}.',
  logDue: 'Time for a log entry: none for {n} minutes.',
};

const de: typeof en = {
  watchPlan: 'Wachplan',
  onWatch: 'Wache: {names}',
  onWatchUntil: 'bis {time}',
  nextWatch: 'Als Nächstes: {names} um {time}',
  noWatchNow: 'Gerade hat niemand Wache.',
  nobody: 'niemand',
  underWay: 'Unterwegs',
  underWayHint: 'Unterwegs wird die Wache erinnert, wenn eine Weile niemand ins Log geschrieben hat.',
  logWatchChange: 'Wachwechsel ins Log',
  watchChangeLogged: 'Wachwechsel eingetragen.',
  watchChangeText: 'Wache: {from} → {to}',
  system: 'Wachsystem',
  sys_fourOnFourOff: '4 an / 4 ab',
  sys_threeWatches: 'Drei Wachen zu 4 h',
  sys_swedish: 'Schwedisch (6-6-4-4-4)',
  sys_sixOnSixOff: '6 an / 6 ab',
  sys_custom: 'Eigenes',
  customHours: 'Wachlängen in Stunden',
  customHoursHint: 'Mit Komma getrennt, der Reihe nach wiederholt, z. B. 3, 3, 3, 3, 4, 4, 4',
  customHoursBad: 'Gib Wachlängen zwischen 0,5 und 24 Stunden an, z. B. 4, 4, 4.',
  teamsCount: 'Wachen (Gruppen)',
  team: 'Wache {name}',
  startsAt: 'Erste Wache beginnt',
  days: 'Tage planen',
  reminders: 'Erinnerungen',
  saveReminders: 'Erinnerungen speichern',
  beforeMinutes: 'Nächste Wache wecken (Minuten vorher, 0 = aus)',
  logEvery: 'Wache ans Log erinnern',
  logOff: 'aus',
  logEveryN: 'alle {n} Minuten',
  writePlan: 'Plan schreiben',
  planSaved: 'Plan gespeichert: {n} Wachen.',
  preview: '{n} Wachen, bis {time}',
  emptyTeam: 'Jede Wache braucht mindestens ein Mitglied.',
  onlySkipper: 'Nur die Skipperin oder der Skipper legt den Wachplan fest.',
  reminderNote:
    'Erinnerungen klingeln auf den Handys der Wache, die Benachrichtigungen eingeschaltet hat, auch in der Ruhezeit. Der Server erfährt die Wachzeiten und wer sie geht, nie das Log.',
  watchStarts: 'Deine Wache beginnt um {time}.',
  logDue: 'Zeit für einen Logeintrag: seit {n} Minuten keiner.',
};

export type WatchTextKey = keyof typeof en;

export function watchText(language: WatchLang, key: WatchTextKey, vars: Record<string, string | number> = {}): string {
  return (language === 'de' ? de : en)[key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ''));
}

/** "04:00" on this device's clock. */
export function clockTime(at: string | number, language: WatchLang): string {
  return new Date(at).toLocaleTimeString(language === 'de' ? 'de-DE' : 'en-GB', { hour: '2-digit', minute: '2-digit' });
}
