// On any member's device: opens the logbook's title with the key this device holds and
// words the notification from the message's counts and the writers' names. Anything missing or
// failing (no key, no title, a wrong key, names turned off here) keeps the generic text.
import { importLogbookKey, openJson } from './crypto.ts';
import { idbStore } from './offline/idb.ts';
import { swLang } from './i18n/sw/index.ts';
import { crewChangesText, type CrewChangeData } from './notification-text.ts';

/** The device setting "Show logbook names on the lock screen" (on unless set to "off"). */
export const LOCK_SCREEN_NAMES = 'lockScreenNames';

export async function lockScreenNames(): Promise<boolean> {
  return (
    (await idbStore<string>('settings')
      .get(LOCK_SCREEN_NAMES)
      .catch(() => undefined)) !== 'off'
  );
}

export async function setLockScreenNames(on: boolean): Promise<void> {
  await idbStore<string>('settings').put(LOCK_SCREEN_NAMES, on ? 'on' : 'off');
}

interface LogbookRow {
  id: string;
  meta: string;
}

/** The sealed title: from the logbook list the app keeps on the device, else from the server. */
async function sealedTitle(logbookId: string): Promise<string | undefined> {
  for (const [, rows] of await idbStore<LogbookRow[]>('cache').list('logbooks:')) {
    const row = Array.isArray(rows) ? rows.find((r) => r.id === logbookId) : undefined;
    if (row) return row.meta;
  }
  // Bounded: a notification must still be shown promptly on a slow marina connection.
  const res = await fetch('/api/logbooks', { credentials: 'same-origin', signal: AbortSignal.timeout(3000) });
  if (!res.ok) return undefined;
  const { logbooks } = (await res.json()) as { logbooks: LogbookRow[] };
  return logbooks.find((l) => l.id === logbookId)?.meta;
}

export async function crewChangesDetail(data: CrewChangeData & { logbookId?: unknown }): Promise<string | undefined> {
  try {
    const logbookId = data.logbookId;
    if (typeof logbookId !== 'string' || !(await lockScreenNames())) return undefined;
    const keyText = await idbStore<string>('keys').get(logbookId);
    if (!keyText) return undefined;
    const meta = await sealedTitle(logbookId);
    if (!meta) return undefined;
    const { title } = await openJson<{ title?: unknown }>(await importLogbookKey(keyText), meta, `${logbookId}/meta`);
    if (typeof title !== 'string' || !title.trim()) return undefined;
    const lang = swLang(await idbStore<string>('settings').get('lang'));
    return crewChangesText(lang, title.trim().slice(0, 80), data);
  } catch {
    return undefined;
  }
}

/** The logbook's name, opened on this device; undefined without its key, or with names turned off here. */
export async function logbookTitleOnDevice(logbookId: string): Promise<string | undefined> {
  try {
    if (!(await lockScreenNames())) return undefined;
    const keyText = await idbStore<string>('keys').get(logbookId);
    const meta = keyText ? await sealedTitle(logbookId) : undefined;
    if (!keyText || !meta) return undefined;
    const { title } = await openJson<{ title?: unknown }>(await importLogbookKey(keyText), meta, `${logbookId}/meta`);
    return typeof title === 'string' && title.trim() ? title.trim().slice(0, 80) : undefined;
  } catch {
    return undefined;
  }
}
