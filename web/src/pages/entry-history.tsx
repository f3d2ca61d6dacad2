// An entry's history (every version, opened on this device, with what changed and a way
// back to it) and the logbook's recently deleted entries, each with Restore. A restore is
// an ordinary edit: the old content saved as the newest version.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type EntryVersionRow } from '../api.ts';
import { formatTime, t, type TextKey } from '../i18n.ts';
import { navigate } from '../router.ts';
import { useSession } from '../session.ts';
import { cachedEntries, saveEntry, type CachedEntry, type EntryData } from '../sync.ts';
import { ActionButton, errorText, Notice, Page, useSyncState } from '../ui.tsx';
import { nameOf, useCrew } from '../logbook/crew-names.ts';
import { fieldText, FIELD_ORDER, type FieldName } from '../logbook/fields.ts';
import { displayValue } from '../logbook/display.ts';
import {
  KEEP_DAYS,
  lastContent,
  loadHistory,
  olderVersions,
  openVersions,
  type HistorySource,
  type VersionView,
} from '../logbook/history.ts';
import { canWrite, useLogbook } from './logbook.tsx';

const fieldLabel = (name: string) => t(`f_${name}` as TextKey);

/** The filled fields of a version, as label: value lines. */
function VersionContent({ data, changed }: { data: EntryData; changed?: readonly FieldName[] | null }) {
  return (
    <dl class="version-fields">
      {FIELD_ORDER.filter((f) => fieldText(data, f) || changed?.includes(f)).map((f) => (
        <div key={f} class={`fact${changed?.includes(f) ? ' is-changed' : ''}`} data-field={f}>
          <dt>{fieldLabel(f)}</dt>
          <dd>{displayValue(data, f) || '—'}</dd>
        </div>
      ))}
    </dl>
  );
}

export function EntryHistoryPage({ id, entryId }: { id: string; entryId: string }) {
  const { logbook, key } = useLogbook(id);
  const { user } = useSession();
  const crew = useCrew(id);
  const sync = useSyncState();
  const [views, setViews] = useState<VersionView[] | undefined>(undefined);
  const [rows, setRows] = useState<EntryVersionRow[]>([]);
  const [nextBefore, setNextBefore] = useState<number | undefined>(undefined);
  const [source, setSource] = useState<HistorySource>('server');
  const [error, setError] = useState('');
  useEffect(() => {
    if (!key) return;
    let live = true;
    loadHistory(id, entryId)
      .then(async ({ rows, source, nextBefore }) => {
        const opened = await openVersions(key, id, entryId, rows, nextBefore === undefined);
        if (!live) return;
        setSource(source);
        setRows(rows);
        setNextBefore(nextBefore);
        setViews(opened);
      })
      .catch((e) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [id, entryId, key, sync.revision]);

  /** The next page of older versions (at most 4 MiB of them), added below the ones shown. */
  const showOlder = async () => {
    if (!key || nextBefore === undefined) return;
    const older = await olderVersions(id, entryId, nextBefore);
    const all = [...rows, ...older.rows];
    const opened = await openVersions(key, id, entryId, all, older.nextBefore === undefined);
    setRows(all);
    setNextBefore(older.nextBefore);
    setViews(opened);
  };

  const restore = async (view: VersionView) => {
    if (!key || !user || !view.data || !confirm(t('confirmRestore'))) return;
    await saveEntry(id, key, entryId, view.data, user.id);
    navigate(`/logbook/${id}`);
  };

  return (
    <Page title={t('historyTitle')} back={`/logbook/${id}`} sync>
      {key === null ? <Notice kind="error">{t('errLocked')}</Notice> : null}
      {source === 'saved' ? <Notice kind="warn">{t('historyOffline')}</Notice> : null}
      {source === 'device' ? <Notice kind="warn">{t('historyOnlyCached')}</Notice> : null}
      {error ? <Notice kind="error">{error}</Notice> : null}
      <ol class="versions" aria-busy={views === undefined}>
        {(views ?? []).map((view, i) => (
          <li
            key={view.version}
            class="card version"
            data-version={view.version}
            data-deleted={view.deleted ? 'yes' : 'no'}
          >
            <div class="entry-head">
              <strong>
                {view.deleted ? t('versionDeleted') : t('versionN', { n: view.version })}
                {i === 0 ? <span class="muted"> · {t('versionCurrent')}</span> : null}
              </strong>
              <time class="muted small">{formatTime(view.updatedAt)}</time>
            </div>
            <p class="muted small version-by">{nameOf(view.updatedBy, crew, user?.id)}</p>
            {view.locked ? <p class="muted">{t('historyLocked')}</p> : null}
            {view.data ? (
              <>
                <p class="small changed">
                  {view.changed === undefined
                    ? null
                    : view.changed === null
                      ? t('firstVersion')
                      : view.changed.length
                        ? t('changedFields', { fields: view.changed.map(fieldLabel).join(', ') })
                        : t('nothingChanged')}
                </p>
                <VersionContent data={view.data} changed={view.changed} />
                {i > 0 && canWrite(logbook) ? (
                  <ActionButton
                    class="ghost small restore-version"
                    disabled={!key}
                    onClick={() => restore(view)}
                    onError={(e) => setError(errorText(e))}
                  >
                    {t('restoreVersion')}
                  </ActionButton>
                ) : null}
              </>
            ) : null}
          </li>
        ))}
      </ol>
      {nextBefore !== undefined && views ? (
        <ActionButton class="ghost older-versions" onClick={showOlder} onError={(e) => setError(errorText(e))}>
          {t('olderVersions')}
        </ActionButton>
      ) : null}
    </Page>
  );
}

interface DeletedView {
  entityId: string;
  deletedBy: string | null;
  deletedAt: number;
  content: VersionView | undefined;
}

/** The deleted entries this device knows of: the screen asks the server again only when they change. */
async function deletedOnDevice(id: string): Promise<CachedEntry[]> {
  const since = Date.now() - KEEP_DAYS * 86_400_000;
  return (await cachedEntries(id))
    .filter((e) => e.deleted && e.version > 0 && e.updatedAt >= since)
    .sort((a, b) => b.updatedAt - a.updatedAt);
}

/** Every deleted entry with its last content, in one request; offline, from the histories saved here. */
async function loadDeleted(id: string, key: CryptoKey, onDevice: CachedEntry[]): Promise<DeletedView[]> {
  try {
    const { entries } = await api.deleted(id);
    return Promise.all(
      entries.map(async (e) => {
        const rows: EntryVersionRow[] =
          e.version === null || e.payload === null
            ? []
            : [
                {
                  version: e.version,
                  payload: e.payload,
                  deleted: false,
                  updatedAt: e.updatedAt!,
                  updatedBy: e.updatedBy,
                },
              ];
        return {
          entityId: e.entityId,
          deletedBy: e.deletedBy,
          deletedAt: Date.parse(e.deletedAt),
          content: lastContent(await openVersions(key, id, e.entityId, rows)),
        };
      }),
    );
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'offline')) throw error;
  }
  const out: DeletedView[] = [];
  for (const entry of onDevice) {
    const { rows } = await loadHistory(id, entry.entityId).catch(() => ({ rows: [] }));
    out.push({
      entityId: entry.entityId,
      deletedBy: entry.updatedBy,
      deletedAt: entry.updatedAt,
      content: lastContent(await openVersions(key, id, entry.entityId, rows)),
    });
  }
  return out;
}

export function RecentlyDeletedPage({ id }: { id: string }) {
  const { logbook, key } = useLogbook(id);
  const { user } = useSession();
  const crew = useCrew(id);
  const sync = useSyncState();
  const [rows, setRows] = useState<DeletedView[] | undefined>(undefined);
  const [error, setError] = useState('');
  /** The deleted entries on this device when the list was last loaded. */
  const loadedFor = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!key) return;
    let live = true;
    void (async () => {
      const onDevice = await deletedOnDevice(id);
      // A sync that changed no delete (most of them) leaves the list as it is.
      const known = onDevice.map((e) => `${e.entityId}@${e.version}`).join(',');
      if (known === loadedFor.current) return;
      const out = await loadDeleted(id, key, onDevice);
      if (!live) return;
      loadedFor.current = known;
      setRows(out);
    })().catch((e) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [id, key, sync.revision]);

  const restore = async (row: DeletedView) => {
    if (!key || !user || !row.content?.data) return;
    await saveEntry(id, key, row.entityId, row.content.data, user.id);
    navigate(`/logbook/${id}`);
  };

  return (
    <Page title={t('recentlyDeleted')} back={`/logbook/${id}`} sync>
      <p class="muted small">{t('recentlyDeletedLead')}</p>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {rows && rows.length === 0 ? <p class="empty">{t('noneDeleted')}</p> : null}
      <ol class="versions" aria-busy={rows === undefined}>
        {(rows ?? []).map((row) => (
          <li key={row.entityId} class="card version deleted-entry" data-entry={row.entityId}>
            <p class="muted small">
              {t('deletedBy', {
                name: nameOf(row.deletedBy, crew, user?.id),
                when: formatTime(row.deletedAt),
              })}
            </p>
            {row.content?.data ? <VersionContent data={row.content.data} /> : <p class="muted">{t('historyLocked')}</p>}
            {canWrite(logbook) && row.content?.data ? (
              <ActionButton
                class="primary small restore-deleted"
                onClick={() => restore(row)}
                onError={(e) => setError(errorText(e))}
              >
                {t('restore')}
              </ActionButton>
            ) : null}
          </li>
        ))}
      </ol>
    </Page>
  );
}
