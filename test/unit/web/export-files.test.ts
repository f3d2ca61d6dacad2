// The export files as the device builds them, read back by an independent CSV reader and by
// pattern: every field in the CSV with a BOM and safe cells, GPX 1.1 points with time,
// speed in m/s and course, entries without a readable position left out of the track.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOM, buildCsv, csvCell } from '../../../web/src/export/csv.ts';
import { buildGpx } from '../../../web/src/export/gpx.ts';
import { distancePerDay } from '../../../web/src/export/print.ts';
import type { ExportRow } from '../../../web/src/export/entries.ts';
import { deriveAll, emptyEntry, FIELD_ORDER, type EntryData } from '../../../web/src/logbook/fields.ts';
import { parseCsv } from '../../helpers/csv.ts';

const now = () => Promise.resolve();

function rows(datas: EntryData[]): ExportRow[] {
  const derived = deriveAll(datas);
  return datas.map((data, i) => ({
    entry: {
      logbookId: 'lb',
      entityId: `e${i}`,
      payload: 'x',
      version: i + 1,
      deleted: false,
      updatedAt: Date.UTC(2026, 6, 1, i),
      updatedBy: 'u2',
      createdBy: 'u1',
    },
    data,
    derived: derived[i]!,
  }));
}

const labels = {
  field: (f: string) => `F:${f}`,
  entryId: 'Entry',
  version: 'Version',
  baroTrend: 'Trend',
  distanceRun: 'Run',
  author: 'Author',
  editor: 'Editor',
  updatedAt: 'Changed',
};
const names = (id: string | null | undefined) => ({ u1: 'Jörg', u2: 'Åsa' })[id as 'u1'] ?? '?';

test('CSV: BOM, a header naming every field, one row per entry, every field back as written', async () => {
  const first = {
    ...emptyEntry('2026-07-01T08:00'),
    position: "54°22.1'N 010°09.5'E",
    baro: '1012',
    log: '100.4',
    sails: ['main', 'reef1'],
    events: ['departure'],
    text: 'Ablegen in Kiel, "frische" Brise;\nWelle 1 m',
    onWatch: 'Jörg, Åsa',
  };
  const second = { ...emptyEntry('2026-07-01T12:00'), baro: '1009', log: '121', eventNote: '=SUM(A1)', water: '-40 l' };
  const parts = await buildCsv(rows([first, second]), labels, names, ',', now);
  const text = parts.join('');
  assert.ok(text.startsWith(BOM), 'UTF-8 BOM first');
  const table = parseCsv(text.slice(1));
  assert.deepEqual(table[0], [
    'Entry',
    'Version',
    ...FIELD_ORDER.map((f) => `F:${f}`),
    'Trend',
    'Run',
    'Author',
    'Editor',
    'Changed',
  ]);
  assert.equal(table.length, 3);
  const back = (row: string[]) => Object.fromEntries(FIELD_ORDER.map((f, i) => [f, row[2 + i]]));
  assert.deepEqual(back(table[1]!), { ...first, sails: 'main, reef1', events: 'departure' });
  assert.deepEqual(back(table[2]!), { ...second, sails: '', events: '', eventNote: "'=SUM(A1)", water: "'-40 l" });
  assert.deepEqual(table[2]!.slice(-5), ['-3', '20.6', 'Jörg', 'Åsa', '2026-07-01T01:00:00.000Z']);
  assert.deepEqual(table[1]!.slice(0, 2), ['e0', '1']);
});

test('CSV cells: quotes doubled, separators and line breaks quoted, negative numbers stay numbers', () => {
  assert.equal(csvCell('plain'), 'plain');
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('a;b'), '"a;b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('-3.5'), '-3.5');
  assert.equal(csvCell('+49 171'), "'+49 171");
  assert.equal(csvCell('@home'), "'@home");
});

test('CSV with semicolons for German spreadsheets reads back the same', async () => {
  const data = { ...emptyEntry('2026-07-01T08:00'), text: 'Schön; ruhig', wind: 'W 3' };
  const table = parseCsv((await buildCsv(rows([data]), labels, names, ';', now)).join('').slice(1), ';');
  assert.equal(table[1]![2 + FIELD_ORDER.indexOf('text')], 'Schön; ruhig');
  assert.equal(table[1]![2 + FIELD_ORDER.indexOf('wind')], 'W 3');
});

test('GPX 1.1: one track point per readable position, with UTC time, speed in m/s and course', async () => {
  const a = { ...emptyEntry('2026-07-01T08:00'), position: "54°22.1'N 010°09.5'E", speed: '5.5', course: '045' };
  const b = { ...emptyEntry('2026-07-01T09:00'), position: 'somewhere off Fehmarn' };
  const c = { ...emptyEntry('2026-07-01T10:00'), position: '54.5, 10.75' };
  const gpx = (await buildGpx(rows([a, b, c]), 'Mira & <Co>', now)).join('');
  assert.match(
    gpx,
    /^<\?xml version="1.0" encoding="UTF-8"\?>\n<gpx version="1.1" creator="crewbell" xmlns="http:\/\/www.topografix.com\/GPX\/1\/1"/,
  );
  assert.match(gpx, /<name>Mira &amp; &lt;Co&gt;<\/name>/);
  const points = [...gpx.matchAll(/<trkpt lat="([^"]+)" lon="([^"]+)"><time>([^<]+)<\/time>(.*?)<\/trkpt>/g)];
  assert.equal(points.length, 2);
  assert.deepEqual(
    [Number(points[0]![1]), Number(points[0]![2])],
    [Number((54 + 22.1 / 60).toFixed(6)), Number((10 + 9.5 / 60).toFixed(6))],
  );
  assert.equal(points[0]![3], new Date('2026-07-01T08:00').toISOString());
  assert.match(points[0]![4]!, /<gpxtpx:speed>2\.829<\/gpxtpx:speed><gpxtpx:course>45<\/gpxtpx:course>/);
  assert.equal(points[1]![4], '', 'no speed or course written: none given');
  assert.ok(gpx.trimEnd().endsWith('</trkseg></trk>\n</gpx>'));
});

test('distance run per day sums the log differences by the entry date', () => {
  const at = (time: string, log: string) => ({ ...emptyEntry(time), log });
  const summary = distancePerDay(
    rows([
      at('2026-07-01T08:00', '100'),
      at('2026-07-01T18:00', '142.5'),
      at('2026-07-02T09:00', '150'),
      at('2026-07-02T17:00', '171.2'),
    ]),
  );
  assert.deepEqual(summary, {
    days: [
      { day: '2026-07-01', nm: 42.5 },
      { day: '2026-07-02', nm: 28.7 },
    ],
    total: 71.2,
  });
});
