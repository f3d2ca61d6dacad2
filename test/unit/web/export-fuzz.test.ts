// Valid exports, always (issue 18): the GPX built from any field values — 400-digit speeds,
// control characters, lone surrogates, years beyond 9999 — is well-formed XML whose numbers
// and times are what GPX 1.1 and Garmin's extension allow. Fuzzed with fast-check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildGpx } from '../../../web/src/export/gpx.ts';
import type { ExportRow } from '../../../web/src/export/entries.ts';
import { deriveAll, emptyEntry, type EntryData } from '../../../web/src/logbook/fields.ts';

const now = () => Promise.resolve();

/** XML 1.0's Char production: what may appear anywhere in the file. */
const NOT_XML_CHAR =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Well-formed: every tag closed in order, text free of '<' and of '&' outside the five entities. */
function assertWellFormed(xml: string): void {
  assert.ok(!NOT_XML_CHAR.test(xml), `a character XML does not allow: ${JSON.stringify(xml.match(NOT_XML_CHAR))}`);
  const body = xml.replace(/^<\?xml [^?]*\?>\n/, '');
  const stack: string[] = [];
  let at = 0;
  for (const m of body.matchAll(/<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>/g)) {
    const text = body.slice(at, m.index);
    assert.ok(!/[<>]/.test(text), `stray markup in text: ${JSON.stringify(text.slice(0, 80))}`);
    assert.ok(!/&(?!(amp|lt|gt|quot|apos);)/.test(text), `a bare & in text: ${JSON.stringify(text.slice(0, 80))}`);
    if (m[1]) assert.equal(stack.pop(), m[2], `</${m[2]}> closes the open tag`);
    else if (!m[4]) stack.push(m[2]!);
    at = m.index + m[0].length;
  }
  assert.ok(!/[<>]/.test(body.slice(at)), 'nothing after the last tag');
  assert.deepEqual(stack, [], 'every tag closed');
}

function assertGpxValues(xml: string): void {
  for (const m of xml.matchAll(/<trkpt lat="([^"]*)" lon="([^"]*)">/g)) {
    assert.match(m[1]!, /^-?\d{1,2}\.\d{6}$/);
    assert.match(m[2]!, /^-?\d{1,3}\.\d{6}$/);
    assert.ok(Math.abs(Number(m[1])) <= 90 && Math.abs(Number(m[2])) <= 180);
  }
  for (const m of xml.matchAll(/<time>([^<]*)<\/time>/g)) {
    assert.match(m[1]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/, 'an xsd:dateTime');
  }
  for (const m of xml.matchAll(/<gpxtpx:speed>([^<]*)<\/gpxtpx:speed>/g)) {
    assert.match(m[1]!, /^\d+\.\d{3}$/, 'a decimal number of m/s');
    assert.ok(Number(m[1]) <= 52, `${m[1]} m/s`);
  }
  for (const m of xml.matchAll(/<gpxtpx:course>([^<]*)<\/gpxtpx:course>/g)) {
    assert.match(m[1]!, /^\d{1,3}(\.\d)?$/, 'a decimal number of degrees');
    assert.ok(Number(m[1]) >= 0 && Number(m[1]) < 360, `${m[1]}°`);
  }
  assert.doesNotMatch(xml, /Infinity|NaN|\de[+-]\d/);
}

/** Text a field may hold: anything, with the troublesome bits much more often than chance would give. */
const nasty = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '\u0000',
        '\u0007',
        '\u001b',
        '\u000b',
        '\uD800',
        '\uDFFF',
        '\uFFFE',
        '&',
        '<',
        '>',
        '"',
        ']]>',
        '°',
        "'",
        ',',
        '-',
        '.',
      ),
      fc.string({ unit: 'binary', maxLength: 4 }),
      fc.stringMatching(/^-?\d{1,400}([.,]\d{1,5})?$/),
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(''));

/** Field values near the real ones: numbers of any size, positions, times of any year. */
const number = fc.oneof(
  fc.stringMatching(/^-?\d{1,400}([.,]\d{1,5})?$/),
  fc.double().map(String),
  fc.integer({ min: -1000, max: 1000 }).map(String),
  nasty,
);
const position = fc.oneof(
  fc
    .tuple(fc.double({ min: -90, max: 90, noNaN: true }), fc.double({ min: -180, max: 180, noNaN: true }))
    .map(([lat, lon]) => `${lat}, ${lon}`),
  fc.constant("54°22.1'N 010°09.5'E"),
  nasty,
);
const time = fc.oneof(
  fc
    .date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, -8)),
  fc.constantFrom('+275760-09-13T00:00', '+010000-01-01T00:00', '-000001-01-01T00:00', '0000-01-01T00:00'),
  nasty,
);

const entry = fc.record({ time, position, speed: number, course: number, text: nasty, wind: nasty });

function rows(datas: EntryData[]): ExportRow[] {
  const derived = deriveAll(datas);
  return datas.map((data, i) => ({
    entry: {
      logbookId: 'lb',
      entityId: `e${i}`,
      payload: 'x',
      version: 1,
      deleted: false,
      updatedAt: 0,
      updatedBy: null,
    },
    data,
    derived: derived[i]!,
  }));
}

test('GPX from any field values is well-formed XML with bounded numbers and valid times', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(entry, { maxLength: 8 }), nasty, async (fields, trackName) => {
      const datas = fields.map((f) => ({ ...emptyEntry(f.time), ...f }));
      const xml = (await buildGpx(rows(datas), trackName, now)).join('');
      assertWellFormed(xml);
      assertGpxValues(xml);
    }),
    { numRuns: 400 },
  );
});

test('the cases the review found: a 400-digit speed, control characters in the name, a year beyond 9999', async () => {
  const data = {
    ...emptyEntry('+010000-01-01T00:00'),
    position: '54.5, 10.75',
    speed: '9'.repeat(400),
    course: '-90',
  };
  const xml = (await buildGpx(rows([data]), 'Mira\u0007\u0000 & Co', now)).join('');
  assertWellFormed(xml);
  assertGpxValues(xml);
  assert.match(xml, /<name>Mira &amp; Co<\/name>/);
  assert.match(
    xml,
    /<trkpt lat="54.500000" lon="10.750000"><extensions><gpxtpx:TrackPointExtension><gpxtpx:course>270<\/gpxtpx:course>/,
  );
});
