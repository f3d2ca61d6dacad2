// The changes the server refused because this member may no longer write here (made READ):
// kept aside on the device, shown under the logbook with what each held, to copy or save
// as a text file before letting them go. Nothing a crew member wrote is thrown away unseen.
import { useEffect, useState } from 'preact/hooks';
import { formatTime, t, type TextKey } from '../i18n.ts';
import { openJson } from '../crypto.ts';
import { download } from '../export/entries.ts';
import type { SetAsideChange } from '../offline/queue.ts';
import { queue } from '../sync.ts';
import { ActionButton, errorText, Notice } from '../ui.tsx';
import { FIELD_ORDER, fieldText, normalizeEntry, type EntryData } from './fields.ts';

interface Opened {
  change: SetAsideChange;
  /** null for a delete, or when this key cannot open it. */
  data: EntryData | null;
}

/** The changes as plain text: one block per change, "Field: value" lines. */
export function setAsideText(rows: readonly Opened[]): string {
  return rows
    .map(({ change, data }) => {
      const head = `${formatTime(change.refusedAt)} · ${change.action === 'delete' ? t('setAsideDelete') : t('setAsideSave')}`;
      const lines = data
        ? FIELD_ORDER.filter((f) => fieldText(data, f)).map((f) => `${t(`f_${f}` as TextKey)}: ${fieldText(data, f)}`)
        : [];
      return [head, ...lines].join('\n');
    })
    .join('\n\n');
}

export function SetAside({
  logbookId,
  cryptoKey,
  revision,
}: {
  logbookId: string;
  cryptoKey: CryptoKey | null | undefined;
  revision: number;
}) {
  const [rows, setRows] = useState<Opened[]>([]);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState('');
  const [shown, setShown] = useState(0);
  useEffect(() => {
    let live = true;
    void (async () => {
      const changes = await queue.setAside(logbookId);
      const opened = await Promise.all(
        changes.map(async (change): Promise<Opened> => {
          if (change.action === 'delete' || !change.payload || !cryptoKey) return { change, data: null };
          try {
            return {
              change,
              data: normalizeEntry(await openJson(cryptoKey, change.payload, `${logbookId}/${change.entityId}`)),
            };
          } catch {
            return { change, data: null };
          }
        }),
      );
      if (live) setRows(opened);
    })().catch((e) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [logbookId, cryptoKey, revision, shown]);
  if (rows.length === 0) return null;

  const dismiss = async () => {
    if (!confirm(t('setAsideConfirmDismiss'))) return;
    for (const { change } of rows) await queue.dismiss(logbookId, change.entityId);
    setShown(shown + 1);
  };
  return (
    <section id="set-aside" class="card">
      <Notice kind="warn">{t('setAsideLead', { n: rows.length })}</Notice>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <ol class="versions">
        {rows.map(({ change, data }) => (
          <li key={change.entityId} class="set-aside-entry" data-entry={change.entityId}>
            <p class="muted small">
              {formatTime(change.refusedAt)} · {change.action === 'delete' ? t('setAsideDelete') : t('setAsideSave')}
            </p>
            {data ? (
              <dl class="version-fields">
                {FIELD_ORDER.filter((f) => fieldText(data, f)).map((f) => (
                  <div key={f} class="fact" data-field={f}>
                    <dt>{t(`f_${f}` as TextKey)}</dt>
                    <dd>{fieldText(data, f)}</dd>
                  </div>
                ))}
              </dl>
            ) : change.action === 'delete' ? null : (
              <p class="muted">{t('historyLocked')}</p>
            )}
          </li>
        ))}
      </ol>
      <div class="row">
        <ActionButton
          id="copy-set-aside"
          class="ghost grow"
          onClick={async () => {
            await navigator.clipboard.writeText(setAsideText(rows));
            setCopied(true);
          }}
          onError={(e) => setError(errorText(e))}
        >
          {copied ? `✓ ${t('copied')}` : t('setAsideCopy')}
        </ActionButton>
        <ActionButton
          id="export-set-aside"
          class="ghost grow"
          onClick={async () =>
            download(
              `crewbell-not-saved-${new Date().toISOString().slice(0, 10)}.txt`,
              new Blob([`${setAsideText(rows)}\n`], { type: 'text/plain;charset=utf-8' }),
            )
          }
          onError={(e) => setError(errorText(e))}
        >
          {t('setAsideExport')}
        </ActionButton>
        <ActionButton
          id="dismiss-set-aside"
          class="ghost grow"
          onClick={dismiss}
          onError={(e) => setError(errorText(e))}
        >
          {t('setAsideDismiss')}
        </ActionButton>
      </div>
    </section>
  );
}
