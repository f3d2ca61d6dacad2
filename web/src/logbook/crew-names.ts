// Names for the user ids an entry carries (author, last editor): the logbook's crew list,
// kept on the device so authorship still shows offline. Someone who left is "former crew".
import { useEffect, useState } from 'preact/hooks';
import { api, type Member } from '../api.ts';
import { t } from '../i18n.ts';
import { idbStore } from '../offline/idb.ts';

const cache = idbStore<Member[]>('cache');
const cacheKey = (logbookId: string) => `members/${logbookId}`;

/** The crew of a logbook: from the server when it answers, else as last seen here. */
export async function loadCrew(logbookId: string): Promise<Member[]> {
  try {
    const { members } = await api.members(logbookId);
    await cache.put(cacheKey(logbookId), members).catch(() => undefined);
    return members;
  } catch {
    return (await cache.get(cacheKey(logbookId)).catch(() => undefined)) ?? [];
  }
}

export function useCrew(logbookId: string): Member[] {
  const [crew, setCrew] = useState<Member[]>([]);
  useEffect(() => {
    let live = true;
    void cache.get(cacheKey(logbookId)).then(
      (m) => live && m && setCrew(m),
      () => undefined,
    );
    void loadCrew(logbookId).then((m) => live && setCrew(m));
    return () => {
      live = false;
    };
  }, [logbookId]);
  return crew;
}

/** "you", the crew member's name, or "former crew" for an id no longer aboard. */
export function nameOf(userId: string | null | undefined, crew: readonly Member[], me: string | undefined): string {
  if (!userId) return t('someone');
  if (userId === me) return t('youAfterBy');
  return crew.find((m) => m.userId === userId)?.username ?? t('formerCrew');
}
