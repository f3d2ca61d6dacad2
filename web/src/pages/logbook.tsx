// One logbook: its entries (opened with the key on this device). READ crew see the entries
// without the buttons to change them. The entry form is in entry-form.tsx.
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n.ts';
import { logbookKey } from '../keys.ts';
import { adoptLogbookKey, useSession, type LogbookView } from '../session.ts';
import { listEntries, watchLogbook, type CachedEntry, type EntryData } from '../sync.ts';
import { Icon, Notice, Page, useSyncState } from '../ui.tsx';
import { LogbookMute } from './logbook-mute.tsx';
import { newSince, NewSinceBanner, useLastVisit } from './new-since.tsx';
import { useCrew } from '../logbook/crew-names.ts';
import { EntryCard } from '../logbook/entry-card.tsx';
import { SetAside } from '../logbook/set-aside.tsx';
import { LogbookLinks } from '../logbook/logbook-links.tsx';
import { deriveAll, normalizeEntry } from '../logbook/fields.ts';
import { WatchBanner } from '../watch/banner.tsx';

/**
 * A logbook key handed over in the address's fragment (`#k=…`), taken out of the address at
 * once. Also when pasted into the address bar of an open page (only the fragment changes).
 */
function useLinkKey(): string | null {
  const read = () => new URLSearchParams(location.hash.slice(1)).get('k');
  const [linkKey, setLinkKey] = useState(read);
  useEffect(() => {
    const take = () => {
      const k = read();
      if (k) setLinkKey(k);
      if (location.hash) history.replaceState(history.state, '', location.pathname + location.search);
    };
    take();
    addEventListener('hashchange', take);
    return () => removeEventListener('hashchange', take);
  }, []);
  return linkKey;
}

type KeyState = CryptoKey | null | undefined; // undefined while looking, null when not on this device

export function useLogbook(id: string): { logbook: LogbookView | undefined; key: KeyState; wrongKey: boolean } {
  const { logbooks } = useSession();
  const logbook = logbooks.find((l) => l.id === id);
  const linkKey = useLinkKey();
  const [key, setKey] = useState<KeyState>(undefined);
  const [wrongKey, setWrongKey] = useState(false);
  useEffect(() => {
    logbookKey(id).then(
      (k) => setKey(k ?? null),
      () => setKey(null),
    );
  }, [id]);
  // A key from a link is kept once the logbook (and its sealed title, to check it by) is known.
  useEffect(() => {
    if (!linkKey || !logbook || key !== null) return;
    setWrongKey(false);
    void adoptLogbookKey(logbook, linkKey).then((adopted) => (adopted ? setKey(adopted) : setWrongKey(true)));
  }, [linkKey, logbook?.id, key]);
  return { logbook, key, wrongKey };
}

const EMPTY: EntryData = normalizeEntry({});

export const canWrite = (logbook: LogbookView | undefined) => logbook?.role === 'OWNER' || logbook?.role === 'WRITE';

export function LogbookPage({ id }: { id: string }) {
  const { logbook, key, wrongKey } = useLogbook(id);
  const { user } = useSession();
  const crew = useCrew(id);
  const sync = useSyncState();
  const [rows, setRows] = useState<Array<{ entry: CachedEntry; data: EntryData | null; pending: boolean }>>([]);
  useEffect(() => watchLogbook(id), [id]);
  useEffect(() => {
    if (key) void listEntries(id, key).then(setRows);
  }, [id, key, sync.revision, sync.status]);
  const lastVisit = useLastVisit(id);
  const fresh = newSince(rows, lastVisit, useSession().user?.id);

  // Barometer trend and distance run need the entries before each one (rows are newest first).
  const derived = deriveAll(rows.map((r) => r.data ?? EMPTY));
  const title = logbook?.title ?? (logbook ? t('locked') : '…');
  return (
    <Page
      title={title}
      back="/"
      sync
      actions={
        <a class="icon-btn" href={`/logbook/${id}/crew`} aria-label={t('crew')} id="open-crew">
          <Icon name="crew" />
        </a>
      }
    >
      {key === null ? (
        <div id="locked-help">
          <Notice kind="error">
            {wrongKey ? t('keyLinkWrong') : t('errLocked')} {t('lockedHow')}
          </Notice>
        </div>
      ) : null}
      {sync.conflict ? <Notice kind="warn">{t('syncConflict')}</Notice> : null}
      {logbook && !canWrite(logbook) ? <Notice>{t('readOnly')}</Notice> : null}
      <WatchBanner
        id={id}
        isOwner={logbook?.role === 'OWNER'}
        canWrite={canWrite(logbook)}
        logbookKey={key}
        crew={crew}
        me={user?.id}
      />
      <SetAside logbookId={id} cryptoKey={key} revision={sync.revision} />
      <NewSinceBanner count={fresh.size} since={lastVisit} />
      {rows.length === 0 && key ? <p class="empty">{t('noEntries')}</p> : null}
      <ol class="timeline">
        {rows.map(({ entry, data, pending }, i) => (
          <EntryCard
            key={entry.entityId}
            logbookId={id}
            entry={entry}
            data={data}
            derived={derived[i]}
            pending={pending}
            isNew={fresh.has(entry.entityId)}
            canWrite={canWrite(logbook)}
            crew={crew}
            me={user?.id}
          />
        ))}
      </ol>
      {logbook ? <LogbookMute id={id} /> : null}
      <LogbookLinks id={id} canWrite={canWrite(logbook) && !!key} />
      {canWrite(logbook) && key ? (
        <a id="add-entry" class="fab" href={`/logbook/${id}/entry/new`}>
          <Icon name="plus" /> {t('addEntry')}
        </a>
      ) : null}
    </Page>
  );
}
