// Quiet hours cost: the scheduler asks the zone math once when a logbook's first crew change
// opens a pending notification, and again when it falls due. Prints microseconds per call
// (Intl-based, no zone tables of our own), inside quiet hours on a DST night and outside.
import { isQuiet, quietHoursEnd } from '../src/notify/quiet-hours.ts';

const NIGHT = { from: '22:00', to: '07:00', timeZone: 'Europe/Berlin' };
const DST_NIGHT = Date.parse('2026-03-28T21:30:00Z');
const NOON = Date.parse('2026-06-12T10:00:00Z');
const N = 20_000;

function perCall(label: string, fn: (i: number) => unknown): void {
  for (let i = 0; i < 2_000; i++) fn(i); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) fn(i);
  const us = Number(process.hrtime.bigint() - start) / N / 1000;
  console.log(`${label.padEnd(52)} ${us.toFixed(1)} µs per call (${N} calls)`);
}

perCall('quietHoursEnd, inside quiet hours (spring-forward night)', (i) => quietHoursEnd(DST_NIGHT + i * 1000, NIGHT));
perCall('isQuiet, outside quiet hours (noon)', (i) => isQuiet(NOON + i * 1000, NIGHT));
