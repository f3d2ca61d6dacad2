// A logbook's passages at a glance, newest first, with the barograph of the last 24 or 48
// hours of readings; each passage opens with its track and figures (passage.tsx).
import { useMemo, useState } from 'preact/hooks';
import { formatTime, t } from '../i18n.ts';
import { Notice, Page } from '../ui.tsx';
import { useLogbook } from './logbook.tsx';
import { fixed1, useVoyage } from '../voyage/use-voyage.ts';
import { Barograph, readings } from '../voyage/barograph.tsx';
import type { Passage } from '../voyage/passages.ts';

export function VoyagePage({ id }: { id: string }) {
  const { logbook, key } = useLogbook(id);
  const { entries, passages } = useVoyage(id, key);
  const [hours, setHours] = useState<24 | 48>(48);
  const baro = useMemo(() => {
    const all = readings((entries ?? []).map((e) => e.data));
    const last = all.at(-1)?.at ?? 0;
    return all.filter((r) => r.at >= last - hours * 3_600_000);
  }, [entries, hours]);
  return (
    <Page title={`${t('voyage')} · ${logbook?.title ?? t('locked')}`} back={`/logbook/${id}`}>
      {key === null ? <Notice kind="error">{t('errLocked')}</Notice> : null}
      <p class="muted small">{t('voyageLead')}</p>
      <section class="card" id="barograph-card">
        <h2>{t('barograph')}</h2>
        <div class="row" role="group" aria-label={t('barograph')}>
          {([24, 48] as const).map((h) => (
            <button
              key={h}
              type="button"
              id={`baro-${h}`}
              class={`btn small ${hours === h ? 'primary' : 'ghost'}`}
              aria-pressed={hours === h}
              onClick={() => setHours(h)}
            >
              {t(h === 24 ? 'baroLast24' : 'baroLast48')}
            </button>
          ))}
        </div>
        <Barograph list={baro} />
      </section>
      {entries && passages.length === 0 ? <p class="empty">{t('noPassages')}</p> : null}
      <ol class="passages" id="passages">
        {[...passages].reverse().map((p) => (
          <PassageCard key={p.number} logbookId={id} passage={p} />
        ))}
      </ol>
    </Page>
  );
}

function PassageCard({ logbookId, passage: p }: { logbookId: string; passage: Passage }) {
  const flags = [
    p.open ? t('passageOpen') : '',
    p.missingDeparture ? t('passageNoDeparture') : '',
    p.missingArrival ? t('passageNoArrival') : '',
  ].filter(Boolean);
  return (
    <li class="card passage">
      <a class="passage-head" href={`/logbook/${logbookId}/passage/${p.number}`}>
        <strong>{t('passageN', { n: p.number })}</strong>
        <span class="muted small">
          {formatTime(p.start)} – {formatTime(p.end)}
        </span>
      </a>
      {flags.length ? <p class="muted small">{flags.join(' · ')}</p> : null}
      <PassageFigures passage={p} compact />
    </li>
  );
}

/** The figures of one passage as a definition list; `compact` leaves out the rarer ones. */
export function PassageFigures({ passage: p, compact = false }: { passage: Passage; compact?: boolean }) {
  const hours = (n: number) => t('hours', { n: fixed1(n) });
  const miles = (n: number | null) => (n === null ? '–' : t('miles', { n: fixed1(n) }));
  const rows: Array<[string, string]> = [
    [t('pDistanceLog'), miles(p.distanceByLog)],
    [t('pDistancePositions'), miles(p.distanceByPositions)],
    [t('pUnderWay'), hours(p.hoursUnderWay)],
    [t('pUnderSail'), hours(p.hoursUnderSail)],
    [t('pUnderEngine'), hours(p.hoursUnderEngine)],
    [t('pNight'), p.nightHours === null ? '–' : hours(p.nightHours)],
    [t('pWind'), p.strongestWind?.text ?? '–'],
    [t('pPressure'), p.lowestPressure === null ? '–' : `${p.lowestPressure} hPa`],
  ];
  if (!compact) rows.push([t('pEntries'), String(p.entries.length)]);
  return (
    <dl class="facts passage-figures">
      {rows.map(([label, value]) => (
        <div key={label} class="fact">
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
