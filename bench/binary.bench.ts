// The single binary's figures (printed, never asserted): size raw and xz-compressed, time
// from start to the first /healthz answer, and idle memory after 100 requests, for the
// binary and for `node src/main.ts`. Targets on the build machine: first answer ≤ 150 ms,
// idle anonymous memory ≤ 40 MB, binary ≤ 115 MB stripped.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = 7;
const REQUESTS = 100;

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function xzSize(file: string): number {
  // -6 is xz's default preset; threads only make it faster.
  const xz = spawnSync('xz', ['-6', '-T0', '-c', file], { maxBuffer: 512 * 1024 * 1024 });
  if (xz.status !== 0) throw new Error(`xz failed: ${xz.stderr}`);
  return xz.stdout.length;
}

/** VmRSS and RssAnon of a running process, in bytes. */
function memory(pid: number): { rss: number; anon: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), anon: kb('RssAnon') };
}

interface Started {
  ms: number;
  pid: number;
  url: string;
  stop(): Promise<void>;
}

/** Spawns `serve --port 0`, and measures until the first /healthz answer arrives. */
async function start(command: string[], dataDir: string): Promise<Started> {
  const t0 = performance.now();
  const child = spawn(command[0]!, [...command.slice(1), 'serve', '--port', '0', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start in 20 s: ${out}`)), 20_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on http:\/\/[^\s]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.stderr.on('data', (d) => (out += d));
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const res = await fetch(`${url}/healthz`);
  await res.arrayBuffer();
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`/healthz answered ${res.status}`);
  return {
    ms,
    pid: child.pid!,
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function measure(label: string, command: string[]): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'crewbell-bench-'));
  try {
    const first = await start(command, dataDir); // creates the database
    await first.stop();
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const run = await start(command, dataDir);
      times.push(run.ms);
      await run.stop();
    }
    const server = await start(command, dataDir);
    const paths = ['/healthz', '/', '/api/logbooks', '/logbook/3f1c'];
    for (let i = 0; i < REQUESTS; i++) await (await fetch(server.url + paths[i % paths.length]!)).arrayBuffer();
    await new Promise((r) => setTimeout(r, 2000)); // idle
    const mem = memory(server.pid);
    await server.stop();
    console.log(
      `${label.padEnd(22)} start→/healthz median ${median(times).toFixed(0)} ms (min ${Math.min(...times).toFixed(0)}, first start ${first.ms.toFixed(0)}) | ` +
        `idle after ${REQUESTS} requests: RSS ${mb(mem.rss)}, anonymous ${mb(mem.anon)}`,
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const x64 = path.join(root, 'dist/crewbell-linux-x64');
const arm64 = path.join(root, 'dist/crewbell-linux-arm64');
const host = path.join(root, 'dist/crewbell');
if (!existsSync(host)) {
  console.error('no dist/crewbell: run make binary first');
  process.exit(1);
}
for (const file of [x64, arm64]) {
  if (!existsSync(file)) continue;
  console.log(`${path.basename(file).padEnd(22)} ${mb(statSync(file).size)} raw, ${mb(xzSize(file))} xz`);
}
await measure('dist/crewbell', [host]);
await measure('node src/main.ts', [process.execPath, path.join(root, 'src/main.ts')]);
