// The track over chart tiles, with Leaflet: loaded only when the user has turned tiles on
// (a tile request tells the tile server where the boat was), from the servers the admin allows.
import type { LatLon } from './geo.ts';
import { linkStyleSheet } from './vendor-css.ts';

export interface TileServers {
  tiles: string;
  seamarks: string | null;
}

/** Draws into `element`; the returned function removes the map again. */
export async function drawTileMap(element: HTMLElement, track: readonly LatLon[], servers: TileServers) {
  const [leaflet] = await Promise.all([import('leaflet'), linkStyleSheet('leaflet')]);
  // Leaflet is a CommonJS module: bundled, its exports arrive as the namespace's default.
  const L = leaflet.default ?? leaflet;
  const map = L.map(element, { attributionControl: true, zoomControl: true });
  L.tileLayer(servers.tiles, {
    maxZoom: 18,
    attribution: '© OpenStreetMap contributors',
    crossOrigin: false,
  }).addTo(map);
  if (servers.seamarks) L.tileLayer(servers.seamarks, { maxZoom: 18, attribution: 'OpenSeaMap' }).addTo(map);
  const points = track.map((p) => L.latLng(p.lat, p.lon));
  L.polyline(points, { color: '#c0392b', weight: 3 }).addTo(map);
  L.circleMarker(points[0]!, { radius: 6, color: '#1b7f3b', fillOpacity: 1 }).addTo(map);
  L.circleMarker(points.at(-1)!, { radius: 6, color: '#0b2545', fillOpacity: 1 }).addTo(map);
  map.fitBounds(L.latLngBounds(points).pad(0.15), { maxZoom: 14 });
  return () => map.remove();
}
