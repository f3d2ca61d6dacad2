// GPX import: a track file read on this device, previewed (its points, miles, times and
// track), then saved as one passage's entries, each encrypted like any other.
import { useState } from 'preact/hooks';
import { formatTime, t, type TextKey } from '../i18n.ts';
import { useSession } from '../session.ts';
import { saveEntry } from '../sync.ts';
import { ActionButton, errorText, Notice, Page } from '../ui.tsx';
import { canWrite, useLogbook } from './logbook.tsx';
import { GpxError, readGpx, trackSummary, trackToEntries, GPX_MAX_BYTES } from '../voyage/gpx-import.ts';
import type { EntryData } from '../logbook/fields.ts';
import { TrackMap } from '../voyage/track-map.tsx';
import { fixed1 } from '../voyage/use-voyage.ts';
import { navigate } from '../router.ts';
import { parsePosition } from '../logbook/fields.ts';

interface Preview {
  points: number;
  entries: EntryData[];
  miles: number;
  start: number;
  end: number;
}

export function GpxImportPage({ id }: { id: string }) {
  const { logbook, key } = useLogbook(id);
  const { user } = useSession();
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState('');
  const [status, setStatus] = useState('');

  const read = async (file: File | undefined) => {
    setPreview(null);
    setError('');
    setStatus('');
    if (!file) return;
    if (file.size > GPX_MAX_BYTES) return setError(t('gpx_tooLarge'));
    try {
      const { points } = readGpx(await file.text());
      const summary = trackSummary(points);
      setPreview({ points: points.length, entries: trackToEntries(points), ...summary });
    } catch (e) {
      setError(e instanceof GpxError ? t(`gpx_${e.problem}` as TextKey, { detail: e.detail }) : errorText(e));
    }
  };

  const save = async () => {
    if (!preview || !key || !user) return;
    const total = preview.entries.length;
    for (const [i, data] of preview.entries.entries()) {
      await saveEntry(id, key, undefined, data, user.id);
      if (i % 10 === 0) setStatus(t('gpxProgress', { done: i + 1, total }));
    }
    setStatus(t('gpxImported', { n: total }));
    setPreview(null);
    navigate(`/logbook/${id}/voyage`);
  };

  return (
    <Page title={`${t('gpxImport')} · ${logbook?.title ?? t('locked')}`} back={`/logbook/${id}`}>
      <p class="muted small">{t('gpxLead')}</p>
      {key === null ? <Notice kind="error">{t('errLocked')}</Notice> : null}
      {logbook && !canWrite(logbook) ? <Notice>{t('readOnly')}</Notice> : null}
      <label class="field">
        <span>{t('gpxChoose')}</span>
        <input
          id="gpx-file"
          type="file"
          accept=".gpx,application/gpx+xml,application/xml,text/xml"
          disabled={!key || !canWrite(logbook)}
          onChange={(e) => void read((e.target as HTMLInputElement).files?.[0])}
        />
      </label>
      {error ? (
        <div id="gpx-error">
          <Notice kind="error">{error}</Notice>
        </div>
      ) : null}
      {preview ? (
        <section class="card" id="gpx-preview">
          <p>
            {t('gpxPreview', {
              points: preview.points,
              entries: preview.entries.length,
              miles: fixed1(preview.miles),
              from: formatTime(preview.start),
              to: formatTime(preview.end),
            })}
          </p>
          <TrackMap
            id="gpx-track"
            track={preview.entries.flatMap((e) => {
              const p = parsePosition(e.position);
              return p ? [p] : [];
            })}
          />
          <ActionButton id="gpx-save" class="primary" onClick={save} onError={(e) => setError(errorText(e))}>
            {t('gpxImportNow', { n: preview.entries.length })}
          </ActionButton>
        </section>
      ) : null}
      {status ? (
        <p class="muted small" id="gpx-status" role="status">
          {status}
        </p>
      ) : null}
    </Page>
  );
}
