// The barograph: pressure over a passage or the last 24 or 48 hours, drawn by uPlot (loaded
// on first use), and the 3-hour tendency a forecast is read from.
import { useEffect, useRef, useState } from 'preact/hooks';
import { parseNumber, type EntryData } from '../logbook/fields.ts';
import { entryTime } from './passages.ts';
import { linkStyleSheet } from './vendor-css.ts';
import { intlTag, t } from '../i18n.ts';

const locale = intlTag;

export interface Reading {
  at: number;
  hPa: number;
}

export function readings(entries: readonly EntryData[], from = -Infinity, to = Infinity): Reading[] {
  const out: Reading[] = [];
  for (const data of entries) {
    const at = entryTime(data);
    const hPa = parseNumber(data.baro);
    if (at !== null && hPa !== null && at >= from && at <= to) out.push({ at, hPa });
  }
  return out.sort((a, b) => a.at - b.at);
}

/** Change over the last 3 hours of readings (from the reading nearest 3 h before the last). */
export function tendency(list: readonly Reading[]): number | null {
  const last = list.at(-1);
  if (!last) return null;
  const target = last.at - 3 * 3_600_000;
  const earlier = list.filter((r) => r.at <= last.at - 3_600_000);
  if (!earlier.length) return null;
  const base = earlier.reduce((best, r) => (Math.abs(r.at - target) < Math.abs(best.at - target) ? r : best));
  return Math.round((last.hPa - base.hPa) * 10) / 10;
}

export function Barograph({ list, id = 'barograph' }: { list: readonly Reading[]; id?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [drawn, setDrawn] = useState(false);
  useEffect(() => {
    if (!box.current || list.length === 0) return;
    let chart: { destroy(): void } | undefined;
    let gone = false;
    void Promise.all([import('uplot'), linkStyleSheet('uplot')]).then(([{ default: UPlot }]) => {
      if (gone || !box.current) return;
      const width = Math.max(240, box.current.clientWidth);
      chart = new UPlot(
        {
          width,
          height: 200,
          legend: { show: false },
          scales: { x: { time: true }, y: { auto: true } },
          axes: [
            {
              // Times as the user's language writes them (uPlot's own labels are American).
              values: (_chart: unknown, ticks: number[]) =>
                ticks.map((s) =>
                  new Date(s * 1000).toLocaleString(locale(), { weekday: 'short', hour: '2-digit', minute: '2-digit' }),
                ),
            },
            { label: 'hPa', size: 50 },
          ],
          series: [{}, { label: 'hPa', stroke: '#0b2545', width: 2, points: { show: list.length < 60 } }],
        },
        [list.map((r) => r.at / 1000), list.map((r) => r.hPa)],
        box.current,
      );
      setDrawn(true);
    });
    return () => {
      gone = true;
      chart?.destroy();
    };
  }, [list]);
  if (list.length === 0) return <p class="empty">{t('baroNone')}</p>;
  const trend = tendency(list);
  return (
    <figure class="barograph">
      <div id={id} ref={box} class="barograph-chart" data-drawn={drawn ? 'yes' : 'no'} />
      <figcaption class="muted small">
        {list.at(-1)!.hPa} hPa
        {trend !== null ? ` · ${t('baroTrend3h', { change: `${trend > 0 ? '+' : ''}${trend}` })}` : ''}
      </figcaption>
    </figure>
  );
}
