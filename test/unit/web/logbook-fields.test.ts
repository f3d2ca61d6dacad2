// A logbook entry's fields on the device: old entries open with every field, changes between
// versions are named, the barometer trend and distance run follow from the entries before,
// and positions as sailors write them are read for the GPX track.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  changedFields,
  deriveAll,
  emptyEntry,
  FIELD_ORDER,
  normalizeEntry,
  parsePosition,
} from '../../../web/src/logbook/fields.ts';

test('an entry written before the full set of fields opens with the rest empty; junk types read as empty', () => {
  const old = {
    time: '2026-07-01T08:00',
    position: "54°22.1'N 010°09.5'E",
    course: '045',
    speed: '5.5',
    wind: 'SW 4',
    text: 'Left Kiel',
  };
  const data = normalizeEntry(old);
  // The position it meant comes along as numbers (logbook/position.ts).
  assert.deepEqual(data, { ...emptyEntry(), ...old, lat: 54 + 22.1 / 60, lon: 10 + 9.5 / 60 });
  assert.deepEqual(normalizeEntry({ sails: 'main', events: ['departure', 7], baro: 1013 }), {
    ...emptyEntry(),
    sails: [],
    events: ['departure'],
    baro: '1013',
  });
  assert.deepEqual(normalizeEntry(null), emptyEntry());
  assert.equal(FIELD_ORDER.length, Object.keys(emptyEntry()).length, 'every field is exported and diffed');
});

test('changed fields: named in field order, lists compared by content', () => {
  const a = { ...emptyEntry('2026-07-01T08:00'), baro: '1012', sails: ['main', 'reef1'], text: 'x' };
  const b = { ...a, baro: '1009', sails: ['main'], text: 'x' };
  assert.deepEqual(changedFields(a, b), ['baro', 'sails']);
  assert.deepEqual(changedFields(a, { ...a }), []);
  assert.deepEqual(changedFields(null, a), []);
});

test('barometer trend and distance run come from the previous reading in time, whatever the order given', () => {
  const at = (time: string, baro: string, log: string) => ({ ...emptyEntry(time), baro, log });
  // Newest first, as the timeline lists them; one entry without readings in between.
  const rows = [
    at('2026-07-01T16:00', '1008,5', '131.0'),
    at('2026-07-01T12:00', '', ''),
    at('2026-07-01T08:00', '1012', '100.4'),
    at('2026-07-02T08:00', '1010', '3.0'),
  ];
  const derived = deriveAll(rows);
  assert.deepEqual(derived, [
    { baroTrend: -3.5, distanceRun: 30.6 },
    { baroTrend: null, distanceRun: null },
    { baroTrend: null, distanceRun: null },
    // The log was reset to 3.0: no negative distance.
    { baroTrend: 1.5, distanceRun: null },
  ]);
});

test('positions: degrees and minutes (N/S, E/W, German O), decimal, or nothing', () => {
  const near = (got: { lat: number; lon: number } | null, lat: number, lon: number) => {
    assert.ok(got, 'parsed');
    assert.ok(Math.abs(got.lat - lat) < 1e-6 && Math.abs(got.lon - lon) < 1e-6, JSON.stringify(got));
  };
  near(parsePosition("54°22.1'N 010°09.5'E"), 54 + 22.1 / 60, 10 + 9.5 / 60);
  near(parsePosition("33°51.5'S 151°12.6'W"), -(33 + 51.5 / 60), -(151 + 12.6 / 60));
  near(parsePosition("54°10,5'N 10°20,3'O"), 54.175, 10 + 20.3 / 60);
  near(parsePosition('54.3683, 10.1583'), 54.3683, 10.1583);
  assert.equal(parsePosition(''), null);
  assert.equal(parsePosition('off Fehmarn'), null);
  assert.equal(parsePosition('95.0, 10.0'), null);
});
