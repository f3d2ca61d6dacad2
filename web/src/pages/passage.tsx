// One passage: its figures, the track (drawn here; over chart tiles only when the user turns
// them on) and its barograph.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { request } from '../api.ts';
import { formatTime, t } from '../i18n.ts';
import { Notice, Page } from '../ui.tsx';
import { useLogbook } from './logbook.tsx';
import { PassageFigures } from './voyage.tsx';
import { useVoyage } from '../voyage/use-voyage.ts';
import { Barograph, readings } from '../voyage/barograph.tsx';
import { TrackMap } from '../voyage/track-map.tsx';
import type { LatLon } from '../voyage/geo.ts';
import type { TileServers } from '../voyage/tile-map.ts';

const TILES_KEY = 'crewbell.mapTiles';

function tilesWanted(): boolean {
  try {
    return localStorage.getItem(TILES_KEY) === 'on';
  } catch {
    return false;
  }
}

export function PassagePage({ id, n }: { id: string; n: number }) {
  const { logbook, key } = useLogbook(id);
  const { entries, passages } = useVoyage(id, key);
  const passage = passages.find((p) => p.number === n);
  const baro = useMemo(() => readings((passage?.entries ?? []).map((e) => e.data)), [passage]);
  return (
    <Page title={`${t('passageN', { n })} · ${logbook?.title ?? t('locked')}`} back={`/logbook/${id}/voyage`}>
      {key === null ? <Notice kind="error">{t('errLocked')}</Notice> : null}
      {entries && !passage ? <p class="empty">{t('notFound')}</p> : null}
      {passage ? (
        <>
          <p class="muted" id="passage-dates">
            {formatTime(passage.start)} – {formatTime(passage.end)}
          </p>
          <PassageFigures passage={passage} />
          <section class="card">
            <h2>{t('trackMap')}</h2>
            <Chart track={passage.track} />
          </section>
          <section class="card">
            <h2>{t('barograph')}</h2>
            <p class="muted small">{t('barographLead')}</p>
            <Barograph list={baro} />
          </section>
        </>
      ) : null}
    </Page>
  );
}

/** The offline track, or the tile map when the user wants tiles and the server offers them. */
function Chart({ track }: { track: readonly LatLon[] }) {
  const [servers, setServers] = useState<{ tiles: string | null; seamarks: string | null } | undefined>(undefined);
  const [wanted, setWanted] = useState(tilesWanted);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    request<{ tiles: string | null; seamarks: string | null }>('GET', '/api/map').then(setServers, () =>
      setServers({ tiles: null, seamarks: null }),
    );
  }, []);
  const tiles = wanted && servers?.tiles && track.length > 0 ? (servers as TileServers) : null;
  useEffect(() => {
    if (!tiles || !box.current) return;
    let remove: (() => void) | undefined;
    let gone = false;
    void import('../voyage/tile-map.ts').then(async ({ drawTileMap }) => {
      if (gone || !box.current) return;
      remove = await drawTileMap(box.current, track, tiles);
      box.current.dataset.drawn = 'yes';
    });
    return () => {
      gone = true;
      remove?.();
    };
  }, [tiles?.tiles, track]);
  const toggle = (on: boolean) => {
    setWanted(on);
    try {
      localStorage.setItem(TILES_KEY, on ? 'on' : 'off');
    } catch {
      // this visit only
    }
  };
  const host = servers?.tiles ? new URL(servers.tiles.replace(/\{[a-z]\}/g, '0')).host : '';
  return (
    <>
      {tiles ? <div id="tile-map" class="tile-map" ref={box} /> : <TrackMap track={track} />}
      {servers && !servers.tiles ? <p class="muted small">{t('mapTilesOff')}</p> : null}
      {servers?.tiles ? (
        <label class="toggle">
          <span>
            {t('mapTiles')}
            <small class="muted block">{t('mapTilesHint', { host })}</small>
          </span>
          <input
            id="map-tiles"
            type="checkbox"
            role="switch"
            checked={wanted}
            onChange={(e) => toggle((e.target as HTMLInputElement).checked)}
          />
          <span class="switch" aria-hidden="true" />
        </label>
      ) : null}
    </>
  );
}
