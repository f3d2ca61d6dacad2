// A passage's track drawn on this device with nothing fetched: the positions on a latitude
// and longitude grid with a scale in nautical miles. Chart tiles under it are the user's
// choice (tile-map.ts, loaded only then), since a tile request tells a server where the boat was.
import { useLayoutEffect } from 'preact/hooks';
import { trackLength, type LatLon } from './geo.ts';
import { t } from '../i18n.ts';

const W = 600;
const H = 400;
const PAD = 36;
/** Grid steps in minutes of arc, from a marina to an ocean passage. */
const GRID_MINUTES = [0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1200];
const SCALE_NM = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

export interface Projection {
  x(lon: number): number;
  y(lat: number): number;
  /** nm per SVG unit, across the middle of the chart. */
  nmPerUnit: number;
  bounds: { south: number; north: number; west: number; east: number };
}

/** An equirectangular chart centred on the track, longitude shrunk by the cosine of its mid-latitude. */
export function project(track: readonly LatLon[]): Projection {
  let south = Math.min(...track.map((p) => p.lat));
  let north = Math.max(...track.map((p) => p.lat));
  let west = Math.min(...track.map((p) => p.lon));
  let east = Math.max(...track.map((p) => p.lon));
  // A single point or a straight north–south line still gets a chart about a mile across.
  const min = 1 / 60;
  if (north - south < min) [south, north] = [(south + north) / 2 - min / 2, (south + north) / 2 + min / 2];
  if (east - west < min) [west, east] = [(west + east) / 2 - min / 2, (west + east) / 2 + min / 2];
  const shrink = Math.cos((((south + north) / 2) * Math.PI) / 180);
  const scale = Math.min((W - 2 * PAD) / ((east - west) * shrink), (H - 2 * PAD) / (north - south));
  const cx = (west + east) / 2;
  const cy = (south + north) / 2;
  const x = (lon: number) => W / 2 + (lon - cx) * shrink * scale;
  const y = (lat: number) => H / 2 - (lat - cy) * scale;
  const halfW = (W / 2 / scale / shrink) * 1;
  const halfH = H / 2 / scale;
  return {
    x,
    y,
    nmPerUnit: 60 / scale,
    bounds: { south: cy - halfH, north: cy + halfH, west: cx - halfW, east: cx + halfW },
  };
}

/** "54°10'N", "010°05.5'E": a grid label in degrees and minutes. */
function gridLabel(value: number, pos: string, neg: string, width: number): string {
  const abs = Math.abs(value);
  let deg = Math.floor(abs + 1e-9);
  let min = Math.round((abs - deg) * 600) / 10;
  if (min >= 60) [deg, min] = [deg + 1, 0];
  const m = Number.isInteger(min) ? String(min).padStart(2, '0') : min.toFixed(1).padStart(4, '0');
  return `${String(deg).padStart(width, '0')}°${m}'${value < 0 ? neg : pos}`;
}

function gridLines(from: number, to: number): number[] {
  const span = (to - from) * 60;
  const step = (GRID_MINUTES.find((m) => span / m <= 6) ?? 1200) / 60;
  const lines: number[] = [];
  for (let v = Math.ceil(from / step) * step; v <= to; v += step) lines.push(Math.round(v * 1e6) / 1e6);
  return lines;
}

export function TrackMap({ track, id = 'track-map' }: { track: readonly LatLon[]; id?: string }) {
  // From the first render to the frame that shows the chart, for bench/voyage.bench.ts.
  const start = performance.now();
  useLayoutEffect(() => {
    requestAnimationFrame(() => performance.measure('crewbell:track-map', { start, end: performance.now() }));
  }, [track]);
  if (track.length === 0) return <p class="empty">{t('noTrack')}</p>;
  const p = project(track);
  const { south, north, west, east } = p.bounds;
  const scaleNm = [...SCALE_NM].reverse().find((nm) => nm / p.nmPerUnit <= W / 4) ?? 0.1;
  const scaleLen = scaleNm / p.nmPerUnit;
  const path = track.map((q, i) => `${i ? 'L' : 'M'}${p.x(q.lon).toFixed(1)},${p.y(q.lat).toFixed(1)}`).join('');
  const first = track[0]!;
  const last = track.at(-1)!;
  return (
    <svg
      id={id}
      class="track-map"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={`${t('trackMap')}: ${track.length} · ${trackLength(track).toFixed(1)} nm`}
    >
      <rect width={W} height={H} class="sea" />
      {gridLines(south, north).map((lat) => (
        <g key={`lat${lat}`} class="grid">
          <line x1={0} x2={W} y1={p.y(lat)} y2={p.y(lat)} />
          <text x={4} y={p.y(lat) - 3}>
            {gridLabel(lat, 'N', 'S', 2)}
          </text>
        </g>
      ))}
      {gridLines(west, east).map((lon) => (
        <g key={`lon${lon}`} class="grid">
          <line y1={0} y2={H} x1={p.x(lon)} x2={p.x(lon)} />
          <text x={p.x(lon) + 3} y={H - 4}>
            {gridLabel(lon, 'E', 'W', 3)}
          </text>
        </g>
      ))}
      <path d={path} class="track" />
      <circle cx={p.x(first.lon)} cy={p.y(first.lat)} r={6} class="start" />
      <rect x={p.x(last.lon) - 5} y={p.y(last.lat) - 5} width={10} height={10} class="end" />
      <g class="scale" transform={`translate(${W - PAD - scaleLen},${PAD / 2})`}>
        <line x1={0} x2={scaleLen} y1={8} y2={8} />
        <line x1={0} x2={0} y1={3} y2={13} />
        <line x1={scaleLen} x2={scaleLen} y1={3} y2={13} />
        <text x={scaleLen / 2} y={26} text-anchor="middle">
          {scaleNm} nm
        </text>
      </g>
    </svg>
  );
}
