// An entry's history (every version, opened on this device, with what changed and a way
// back to it) and the logbook's recently deleted entries, each with Restore. A restore is
// an ordinary edit: the old content saved as the newest version.
import { useEffect, useState } from 'preact/hooks';
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
  const [source, setSource] = useState<HistorySource>('server');
  const [error, setError] = useState('');
  useEffect(() => {
    if (!key) return;
    let live = true;
    loadHistory(id, entryId)
      .then(async ({ rows, source }) => {
        const opened = await openVersions(key, id, entryId, rows);
        if (!live) return;
        setSource(source);
        setViews(opened);
      })
      .catch((e) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [id, entryId, key, sync.revision]);

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
                  {view.changed === null
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
    </Page>
  );
}

interface DeletedView {
  entry: CachedEntry;
  content: VersionView | undefined;
}

export function RecentlyDeletedPage({ id }: { id: string }) {
  const { logbook, key } = useLogbook(id);
  const { user } = useSession();
  const crew = useCrew(id);
  const sync = useSyncState();
  const [rows, setRows] = useState<DeletedView[] | undefined>(undefined);
  const [error, setError] = useState('');
  useEffect(() => {
    if (!key) return;
    let live = true;
    const since = Date.now() - KEEP_DAYS * 86_400_000;
    void (async () => {
      const deleted = (await cachedEntries(id))
        .filter((e) => e.deleted && e.version > 0 && e.updatedAt >= since)
        .sort((a, b) => b.updatedAt - a.updatedAt);
      const out: DeletedView[] = [];
      for (const entry of deleted) {
        const { rows: versions } = await loadHistory(id, entry.entityId).catch(() => ({ rows: [] }));
        out.push({ entry, content: lastContent(await openVersions(key, id, entry.entityId, versions)) });
      }
      if (live) setRows(out);
    })().catch((e) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [id, key, sync.revision]);

  const restore = async (row: DeletedView) => {
    if (!key || !user || !row.content?.data) return;
    await saveEntry(id, key, row.entry.entityId, row.content.data, user.id);
    navigate(`/logbook/${id}`);
  };

  return (
    <Page title={t('recentlyDeleted')} back={`/logbook/${id}`} sync>
      <p class="muted small">{t('recentlyDeletedLead')}</p>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {rows && rows.length === 0 ? <p class="empty">{t('noneDeleted')}</p> : null}
      <ol class="versions" aria-busy={rows === undefined}>
        {(rows ?? []).map((row) => (
          <li key={row.entry.entityId} class="card version deleted-entry" data-entry={row.entry.entityId}>
            <p class="muted small">
              {t('deletedBy', {
                name: nameOf(row.entry.updatedBy, crew, user?.id),
                when: formatTime(row.entry.updatedAt),
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
