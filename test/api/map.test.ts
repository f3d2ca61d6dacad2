// Map tiles are the admin's to allow: the PWA asks GET /api/map which servers it may load
// tiles from, and the Content-Security-Policy lets images come from those and no others.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withApp } from '../helpers/app.ts';
import { parseArgs } from '../../src/cli/args.ts';
import { serveConfig, serveFlags, UsageError } from '../../src/config.ts';

const csp = (res: { headers: Headers }) => res.headers.get('content-security-policy') ?? '';
const imgSrc = (res: { headers: Headers }) => /img-src ([^;]*)/.exec(csp(res))?.[1];

test('by default OpenStreetMap and OpenSeaMap tiles are offered, and only their servers are allowed for images', async () => {
  await withApp({}, async (app) => {
    const res = await app.anonymous().get('/api/map');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      tiles: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
      seamarks: 'https://tiles.openseamap.org/seamark/{z}/{x}/{y}.png',
    });
    assert.equal(imgSrc(res), "'self' data: blob: https://tile.openstreetmap.org https://tiles.openseamap.org");
  });
});

test('--map-tiles off: no tiles for anyone, seamarks neither, and no tile server in the policy', async () => {
  await withApp({ flags: ['--map-tiles', 'off'] }, async (app) => {
    const res = await app.anonymous().get('/api/map');
    assert.deepEqual(res.body, { tiles: null, seamarks: null });
    assert.equal(imgSrc(res), "'self' data: blob:");
  });
});

test("the admin's own tile server replaces OpenStreetMap", async () => {
  await withApp(
    { flags: ['--map-tiles', 'http://127.0.0.1:9999/osm/{z}/{x}/{y}.png', '--map-seamarks', 'off'] },
    async (app) => {
      const res = await app.anonymous().get('/');
      assert.equal(imgSrc(res), "'self' data: blob: http://127.0.0.1:9999");
      assert.deepEqual((await app.anonymous().get('/api/map')).body, {
        tiles: 'http://127.0.0.1:9999/osm/{z}/{x}/{y}.png',
        seamarks: null,
      });
    },
  );
});

test('a tile URL without {z}/{x}/{y} or not http(s) is a usage error naming the flag', () => {
  const config = (flags: string[]) => serveConfig(parseArgs(flags, serveFlags, {}).values);
  assert.throws(() => config(['--map-tiles', 'https://tiles.example.org/map.png']), {
    name: UsageError.name,
    message: '--map-tiles: must contain {z}, {x} and {y}',
  });
  assert.throws(
    () => config(['--map-seamarks', 'ftp://x/{z}/{x}/{y}']),
    /--map-seamarks: must be an http\(s\) URL or "off"/,
  );
  assert.equal(config(['--map-tiles', 'off']).mapTiles, null);
});
