// make mutate-hangs writes each timed-out mutant back into its source (test/mutation/hangs.ts):
// Stryker's lines and columns count from 1 and its end is exclusive, on one line or over several.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMutant } from '../mutation/hangs.ts';

const source = ['function f(a, b) {', '  if (a > b) {', '    return a + b;', '  }', '  return 0;', '}'].join('\n');

test('a mutant on one line replaces exactly its columns', () => {
  const out = applyMutant(source, {
    location: { start: { line: 3, column: 12 }, end: { line: 3, column: 17 } },
    replacement: 'a - b',
  });
  assert.equal(out.split('\n')[2], '    return a - b;');
  assert.equal(out.replace('a - b', 'a + b'), source, 'nothing else changed');
});

test('a mutant over several lines (a block emptied) replaces them all, and one at the start of a line too', () => {
  const emptied = applyMutant(source, {
    location: { start: { line: 2, column: 14 }, end: { line: 4, column: 4 } },
    replacement: '{}',
  });
  assert.equal(emptied, ['function f(a, b) {', '  if (a > b) {}', '  return 0;', '}'].join('\n'));
  const first = applyMutant(source, {
    location: { start: { line: 1, column: 1 }, end: { line: 1, column: 9 } },
    replacement: 'async function',
  });
  assert.equal(first.split('\n')[0], 'async function f(a, b) {');
});
