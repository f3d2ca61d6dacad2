// Positions (web/src/logbook/position.ts): the common ways of typing one are read, every
// position is written one way (54°28.0'N 010°20.5'E), and entries saved before, with the
// position as typed, come out in that one format with their numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPosition, readPosition } from '../../../web/src/logbook/position.ts';
import { emptyEntry, normalizeEntry, withPosition } from '../../../web/src/logbook/fields.ts';

const KIEL = "54°28.0'N 010°20.5'E";

test('decimal degrees and degrees with decimal minutes, with or without hemisphere letters, read the same', () => {
  for (const typed of [
    KIEL,
    '54.4667 10.3417',
    '54.4667, 10.3417',
    '54,4667 10,3417',
    '54.4667N 10.3417E',
    '54.4667 N, 10.3417 E',
    'N 54.4667 E 10.3417',
    "N54°28.0' E010°20.5'",
    '54 28.0 N 10 20.5 E',
    '54 28.0N 010 20.5E',
    "54° 28.0' N, 010° 20.5' E",
    "54°28,0'N 10°20,5'O",
  ])
    assert.equal(formatPosition(readPosition(typed)!), KIEL, typed);
  assert.equal(formatPosition(readPosition('-33.8583 -151.21')!), "33°51.5'S 151°12.6'W");
  assert.equal(formatPosition(readPosition('S 33 51.5 W 151 12.6')!), "33°51.5'S 151°12.6'W");
});

test('what is no position is not read as one', () => {
  for (const typed of [
    '',
    'off Fehmarn',
    '95.0, 10.0',
    '54.5, 190',
    "54°60.0'N 10°0'E",
    '54.5 12.5 N',
    '54.5E 10.5N',
    '54.5N 10.5N',
    '-54.5S 10.5E',
    '54.5',
  ])
    assert.equal(readPosition(typed), null, typed);
});

test('one format: two-digit latitude, three-digit longitude, minutes to a tenth, rounding carried into the degree', () => {
  assert.equal(formatPosition({ lat: 5.1, lon: 3.05 }), "05°06.0'N 003°03.0'E");
  assert.equal(formatPosition({ lat: 54.99999, lon: -0.999999 }), "55°00.0'N 001°00.0'W");
  assert.equal(formatPosition({ lat: -0.00001, lon: 0 }), "00°00.0'N 000°00.0'E");
});

test('entries saved before show the one format and carry the numbers; stored numbers win; unreadable text stays', () => {
  const typedDecimal = normalizeEntry({ time: '2026-07-01T08:00', position: '54.5, 10.75' });
  assert.equal(typedDecimal.position, "54°30.0'N 010°45.0'E");
  assert.deepEqual([typedDecimal.lat, typedDecimal.lon], [54.5, 10.75]);
  const stored = normalizeEntry({ position: 'whatever an old app wrote', lat: 54.4667, lon: 10.3417 });
  assert.equal(stored.position, KIEL);
  const prose = normalizeEntry({ position: 'off Fehmarn' });
  assert.equal(prose.position, 'off Fehmarn');
  assert.equal(prose.lat, undefined);
  // Saving: numbers and the one format, or neither.
  const saved = withPosition({ ...emptyEntry(), position: '54.4667 10.3417' }, readPosition('54.4667 10.3417'));
  assert.deepEqual([saved.position, saved.lat, saved.lon], [KIEL, 54.4667, 10.3417]);
  const cleared = withPosition({ ...saved, position: '' }, null);
  assert.deepEqual([cleared.position, 'lat' in cleared, 'lon' in cleared], ['', false, false]);
});
