// Passages, their figures and night hours, as the device computes them from decrypted entries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyEntry, type EntryData } from '../../../web/src/logbook/fields.ts';
import { distanceNm } from '../../../web/src/voyage/geo.ts';
import { getTimes } from 'suncalc';
import { nightHours } from '../../../web/src/voyage/night.ts';
import { passageMiles, splitPassages, type VoyageEntry } from '../../../web/src/voyage/passages.ts';
import { windKnots } from '../../../web/src/voyage/wind.ts';
import {
  GPX_MAX_BYTES,
  GPX_MAX_ENTRIES,
  GpxError,
  readGpx,
  trackSummary,
  trackToEntries,
} from '../../../web/src/voyage/gpx-import.ts';
import { seaMilesCsv, seaMilesRows, yearTotals } from '../../../web/src/voyage/sea-miles.ts';

process.env.TZ = 'UTC';
let n = 0;
const entry = (time: string, fields: Partial<EntryData> = {}): VoyageEntry => ({
  id: `e${++n}`,
  data: { ...emptyEntry(time), ...fields },
});

test('a minute of latitude is a nautical mile, and a degree of longitude shrinks with the latitude', () => {
  assert.ok(Math.abs(distanceNm({ lat: 54, lon: 10 }, { lat: 54 + 1 / 60, lon: 10 }) - 1) < 0.001);
  const atSixty = distanceNm({ lat: 60, lon: 10 }, { lat: 60, lon: 11 });
  assert.ok(Math.abs(atSixty - 30) < 0.1, `1° of longitude at 60°N ≈ 30 nm, got ${atSixty}`);
});

test('distance by positions and by log are both given, and a log reset does not run backwards', () => {
  const [p] = splitPassages([
    entry('2026-07-01T08:00', { events: ['departure'], position: "54°00.0'N 010°00.0'E", log: '1200' }),
    entry('2026-07-01T10:00', { position: "54°06.0'N 010°00.0'E", log: '1207.5' }),
    entry('2026-07-01T11:00', { log: '3' }), // log reset: counts again from here
    entry('2026-07-01T12:00', { events: ['arrival'], position: "54°12.0'N 010°00.0'E", log: '6' }),
  ]);
  assert.ok(p);
  assert.ok(Math.abs(p.distanceByPositions! - 12) < 0.01, `12 nm by positions, got ${p.distanceByPositions}`);
  assert.equal(p.distanceByLog, 10.5);
  assert.equal(passageMiles(p), 10.5, 'the log wins where it was read');
  assert.equal(p.hoursUnderWay, 4);
});

test('a passage with no log readings counts its miles along the positions', () => {
  const [p] = splitPassages([
    entry('2026-07-01T08:00', { events: ['departure'], position: '54.0, 10.0' }),
    entry('2026-07-01T09:00', { events: ['arrival'], position: '54.1, 10.0' }),
  ]);
  assert.equal(p!.distanceByLog, null);
  assert.ok(Math.abs(passageMiles(p!) - 6) < 0.01);
});

test('hours under sail and under engine follow the sails of the entry that starts each stretch', () => {
  const [p] = splitPassages([
    entry('2026-07-01T06:00', { events: ['departure'], sails: ['engine'] }),
    entry('2026-07-01T07:00', { sails: ['main', 'genoa'] }),
    entry('2026-07-01T10:30', { sails: ['main', 'engine'] }), // motor-sailing counts as engine
    entry('2026-07-01T11:00', { sails: [] }),
    entry('2026-07-01T12:00', { events: ['arrival'] }),
  ]);
  assert.equal(p!.hoursUnderEngine, 1.5);
  assert.equal(p!.hoursUnderSail, 3.5);
  assert.equal(p!.hoursUnderWay, 6);
});

test('the strongest wind and the lowest pressure of a passage', () => {
  const [p] = splitPassages([
    entry('2026-07-01T06:00', { events: ['departure'], wind: 'SW 4 Bft', baro: '1012' }),
    entry('2026-07-01T07:00', { wind: 'W 6-7', baro: '1004,5' }),
    entry('2026-07-01T08:00', { wind: '25 kn', baro: '1008' }),
    entry('2026-07-01T09:00', { events: ['arrival'], wind: 'NW 5' }),
  ]);
  assert.equal(p!.strongestWind?.text, 'W 6-7');
  assert.equal(p!.lowestPressure, 1004.5);
  assert.equal(windKnots('12 m/s')!.toFixed(1), '23.3');
  assert.equal(windKnots('calm'), null);
});

test('night hours across midnight in the Baltic in July', () => {
  // Kiel, 1 July: the sun sets about 19:50 UTC and rises about 02:50 UTC.
  const kiel = { lat: 54.33, lon: 10.15 };
  const hours = nightHours(Date.UTC(2026, 6, 1, 18), Date.UTC(2026, 6, 2, 6), kiel);
  assert.ok(hours > 6.5 && hours < 7.5, `about 7 night hours, got ${hours}`);
  assert.equal(nightHours(Date.UTC(2026, 6, 1, 10), Date.UTC(2026, 6, 1, 14), kiel), 0);
});

test("night hours over a whole day agree with SunCalc's own sunrise and sunset to within two minutes", () => {
  for (const [where, day] of [
    [{ lat: 54.33, lon: 10.15 }, Date.UTC(2026, 2, 21, 12)],
    [{ lat: 43.3, lon: 5.37 }, Date.UTC(2026, 11, 6, 12)],
    [{ lat: -33.9, lon: 18.4 }, Date.UTC(2026, 5, 1, 12)],
  ] as const) {
    const today = getTimes(new Date(day), where.lat, where.lon);
    const sunrise = today.sunrise!.getTime();
    const sunset = today.sunset!.getTime();
    // From sunrise to the next sunrise: the night is what lies after sunset.
    const tomorrow = getTimes(new Date(day + 86_400_000), where.lat, where.lon).sunrise!.getTime();
    const expected = (tomorrow - sunset) / 3_600_000;
    const got = nightHours(sunrise, tomorrow, where);
    assert.ok(
      Math.abs(got - expected) < 2 / 60,
      `${JSON.stringify(where)}: ${got} h of night, SunCalc says ${expected}`,
    );
  }
});

test('night hours near the poles: none under the midnight sun, all of them in the polar night', () => {
  const svalbard = { lat: 78.2, lon: 15.6 };
  assert.equal(nightHours(Date.UTC(2026, 5, 21, 0), Date.UTC(2026, 5, 22, 0), svalbard), 0);
  assert.equal(nightHours(Date.UTC(2026, 11, 21, 0), Date.UTC(2026, 11, 22, 0), svalbard), 24);
});

test('a night passage counts its night hours at the positions logged', () => {
  const [p] = splitPassages([
    entry('2026-07-01T18:00', { events: ['departure'], position: "54°20.0'N 010°09.0'E" }),
    entry('2026-07-02T06:00', { events: ['arrival'], position: "54°20.0'N 010°09.0'E" }),
  ]);
  assert.ok(p!.nightHours! > 6.5 && p!.nightHours! < 7.5);
  const [blind] = splitPassages([
    entry('2026-07-01T18:00', { events: ['departure'] }),
    entry('2026-07-02T06:00', { events: ['arrival'] }),
  ]);
  assert.equal(blind!.nightHours, null, 'no position: no night hours to reckon');
});

test('passages split at departures and arrivals; harbour entries belong to none', () => {
  const passages = splitPassages([
    entry('2026-07-01T08:00', { events: ['departure'] }),
    entry('2026-07-01T12:00', { events: ['arrival'] }),
    entry('2026-07-01T20:00', { text: 'in harbour' }),
    entry('2026-07-02T08:00', { events: ['departure'] }),
    entry('2026-07-02T09:00'),
    entry('2026-07-02T15:00', { events: ['arrival'] }),
  ]);
  assert.deepEqual(
    passages.map((p) => p.entries.length),
    [2, 3],
  );
  assert.deepEqual(
    passages.map((p) => [p.missingDeparture, p.missingArrival, p.open]),
    [
      [false, false, false],
      [false, false, false],
    ],
  );
});

test('entries in any order make the same passages as in time order', () => {
  const list = [
    entry('2026-07-02T15:00', { events: ['arrival'] }),
    entry('2026-07-01T08:00', { events: ['departure'] }),
    entry('2026-07-02T09:00'),
    entry('2026-07-01T12:00', { events: ['arrival'] }),
    entry('2026-07-02T08:00', { events: ['departure'] }),
  ];
  const ids = (ps: ReturnType<typeof splitPassages>) => ps.map((p) => p.entries.map((e) => e.id));
  assert.deepEqual(ids(splitPassages(list)), ids(splitPassages([...list].reverse())));
  assert.equal(splitPassages(list).length, 2);
});

test('missing events: an arrival alone takes the entries before it, a second departure ends the first passage, the last one is open', () => {
  const passages = splitPassages([
    entry('2026-07-01T08:00'),
    entry('2026-07-01T10:00', { events: ['arrival'] }), // no departure logged
    entry('2026-07-02T08:00', { events: ['departure'] }),
    entry('2026-07-02T12:00'),
    entry('2026-07-03T08:00', { events: ['departure'] }), // no arrival logged for the one before
    entry('2026-07-03T09:00'),
  ]);
  assert.deepEqual(
    passages.map((p) => [p.entries.length, p.missingDeparture, p.missingArrival, p.open]),
    [
      [2, true, false, false],
      [2, false, true, false],
      [2, false, false, true],
    ],
  );
  assert.deepEqual(
    passages.map((p) => p.number),
    [1, 2, 3],
  );
});

test('"new passage" splits a long voyage without a harbour in between', () => {
  const passages = splitPassages([
    entry('2026-07-01T08:00', { events: ['departure'] }),
    entry('2026-07-02T08:00', { events: ['passage'] }),
    entry('2026-07-03T08:00', { events: ['arrival'] }),
  ]);
  assert.deepEqual(
    passages.map((p) => p.entries.length),
    [1, 2],
  );
});

test('entries without a time are left out, not counted at the epoch', () => {
  const passages = splitPassages([
    entry('', { events: ['departure'] }),
    entry('2026-07-01T08:00', { events: ['departure'] }),
    entry('2026-07-01T09:00', { events: ['arrival'] }),
  ]);
  assert.equal(passages.length, 1);
  assert.equal(passages[0]!.hoursUnderWay, 1);
});

test('a GPX track becomes one passage: a point every quarter hour, departure first, arrival last', () => {
  const points = Array.from({ length: 121 }, (_, i) => {
    const time = new Date(Date.UTC(2026, 6, 1, 8) + i * 60_000).toISOString();
    return `<trkpt lat="${(54 + i / 600).toFixed(5)}" lon='10.0'><ele>0</ele><time>${time}</time></trkpt>`;
  });
  const gpx = `<?xml version="1.0"?><gpx version="1.1"><trk><name>Kiel – Marstal</name><trkseg>${points.join('')}</trkseg></trk></gpx>`;
  const { name, points: read } = readGpx(gpx);
  assert.equal(name, 'Kiel – Marstal');
  assert.equal(read.length, 121);
  const entries = trackToEntries(read);
  assert.equal(entries.length, 9, 'two hours at one point every 15 minutes, both ends kept');
  assert.deepEqual(entries[0]!.events, ['departure']);
  assert.deepEqual(entries.at(-1)!.events, ['arrival']);
  assert.equal(entries[0]!.position, "54°00.0'N 010°00.0'E");
  assert.deepEqual([entries[1]!.lat, entries[1]!.lon], [54.025, 10], 'kept as numbers too');
  assert.equal(entries[0]!.time, '2026-07-01T08:00');
  const [p] = splitPassages(entries.map((data, i) => ({ id: `g${i}`, data })));
  assert.ok(Math.abs(p!.distanceByPositions! - 12) < 0.05, `0.2° north is 12 nm, got ${p!.distanceByPositions}`);
  assert.ok(Math.abs(trackSummary(read).miles - 12) < 0.05);
});

test('a bad GPX file gets a reason, not a half import', () => {
  const problem = (text: string) => {
    try {
      readGpx(text);
      return 'read';
    } catch (e) {
      return e instanceof GpxError ? e.problem : `threw ${e}`;
    }
  };
  assert.equal(problem('{"not": "gpx"}'), 'notGpx');
  assert.equal(problem('<gpx></gpx>'), 'noPoints');
  assert.equal(problem('<gpx><trkpt lat="95" lon="10"><time>2026-07-01T08:00:00Z</time></trkpt></gpx>'), 'badPoint');
  assert.equal(problem('<gpx><rtept lat="54" lon="10"/></gpx>'), 'noTimes');
  assert.equal(problem(`<gpx>${' '.repeat(GPX_MAX_BYTES)}</gpx>`), 'tooLarge');
});

test('a very long track is thinned to at most GPX_MAX_ENTRIES entries', () => {
  const points = Array.from({ length: 50_000 }, (_, i) => ({ lat: 54, lon: 10 + i / 1e4, time: i * 60_000 }));
  const entries = trackToEntries(points);
  assert.ok(entries.length <= GPX_MAX_ENTRIES, `${entries.length} entries`);
  assert.ok(entries.length > GPX_MAX_ENTRIES / 2);
});

test('sea miles: every passage of every logbook with its role, totals per year, and a CSV', () => {
  const mira = splitPassages([
    entry('2025-08-01T08:00', { events: ['departure'], log: '100' }),
    entry('2025-08-01T18:00', { events: ['arrival'], log: '150' }),
    entry('2026-06-01T08:00', { events: ['departure'], log: '150' }),
    entry('2026-06-01T12:00', { events: ['arrival'], log: '170' }),
  ]);
  const other = splitPassages([
    entry('2026-07-01T08:00', { events: ['departure'], log: '0' }),
    entry('2026-07-01T10:00', { events: ['arrival'], log: '12.5' }),
  ]);
  const rows = seaMilesRows([
    { id: 'a', title: 'Mira', role: 'OWNER', passages: mira },
    { id: 'b', title: 'Kiel; "Week"', role: 'WRITE', passages: other },
  ]);
  assert.deepEqual(
    rows.map((r) => [r.logbook, r.role, r.miles]),
    [
      ['Mira', 'OWNER', 50],
      ['Mira', 'OWNER', 20],
      ['Kiel; "Week"', 'WRITE', 12.5],
    ],
  );
  assert.deepEqual(
    yearTotals(rows).map((y) => [y.year, y.passages, y.miles, y.hours]),
    [
      [2026, 2, 32.5, 6],
      [2025, 1, 50, 10],
    ],
  );
  const csv = seaMilesCsv(
    rows,
    {
      logbook: 'Logbook',
      role: 'Role',
      passage: 'Passage',
      from: 'From',
      to: 'To',
      miles: 'nm',
      night: 'Night h',
      hours: 'Hours',
    },
    (r) => (r === 'OWNER' ? 'Skipper' : 'Crew'),
  );
  const lines = csv.trimEnd().split('\r\n');
  assert.equal(lines[0], 'Logbook,Role,Passage,From,To,nm,Night h,Hours');
  assert.equal(lines[3], '"Kiel; ""Week""",Crew,1,2026-07-01 08:00,2026-07-01 10:00,12.5,0.0,2.0');
});
