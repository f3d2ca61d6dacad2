// A sailed voyage for the passage tests and bench: a logbook sealed with a real key (as the
// PWA seals it) and its entries uploaded through the API, and a local chart-tile server that
// counts what it is asked for (no tile server on the internet is reached from here).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { deflateSync, crc32 } from 'node:zlib';
import type { TestUser } from './accounts.ts';
import { exportLogbookKey, newLogbookKey, sealJson } from '../../web/src/crypto.ts';
import { emptyEntry, type EntryData } from '../../web/src/logbook/fields.ts';

export interface SealedLogbook {
  id: string;
  /** The key as a key link carries it: `/logbook/ID#k=KEY` opens the logbook on a new device. */
  keyText: string;
}

/** A logbook sealed with a fresh key and its entries uploaded, 500 to a request. */
export async function sealedLogbook(
  owner: TestUser,
  title: string,
  entries: ReadonlyArray<Partial<EntryData>>,
): Promise<SealedLogbook> {
  const id = randomUUID();
  const key = await newLogbookKey();
  const made = await owner.client.post('/api/logbooks', { id, meta: await sealJson(key, { title }, `${id}/meta`) });
  assert.equal(made.status, 201, made.text);
  await uploadEntries(owner, id, key, entries);
  return { id, keyText: await exportLogbookKey(key) };
}

export async function uploadEntries(
  writer: TestUser,
  logbookId: string,
  key: CryptoKey,
  entries: ReadonlyArray<Partial<EntryData>>,
): Promise<void> {
  for (let i = 0; i < entries.length; i += 500) {
    const items = await Promise.all(
      entries.slice(i, i + 500).map(async (fields) => {
        const entityId = randomUUID();
        const data = { ...emptyEntry(), ...fields };
        return {
          logbookId,
          entityId,
          action: 'create',
          payload: await sealJson(key, data, `${logbookId}/${entityId}`),
        };
      }),
    );
    const res = await writer.client.post('/api/sync/push', { items });
    assert.equal(res.status, 200, res.text);
    assert.ok(
      res.body.results.every((r: { status: string }) => r.status === 'success'),
      res.text,
    );
  }
}

const pad = (n: number) => String(n).padStart(2, '0');
/** Local wall time as an entry keeps it. */
export const wall = (d: Date) =>
  `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;

/**
 * One passage from `from` to `to`, an entry every `everyMinutes`: positions along the way,
 * log readings, a falling then rising barometer, sails then the engine for the last hour.
 */
export function passageEntries(options: {
  start: Date;
  hours: number;
  from: { lat: number; lon: number };
  to: { lat: number; lon: number };
  logStart: number;
  everyMinutes?: number;
  knots?: number;
}): Array<Partial<EntryData>> {
  const every = options.everyMinutes ?? 60;
  const steps = Math.round((options.hours * 60) / every);
  const knots = options.knots ?? 5;
  return Array.from({ length: steps + 1 }, (_, i) => {
    const f = i / steps;
    const at = new Date(options.start.getTime() + i * every * 60_000);
    const lat = options.from.lat + (options.to.lat - options.from.lat) * f;
    const lon = options.from.lon + (options.to.lon - options.from.lon) * f;
    const hoursIn = (i * every) / 60;
    return {
      time: wall(at),
      position: `${lat.toFixed(4)}, ${lon.toFixed(4)}`,
      log: (options.logStart + hoursIn * knots).toFixed(1),
      baro: (1012 - 6 * Math.sin(Math.PI * f)).toFixed(1),
      wind: i === Math.floor(steps / 2) ? 'SW 6 Bft' : 'SW 4 Bft',
      sails: options.hours - hoursIn <= 1 ? ['engine'] : ['main', 'genoa'],
      events: i === 0 ? ['departure'] : i === steps ? ['arrival'] : [],
    };
  });
}

/** A 256×256 single-colour RGBA PNG: what a chart tile looks like to a browser. */
function tilePng(rgba: [number, number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(256, 0);
  header.writeUInt32BE(256, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(256 * 4, Buffer.from(rgba))]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: 256 }, () => row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export interface TileServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Every path asked for, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** Serves /osm/{z}/{x}/{y}.png (sea blue, now and then a beige tile of land) and /seamark/… (transparent). */
export async function startTileServer(): Promise<TileServer> {
  const sea = tilePng([170, 211, 223, 255]);
  const land = tilePng([242, 239, 233, 255]);
  const seamarks = tilePng([0, 0, 0, 0]);
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const m = /^\/(osm|seamark)\/(\d+)\/(\d+)\/(\d+)\.png$/.exec(req.url ?? '');
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    const png = m[1] === 'seamark' ? seamarks : (Number(m[3]) + Number(m[4])) % 7 === 0 ? land : sea;
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length }).end(png);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
