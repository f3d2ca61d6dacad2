// `make mutate`: StrykerJS mutates each core file of files.ts in turn, each run against that
// file's own fast tests through the command runner, one mutant at a time. Writes each file's
// report to reports/mutation/files/, all of them merged into reports/mutation/mutation.json,
// and prints the table of scores. Not part of `make test`: it takes tens of minutes.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Stryker } from '@stryker-mutator/core';
import { MUTATED_FILES, nodeTestArgs, type MutatedFile } from './files.ts';
import { startReaper } from './reaper.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
process.chdir(root);
const REPORTS = 'reports/mutation';
const PER_FILE = `${REPORTS}/files`;
/** The target of issue 24: every file at or above it. */
const TARGET = 90;

interface MutantJson {
  status: string;
}
interface Report {
  files: Record<string, { mutants: MutantJson[] }>;
  [key: string]: unknown;
}

/**
 * Mutants tested at once: 1 leaves a shared machine's other core alone; MUTATE_CONCURRENCY=2
 * (or more) uses the cores of a machine of its own (each mutant runs in its own process).
 */
const CONCURRENCY = Number(process.env.MUTATE_CONCURRENCY ?? 1);
if (!Number.isInteger(CONCURRENCY) || CONCURRENCY < 1 || CONCURRENCY > 16) {
  console.error(`MUTATE_CONCURRENCY must be a whole number from 1 to 16, not ${process.env.MUTATE_CONCURRENCY}`);
  process.exit(2);
}

/** Set on every test process a mutant runs: it also marks them for the reaper (reaper.ts). */
const COMPILE_CACHE = `NODE_COMPILE_CACHE=${path.join(root, '.tools/mutation/compile-cache')}`;

/** The per-file Stryker options: that file mutated, its tests run by the command runner. */
function strykerOptions(file: MutatedFile) {
  const node = path.join(root, 'node_modules/.bin/node');
  // A test left waiting (a promise a mutant never settles) fails after 4 s: without the
  // timeout Node 24 would wait for ever, so a Timeout below is a run whose tests fail, only
  // later than Stryker waits (8 s more than the run without mutant). A test cancelled so
  // leaves its servers and workers open; --test-force-exit ends the file once its tests are
  // done instead of waiting for them for ever. The compile cache holds the instrumented code,
  // the same for every mutant.
  const command = [COMPILE_CACHE, node, ...nodeTestArgs(file.tests, 4_000)].join(' ');
  return {
    mutate: [file.mutate],
    testRunner: 'command',
    commandRunner: { command },
    concurrency: CONCURRENCY,
    timeoutMS: 8_000,
    coverageAnalysis: 'off' as const,
    // Copy only what the tests read into the sandbox; node_modules is linked.
    ignorePatterns: ['/*', '!/src', '!/test', '!/web', '/web/*', '!/web/dist', '!/package.json', '!/schema.sql'],
    tempDirName: '.tools/mutation/sandbox',
    reporters: ['json', 'clear-text', 'progress-append-only'],
    jsonReporter: { fileName: `${PER_FILE}/${file.name}.json` },
    clearTextReporter: { reportMutants: true, reportTests: false, reportScoreTable: false, allowColor: false },
  };
}

/** Detected (killed or timed out) over detected and undetected; ignored and errors left out. */
function score(mutants: MutantJson[]) {
  const count = (...statuses: string[]) => mutants.filter((m) => statuses.includes(m.status)).length;
  const killed = count('Killed');
  const timeout = count('Timeout');
  const undetected = count('Survived', 'NoCoverage');
  const ignored = count('Ignored');
  const errors = count('CompileError', 'RuntimeError');
  const valid = killed + timeout + undetected;
  return {
    total: mutants.length,
    killed,
    timeout,
    undetected,
    ignored,
    errors,
    score: valid ? (100 * (killed + timeout)) / valid : 100,
  };
}

const wanted = (process.env.FILES ?? '').split(/[\s,]+/).filter(Boolean);
const unknown = wanted.filter((w) => !MUTATED_FILES.some((f) => f.name === w));
if (unknown.length) {
  console.error(`unknown FILES: ${unknown.join(', ')} (known: ${MUTATED_FILES.map((f) => f.name).join(', ')})`);
  process.exit(2);
}
const chosen = wanted.length ? MUTATED_FILES.filter((f) => wanted.includes(f.name)) : MUTATED_FILES;
for (const file of chosen) {
  const missing = file.tests.filter((t) => !existsSync(t));
  if (missing.length) throw new Error(`${file.name}: missing test files ${missing.join(', ')}`);
}
if (!existsSync('web/dist/index.html')) throw new Error('web/dist is missing: run `make web` first');

mkdirSync(PER_FILE, { recursive: true });
const started = Date.now();
const seconds = new Map<string, number>();
const reaper = startReaper(COMPILE_CACHE);
for (const file of chosen) {
  console.log(`\n== ${file.mutate} against ${file.tests.join(' ')}`);
  const t0 = Date.now();
  await new Stryker(strykerOptions(file)).runMutationTest();
  seconds.set(file.name, Math.round((Date.now() - t0) / 1000));
}
const reaped = reaper.stop();
if (reaped) console.log(`\n${reaped} test process(es) left running by timed-out mutants were stopped.`);

// One report for the whole core: every file's latest run, merged.
const reports = readdirSync(PER_FILE)
  .filter((n) => n.endsWith('.json'))
  .map((n) => JSON.parse(readFileSync(`${PER_FILE}/${n}`, 'utf8')) as Report);
const merged: Report = { ...reports[0]!, files: Object.assign({}, ...reports.map((r) => r.files)) };
writeFileSync(`${REPORTS}/mutation.json`, JSON.stringify(merged));

console.log(`\nMutation scores (${REPORTS}/mutation.json), target ${TARGET} %:\n`);
console.log('| file | mutants | killed | timeout | survived | ignored | errors | score | time |');
console.log('|---|---|---|---|---|---|---|---|---|');
let below = 0;
for (const file of MUTATED_FILES) {
  const entry = merged.files[file.mutate];
  if (!entry) continue;
  const s = score(entry.mutants);
  if (s.score < TARGET) below++;
  const time = seconds.has(file.name) ? `${seconds.get(file.name)} s` : '(earlier run)';
  console.log(
    `| ${file.mutate} | ${s.total} | ${s.killed} | ${s.timeout} | ${s.undetected} | ${s.ignored} | ${s.errors} | ${s.score.toFixed(1)} %${s.score < TARGET ? ' (below)' : ''} | ${time} |`,
  );
}
console.log(`\n${chosen.length} file(s) mutated in ${Math.round((Date.now() - started) / 60_000)} min.`);
if (below) {
  console.log(`${below} file(s) below ${TARGET} %.`);
  process.exitCode = 1;
}
