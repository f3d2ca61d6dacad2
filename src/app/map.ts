// The map tiles the admin allows (--map-tiles, --map-seamarks): the PWA asks which, and the
// Content-Security-Policy lets images come from their servers and nowhere else. The PWA
// loads none until the user turns tiles on: a tile request tells the tile server where the boat is.
import { Hono } from 'hono';
import type { AppConfig, AppDeps, AppEnv } from '../kit/deps.ts';

/** The tile servers' origins, for the CSP's img-src. */
export function mapImageOrigins(config: Pick<AppConfig, 'mapTiles' | 'mapSeamarks'>): string[] {
  const { tiles, seamarks } = mapSettings(config);
  const urls = [tiles, seamarks].filter((u): u is string => u !== null);
  return [...new Set(urls.map((u) => new URL(u.replace(/\{[a-z]\}/g, '0')).origin))];
}

/** Seamarks are drawn over a base map: with the base map off, there are none either. */
function mapSettings(config: Pick<AppConfig, 'mapTiles' | 'mapSeamarks'>) {
  const tiles = config.mapTiles ?? null;
  return { tiles, seamarks: tiles ? (config.mapSeamarks ?? null) : null };
}

export function mapRoutes(deps: AppDeps): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const answer = mapSettings(deps.config);
  routes.get('/map', (c) => c.json(answer));
  return routes;
}
