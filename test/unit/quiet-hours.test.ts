// Quiet hours as pure functions of an instant: the wall clock in a zone (minutes included,
// zones off the hour too), both bounds of a window on one day and of one across midnight,
// and when a quiet stretch ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isQuiet, quietHoursEnd, wallClockMinutes } from '../../src/notify/quiet-hours.ts';
import type { QuietHours } from '../../src/notify/prefs.ts';

const at = (iso: string) => Date.parse(iso);

test('the wall clock in a zone, in minutes since its midnight', () => {
  assert.equal(wallClockMinutes(at('2026-06-12T00:00:00Z'), 'UTC'), 0);
  assert.equal(wallClockMinutes(at('2026-06-12T13:07:59Z'), 'UTC'), 13 * 60 + 7);
  assert.equal(wallClockMinutes(at('2026-06-12T21:58:00Z'), 'Europe/Berlin'), 23 * 60 + 58);
  // Nepal is 5:45 ahead of UTC.
  assert.equal(wallClockMinutes(at('2026-06-12T10:20:00Z'), 'Asia/Kathmandu'), 16 * 60 + 5);
});

test('a window within one day (13:00–15:00) is quiet from its first minute to before its last, not at midnight', () => {
  const afternoon: QuietHours = { from: '13:00', to: '15:00', timeZone: 'UTC' };
  const quiet = (time: string) => isQuiet(at(`2026-06-12T${time}Z`), afternoon);
  assert.equal(quiet('00:00:00'), false);
  assert.equal(quiet('12:59:59'), false);
  assert.equal(quiet('13:00:00'), true);
  assert.equal(quiet('14:59:59'), true);
  assert.equal(quiet('15:00:00'), false);
  assert.equal(quiet('23:59:00'), false);
});

test('a window across midnight (22:30–06:45 Berlin) is quiet on both sides of it, to the minute', () => {
  const night: QuietHours = { from: '22:30', to: '06:45', timeZone: 'Europe/Berlin' };
  const quiet = (iso: string) => isQuiet(at(iso), night);
  assert.equal(quiet('2026-06-12T20:29:00Z'), false, '22:29');
  assert.equal(quiet('2026-06-12T20:30:00Z'), true, '22:30');
  assert.equal(quiet('2026-06-12T22:00:00Z'), true, 'midnight');
  assert.equal(quiet('2026-06-13T04:44:00Z'), true, '06:44');
  assert.equal(quiet('2026-06-13T04:45:00Z'), false, '06:45');
  assert.equal(quiet('2026-06-13T10:00:00Z'), false, 'noon');
});

test('quiet hours end at the first minute outside them; outside them there is no end', () => {
  const afternoon: QuietHours = { from: '13:00', to: '15:00', timeZone: 'UTC' };
  assert.equal(quietHoursEnd(at('2026-06-12T13:10:30Z'), afternoon), at('2026-06-12T15:00:00Z'));
  assert.equal(quietHoursEnd(at('2026-06-12T14:59:59Z'), afternoon), at('2026-06-12T15:00:00Z'));
  assert.equal(quietHoursEnd(at('2026-06-12T15:00:00Z'), afternoon), undefined);
  assert.equal(quietHoursEnd(at('2026-06-12T12:00:00Z'), afternoon), undefined);
  const night: QuietHours = { from: '22:30', to: '06:45', timeZone: 'Europe/Berlin' };
  assert.equal(quietHoursEnd(at('2026-06-12T21:00:00Z'), night), at('2026-06-13T04:45:00Z'));
});
