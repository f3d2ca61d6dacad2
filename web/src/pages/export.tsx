// Export on the device, the only place that holds the key: a CSV for spreadsheets, a GPX
// track, and a printable A4 logbook (boat, crew, distance run per day) to print or save as PDF.
import { useEffect, useState } from 'preact/hooks';
import type { Member } from '../api.ts';
import { csvDelimiter, formatList, formatTime, intlTag, t } from '../i18n.ts';
import { ActionButton, errorText, Notice, Page } from '../ui.tsx';
import { loadCrew, nameOf, useCrew } from '../logbook/crew-names.ts';
import { download, openForExport, type ExportRow } from '../export/entries.ts';
import { runExport } from '../export/run.ts';
import { FIELD_ORDER, type FieldName } from '../logbook/fields.ts';
import { distancePerDay } from '../export/print.ts';
import { useLogbook } from './logbook.tsx';
import { displayValue } from '../logbook/display.ts';
import { splitPassages, type Passage } from '../voyage/passages.ts';
import { fixed1 } from '../voyage/use-voyage.ts';

const fileStem = (title: string | null | undefined) =>
  `${
    (title ?? 'logbook')
      .normalize('NFKD')
      .replace(/[^\w-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'logbook'
  }-${new Date().toISOString().slice(0, 10)}`;

export function ExportPage({ id }: { id: string }) {
  const { logbook, key } = useLogbook(id);
  const [status, setStatus] = useState('');
  const [error, setError] = useState('');
  const progress = (done: number, total: number) => setStatus(t('exportProgress', { done, total }));

  // Both files are made the same way: in the export worker, the page only hands it the texts.
  const run = async (kind: 'csv' | 'gpx') => {
    if (!key) return;
    setError('');
    const crew = await loadCrew(id);
    const { file, count } = await runExport(
      {
        kind,
        logbookId: id,
        key,
        labels: {
          entryId: t('csvEntryId'),
          version: t('csvVersion'),
          baroTrend: t('csvBaroTrend'),
          distanceRun: t('csvDistanceRun'),
          author: t('csvAuthor'),
          editor: t('csvEditor'),
          updatedAt: t('csvUpdatedAt'),
        },
        fieldLabels: Object.fromEntries(FIELD_ORDER.map((f) => [f, t(`f_${f}`)])) as Record<FieldName, string>,
        names: Object.fromEntries(crew.map((m) => [m.userId, m.username])),
        someone: t('someone'),
        formerCrew: t('formerCrew'),
        delimiter: csvDelimiter(),
        trackName: logbook?.title ?? 'crewbell',
      },
      progress,
    );
    download(`${fileStem(logbook?.title)}.${kind}`, file);
    setStatus(t('exportDone', { n: count }));
  };
  const exportCsv = () => run('csv');
  const exportGpx = () => run('gpx');

  return (
    <Page title={`${t('exportTitle')} · ${logbook?.title ?? t('locked')}`} back={`/logbook/${id}`}>
      <p class="muted small">{t('exportLead')}</p>
      {key === null ? <Notice kind="error">{t('errLocked')}</Notice> : null}
      <div class="stack">
        <ActionButton
          id="export-csv"
          class="primary"
          disabled={!key}
          onClick={exportCsv}
          onError={(e) => setError(errorText(e))}
        >
          {t('exportCsv')}
        </ActionButton>
        <ActionButton
          id="export-gpx"
          class="ghost"
          disabled={!key}
          onClick={exportGpx}
          onError={(e) => setError(errorText(e))}
        >
          {t('exportGpx')}
        </ActionButton>
        <a id="export-print" class="btn ghost" href={`/logbook/${id}/print`}>
          {t('exportPrint')}
        </a>
      </div>
      {status ? (
        <p class="muted small" id="export-status" role="status">
          {status}
        </p>
      ) : null}
      {error ? <Notice kind="error">{error}</Notice> : null}
    </Page>
  );
}

export function PrintPage({ id }: { id: string }) {
  const { logbook, key } = useLogbook(id);
  const crew = useCrew(id);
  const [rows, setRows] = useState<ExportRow[] | undefined>(undefined);
  const [error, setError] = useState('');
  useEffect(() => {
    if (key) void openForExport(id, key).then(setRows, (e) => setError(errorText(e)));
  }, [id, key]);
  const perDay = rows ? distancePerDay(rows) : undefined;
  const passages = rows ? splitPassages(rows.map((r) => ({ id: r.entry.entityId, data: r.data }))) : [];
  const who = (userId: string | null | undefined) => nameOf(userId, crew, undefined);

  return (
    <div class="print-page" data-ready={rows ? 'yes' : 'no'}>
      <div class="print-bar no-print">
        <a class="btn ghost small" href={`/logbook/${id}/export`}>
          ‹ {t('back')}
        </a>
        <button id="print-now" class="btn primary small" type="button" onClick={() => print()}>
          {t('printNow')}
        </button>
      </div>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <header class="print-head">
        <h1 id="print-boat">{logbook?.title ?? t('locked')}</h1>
        <p class="print-crew">
          <strong>{t('printCrew')}:</strong> <CrewLine crew={crew} />
        </p>
        {rows?.length ? (
          <p class="muted">
            {formatTime(rows[0]!.data.time)} – {formatTime(rows[rows.length - 1]!.data.time)}
          </p>
        ) : null}
      </header>
      {perDay ? (
        <section class="print-days">
          <h2>{t('printPerDay')}</h2>
          <table id="print-per-day">
            <thead>
              <tr>
                <th>{t('printDay')}</th>
                <th class="num">nm</th>
              </tr>
            </thead>
            <tbody>
              {perDay.days.map((d) => (
                <tr key={d.day}>
                  <td>
                    {new Date(`${d.day}T12:00`).toLocaleDateString(intlTag(), {
                      weekday: 'short',
                      day: 'numeric',
                      month: 'short',
                      year: 'numeric',
                    })}
                  </td>
                  <td class="num">{fixed1(d.nm)}</td>
                </tr>
              ))}
              <tr class="total">
                <td>{t('printTotal')}</td>
                <td class="num">{fixed1(perDay.total)}</td>
              </tr>
            </tbody>
          </table>
        </section>
      ) : null}
      {passages.length ? <PassageSummary passages={passages} /> : null}
      <div class="print-scroll">
        <table class="print-log" id="print-log">
          <thead>
            <tr>
              {(
                [
                  'time',
                  'position',
                  'course',
                  'speed',
                  'wind',
                  'baro',
                  'log',
                  'sea',
                  'sails',
                  'events',
                  'text',
                ] as const
              ).map((f) => (
                <th key={f}>{t(`f_${f}`)}</th>
              ))}
              <th>{t('csvAuthor')}</th>
            </tr>
          </thead>
          <tbody>
            {(rows ?? []).map(({ entry, data, derived }) => (
              <tr key={entry.entityId}>
                <td>{formatTime(data.time)}</td>
                <td>{data.position}</td>
                <td>{data.course}</td>
                <td>{data.speed}</td>
                <td>{data.wind}</td>
                <td>
                  {data.baro}
                  {derived.baroTrend !== null ? ` (${derived.baroTrend > 0 ? '+' : ''}${derived.baroTrend})` : ''}
                </td>
                <td>
                  {data.log}
                  {derived.distanceRun !== null ? ` (+${derived.distanceRun})` : ''}
                </td>
                <td>{data.sea}</td>
                <td>{[displayValue(data, 'sails'), data.sailsNote].filter(Boolean).join(', ')}</td>
                <td>{[displayValue(data, 'events'), data.eventNote].filter(Boolean).join(', ')}</td>
                <td class="notes">{data.text}</td>
                <td>{who(entry.createdBy ?? entry.updatedBy)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** One line per passage: the figures a skipper signs off, above the entries themselves. */
function PassageSummary({ passages }: { passages: readonly Passage[] }) {
  const nm = (n: number | null) => (n === null ? '–' : fixed1(n));
  return (
    <section class="print-passages scroll-x">
      <h2>{t('voyage')}</h2>
      <table id="print-passages">
        <thead>
          <tr>
            <th>{t('csvPassage')}</th>
            <th>{t('seaMilesWhen')}</th>
            <th class="num">{t('pDistanceLog')} (nm)</th>
            <th class="num">{t('pDistancePositions')} (nm)</th>
            <th class="num">{t('pUnderWay')} (h)</th>
            <th class="num">{t('pUnderSail')} (h)</th>
            <th class="num">{t('pUnderEngine')} (h)</th>
            <th class="num">{t('pNight')} (h)</th>
            <th>{t('pWind')}</th>
            <th class="num">{t('pPressure')}</th>
          </tr>
        </thead>
        <tbody>
          {passages.map((p) => (
            <tr key={p.number}>
              <td>{p.number}</td>
              <td>
                {formatTime(p.start)} – {formatTime(p.end)}
              </td>
              <td class="num">{nm(p.distanceByLog)}</td>
              <td class="num">{nm(p.distanceByPositions)}</td>
              <td class="num">{fixed1(p.hoursUnderWay)}</td>
              <td class="num">{fixed1(p.hoursUnderSail)}</td>
              <td class="num">{fixed1(p.hoursUnderEngine)}</td>
              <td class="num">{nm(p.nightHours)}</td>
              <td>{p.strongestWind?.text ?? '–'}</td>
              <td class="num">{p.lowestPressure ?? '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function CrewLine({ crew }: { crew: readonly Member[] }) {
  return <>{formatList(crew.map((m) => `${m.username} (${t(`role${m.role}`)})`))}</>;
}
