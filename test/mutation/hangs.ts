// `make mutate-hangs`: is each mutant `make mutate` counted as a Timeout a run whose tests fail
// (a test left waiting on a promise, failed by its test timeout) or one that hangs (a
// synchronous loop made endless, which no test timeout can stop)? Only the first may count as
// detected. For each Timeout in a file's last report (reports/mutation/files/<name>.json) the
// mutant is written into the source, the file's own tests run with a 1 s test timeout under a
// bound of HANG_MS, and the source is put back. Run it on a clone: it edits src/ while it runs
// (and restores it, also when interrupted or terminated).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MUTATED_FILES, nodeTestArgs } from './files.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
process.chdir(root);
/** A run of the tests longer than this is a hang (a test that waits fails after 1 s). */
const HANG_MS = Number(process.env.HANG_MS ?? 60_000);

interface Position {
  line: number;
  column: number;
}
interface Mutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  status: string;
  location: { start: Position; end: Position };
}

/** The source with one mutant in it (Stryker's lines and columns count from 1; the end is exclusive). */
export function applyMutant(source: string, mutant: Pick<Mutant, 'location' | 'replacement'>): string {
  const lines = source.split('\n');
  const offset = (p: Position) => lines.slice(0, p.line - 1).reduce((n, l) => n + l.length + 1, 0) + p.column - 1;
  return (
    source.slice(0, offset(mutant.location.start)) +
    (mutant.replacement ?? '') +
    source.slice(offset(mutant.location.end))
  );
}

/** Runs the tests; resolves with 'fails' or 'passes' when they end, 'hangs' when killed at HANG_MS. */
function runTests(tests: string[]): Promise<{ verdict: 'fails' | 'passes' | 'hangs'; ms: number }> {
  const started = Date.now();
  const node = path.join(root, 'node_modules/.bin/node');
  const child = spawn(node, nodeTestArgs(tests, 1_000), { detached: true, stdio: 'ignore' });
  return new Promise((resolve) => {
    const bound = setTimeout(() => {
      // The whole group: node --test runs each file in a process of its own.
      process.kill(-child.pid!, 'SIGKILL');
      resolve({ verdict: 'hangs', ms: Date.now() - started });
    }, HANG_MS);
    child.on('exit', (code) => {
      clearTimeout(bound);
      resolve({ verdict: code === 0 ? 'passes' : 'fails', ms: Date.now() - started });
    });
  });
}

/** Puts back the source being mutated now, if any (on a signal). */
let restoreCurrent: (() => void) | undefined;

async function main(): Promise<void> {
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      restoreCurrent?.();
      process.exit(130);
    });
  const wanted = (process.env.FILES ?? '').split(/\s+/).filter(Boolean);
  const files = MUTATED_FILES.filter((f) => wanted.length === 0 || wanted.includes(f.name));
  const rows: string[] = [];
  for (const file of files) {
    const reportPath = `reports/mutation/files/${file.name}.json`;
    if (!existsSync(reportPath)) {
      rows.push(`| ${file.mutate} | no report: run make mutate first | | |`);
      continue;
    }
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as {
      files: Record<string, { source: string; mutants: Mutant[] }>;
    };
    const entry = Object.values(report.files)[0]!;
    const original = readFileSync(file.mutate, 'utf8');
    if (original !== entry.source) {
      rows.push(`| ${file.mutate} | the source changed since its report: run make mutate again | | |`);
      continue;
    }
    const restore = () => writeFileSync(file.mutate, original);
    restoreCurrent = restore;
    const timeouts = entry.mutants.filter((m) => m.status === 'Timeout');
    const hangs: string[] = [];
    const passes: string[] = [];
    let slowest = 0;
    try {
      for (const [i, mutant] of timeouts.entries()) {
        writeFileSync(file.mutate, applyMutant(original, mutant));
        const { verdict, ms } = await runTests(file.tests);
        const where = `${file.mutate}:${mutant.location.start.line} ${mutant.mutatorName} ${JSON.stringify(mutant.replacement)}`;
        console.log(`${file.name} ${i + 1}/${timeouts.length} ${verdict} in ${(ms / 1000).toFixed(1)} s: ${where}`);
        if (verdict === 'hangs') hangs.push(where);
        else if (verdict === 'passes') passes.push(where);
        else slowest = Math.max(slowest, ms);
      }
    } finally {
      restore();
      restoreCurrent = undefined;
    }
    const failing = timeouts.length - hangs.length - passes.length;
    rows.push(
      `| ${file.mutate} | ${timeouts.length} | ${failing} (slowest ${(slowest / 1000).toFixed(1)} s) | ${hangs.length} | ${passes.length} |`,
    );
    for (const h of hangs) console.log(`  hangs: ${h}`);
    for (const p of passes) console.log(`  passes without Stryker's bound: ${p}`);
  }
  console.log('\n| file | timeouts | tests fail | hang | pass |');
  console.log('|---|---|---|---|---|');
  for (const row of rows) console.log(row);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
