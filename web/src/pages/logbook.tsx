// One logbook: its entries (opened with the key on this device) and the entry form. READ
// crew see the entries without the buttons to change them.
import { useEffect, useState } from 'preact/hooks';
import { formatTime, t } from '../i18n.ts';
import { logbookKey } from '../keys.ts';
import { navigate } from '../router.ts';
import { adoptLogbookKey, useSession, type LogbookView } from '../session.ts';
import { deleteEntry, listEntries, readEntry, saveEntry, watchLogbook, type CachedEntry, type EntryData } from '../sync.ts';
import { ActionButton, errorText, Icon, Notice, Page, useSyncState } from '../ui.tsx';
import { LogbookMute } from './logbook-mute.tsx';
import { newSince, NewSinceBanner, useLastVisit } from './new-since.tsx';

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

function useLogbook(id: string): { logbook: LogbookView | undefined; key: KeyState; wrongKey: boolean } {
  const { logbooks } = useSession();
  const logbook = logbooks.find((l) => l.id === id);
  const linkKey = useLinkKey();
  const [key, setKey] = useState<KeyState>(undefined);
  const [wrongKey, setWrongKey] = useState(false);
  useEffect(() => {
    logbookKey(id).then((k) => setKey(k ?? null), () => setKey(null));
  }, [id]);
  // A key from a link is kept once the logbook (and its sealed title, to check it by) is known.
  useEffect(() => {
    if (!linkKey || !logbook || key !== null) return;
    setWrongKey(false);
    void adoptLogbookKey(logbook, linkKey).then((adopted) => (adopted ? setKey(adopted) : setWrongKey(true)));
  }, [linkKey, logbook?.id, key]);
  return { logbook, key, wrongKey };
}

const canWrite = (logbook: LogbookView | undefined) => logbook?.role === 'OWNER' || logbook?.role === 'WRITE';

export function LogbookPage({ id }: { id: string }) {
  const { logbook, key, wrongKey } = useLogbook(id);
  const sync = useSyncState();
  const [rows, setRows] = useState<Array<{ entry: CachedEntry; data: EntryData | null; pending: boolean }>>([]);
  useEffect(() => watchLogbook(id), [id]);
  useEffect(() => {
    if (key) void listEntries(id, key).then(setRows);
  }, [id, key, sync.revision, sync.status]);
  const lastVisit = useLastVisit(id);
  const fresh = newSince(rows, lastVisit, useSession().user?.id);

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
      <NewSinceBanner count={fresh.size} since={lastVisit} />
      {rows.length === 0 && key ? <p class="empty">{t('noEntries')}</p> : null}
      <ol class="timeline">
        {rows.map(({ entry, data, pending }) => (
          <li key={entry.entityId} class="entry" data-entry={entry.entityId} data-new={fresh.has(entry.entityId) ? '' : undefined}>
            <a class="entry-link" href={canWrite(logbook) ? `/logbook/${id}/entry/${entry.entityId}` : undefined}>
              <div class="entry-head">
                <time>{data?.time ? formatTime(data.time) : '—'}</time>
                {pending ? (
                  <span class="pending" title={t('syncPending', { n: 1 })}>
                    <Icon name="pending" size={16} />
                  </span>
                ) : null}
              </div>
              {data ? (
                <>
                  <dl class="facts">
                    {data.position ? <Fact label={t('position')} value={data.position} /> : null}
                    {data.course ? <Fact label={t('factCourse')} value={`${data.course}°`} /> : null}
                    {data.speed ? <Fact label={t('factSpeed')} value={`${data.speed} kn`} /> : null}
                    {data.wind ? <Fact label={t('wind')} value={data.wind} /> : null}
                  </dl>
                  {data.text ? <p class="entry-text">{data.text}</p> : null}
                </>
              ) : (
                <p class="muted">{t('errLocked')}</p>
              )}
            </a>
          </li>
        ))}
      </ol>
      {logbook?.role === 'OWNER' ? <LogbookMute id={id} /> : null}
      {canWrite(logbook) && key ? (
        <a id="add-entry" class="fab" href={`/logbook/${id}/entry/new`}>
          <Icon name="plus" /> {t('addEntry')}
        </a>
      ) : null}
    </Page>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div class="fact">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function localNow(): string {
  const d = new Date();
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}

function formatPosition(lat: number, lon: number): string {
  const part = (v: number, pos: string, neg: string, width: number) => {
    const abs = Math.abs(v);
    const deg = Math.floor(abs);
    const min = ((abs - deg) * 60).toFixed(1).padStart(4, '0');
    return `${String(deg).padStart(width, '0')}°${min}'${v >= 0 ? pos : neg}`;
  };
  return `${part(lat, 'N', 'S', 2)} ${part(lon, 'E', 'W', 3)}`;
}

export function EntryForm({ id, entryId }: { id: string; entryId?: string }) {
  const { logbook, key } = useLogbook(id);
  const { user } = useSession();
  const [data, setData] = useState<EntryData>({ time: localNow(), position: '', course: '', speed: '', wind: '', text: '' });
  const [error, setError] = useState('');
  // An existing entry is decrypted first; until then the fields wait, so nothing typed is overwritten.
  const [ready, setReady] = useState(!entryId);
  useEffect(() => {
    if (!entryId || !key) return;
    void readEntry(id, entryId, key).then(
      (d) => {
        if (d) setData(d);
        setReady(true);
      },
      (e) => setError(errorText(e)),
    );
  }, [id, entryId, key]);

  const field = (name: keyof EntryData) => ({
    name,
    value: data[name],
    disabled: !ready,
    onInput: (e: Event) => setData({ ...data, [name]: (e.target as HTMLInputElement).value }),
  });
  const save = async () => {
    if (!key || !user) return;
    await saveEntry(id, key, entryId, data, user.id);
    navigate(`/logbook/${id}`);
  };
  return (
    <Page title={entryId ? t('editEntry') : t('addEntry')} back={`/logbook/${id}`}>
      {key === null ? <Notice kind="error">{t('errLocked')}</Notice> : null}
      {logbook && !canWrite(logbook) ? <Notice>{t('readOnly')}</Notice> : null}
      <form
        class="card stack entry-form"
        aria-busy={!ready}
        data-ready={ready ? 'yes' : 'no'}
        onSubmit={(e) => {
          e.preventDefault();
          (e.currentTarget.querySelector('#save-entry') as HTMLButtonElement | null)?.click();
        }}
      >
        <label class="field">
          <span>{t('when')}</span>
          <input type="datetime-local" required {...field('time')} />
        </label>
        <label class="field">
          <span>{t('position')}</span>
          <div class="row">
            <input placeholder={t('positionPlaceholder')} maxLength={60} {...field('position')} />
            {'geolocation' in navigator ? (
              <button
                type="button"
                class="btn ghost small"
                onClick={() =>
                  navigator.geolocation.getCurrentPosition(
                    (p) => setData((d) => ({ ...d, position: formatPosition(p.coords.latitude, p.coords.longitude) })),
                    (e) => setError(e.message),
                    { timeout: 15_000 },
                  )
                }
              >
                <Icon name="locate" size={18} /> {t('usePosition')}
              </button>
            ) : null}
          </div>
        </label>
        <div class="grid3">
          <label class="field">
            <span>{t('course')}</span>
            <input inputMode="numeric" maxLength={5} placeholder="045" {...field('course')} />
          </label>
          <label class="field">
            <span>{t('speed')}</span>
            <input inputMode="decimal" maxLength={5} placeholder="6.2" {...field('speed')} />
          </label>
          <label class="field">
            <span>{t('wind')}</span>
            <input maxLength={30} placeholder={t('windPlaceholder')} {...field('wind')} />
          </label>
        </div>
        <label class="field">
          <span>{t('notes')}</span>
          <textarea rows={5} maxLength={4000} placeholder={t('notesPlaceholder')} {...field('text')} />
        </label>
        <div class="row">
          {entryId ? (
            <ActionButton
              id="delete-entry"
              class="danger ghost"
              disabled={!canWrite(logbook)}
              onClick={async () => {
                if (!confirm(t('confirmDelete'))) return;
                await deleteEntry(id, entryId);
                navigate(`/logbook/${id}`);
              }}
              onError={(e) => setError(errorText(e))}
            >
              {t('delete')}
            </ActionButton>
          ) : null}
          <ActionButton id="save-entry" class="primary grow" disabled={!key || !ready || !canWrite(logbook)} onClick={save} onError={(e) => setError(errorText(e))}>
            {t('save')}
          </ActionButton>
        </div>
        {error ? <Notice kind="error">{error}</Notice> : null}
      </form>
    </Page>
  );
}
