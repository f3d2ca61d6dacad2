// The hot path against its floor: server CPU per request at saturation (8 connections,
// autocannon) for GET /healthz, GET /api/logbooks (4 logbooks) and a one-entry sync upload,
// on a real `crewbell serve` and on bench/floor-server.ts (bare node:http + node:sqlite doing
// only what the request needs), rounds interleaved: each round runs every route on both,
// in alternating order. Prints every round, the median ratio, and the load average.
//
// CPU is utime + stime from /proc/<pid>/stat (10 ms ticks) around the counted requests,
// after a warm-up. crewbell runs as dist/crewbell when built (BENCH_SERVER=src: from
// source); the floor runs from source under the same Node with the binary's
// --max-semi-space-size=1. Targets (issue 18): list ≤ 1.5×, sync ≤ 1.25×, /healthz ≤ 1.25×.
// BENCH_ONLY=healthz,logbooks,sync picks routes; BENCH_ROUNDS, BENCH_REQUESTS, BENCH_SYNC_REQUESTS.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import autocannon from 'autocannon';
import { mainTs, repoRoot, startServer, tempDir, type TestServer } from '../test/helpers/server.ts';
import { createUserWithSession, type TestUser } from '../test/helpers/accounts.ts';
import { createLogbook, type TestLogbook } from '../test/helpers/crew.ts';
import { FLOOR_SCHEMA, sessionHash } from './floor-server.ts';

const CONNECTIONS = 8;
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 6_000);
/** The floor commits each upload alone (an fsync each): fewer, or a round takes minutes. */
const SYNC_REQUESTS = Number(process.env.BENCH_SYNC_REQUESTS ?? 3_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ONLY = process.env.BENCH_ONLY?.split(',');
/** Sync is rate limited per user (300 at once, 300 a minute): enough crew to stay under it. */
const CREW = Math.ceil(((ROUNDS + 1) * (WARMUP + SYNC_REQUESTS)) / 250) + 1;

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

type Request = { method: 'GET' | 'POST'; path: string; headers?: Record<string, string>; body?: string };

interface Target {
  name: string;
  url: string;
  pid: number;
  /** A fresh request per route. */
  routes: Record<string, () => Request>;
}

async function cannon(url: string, amount: number, next: () => Request): Promise<void> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    amount,
    requests: [{ setupRequest: (req: object) => ({ ...req, ...next() }) }],
  });
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0 || result.requests.sent < amount) throw new Error(`${failed} of ${result.requests.sent} failed`);
}

async function measure(target: Target, route: string): Promise<number> {
  const amount = route === 'sync' ? SYNC_REQUESTS : REQUESTS;
  await cannon(target.url, WARMUP, target.routes[route]!);
  const cpu0 = cpuMs(target.pid);
  await cannon(target.url, amount, target.routes[route]!);
  return ((cpuMs(target.pid) - cpu0) * 1000) / amount;
}

const syncBody = (logbookId: string, payload: string) =>
  JSON.stringify({ items: [{ logbookId, entityId: randomUUID(), action: 'create', payload }] });

/** crewbell with a skipper of 4 logbooks and CREW writers in the first (as bench/http.bench.ts). */
async function crewbellTarget(server: TestServer, payload: string): Promise<Target> {
  const skipper = createUserWithSession(server, 'skipper');
  const logbooks: TestLogbook[] = [];
  for (let i = 0; i < 4; i++) logbooks.push(await createLogbook(skipper));
  const crew: TestUser[] = [];
  for (let i = 0; i < CREW; i++) {
    const member = createUserWithSession(server, `crew${i + 1}`);
    const join = 'INSERT INTO logbook_members (logbook_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)';
    server.query(join, logbooks[0]!.id, member.id, 'WRITE', Date.now());
    crew.push(member);
  }
  const cookie = (user: TestUser) => `crewbell_session=${user.client.cookies.get('crewbell_session')}`;
  let turn = 0;
  return {
    name: 'crewbell',
    url: server.url,
    pid: server.process.pid!,
    routes: {
      healthz: () => ({ method: 'GET', path: '/healthz' }),
      logbooks: () => ({ method: 'GET', path: '/api/logbooks', headers: { cookie: cookie(skipper) } }),
      sync: () => ({
        method: 'POST',
        path: '/api/sync/push',
        headers: {
          cookie: cookie(crew[turn++ % crew.length]!),
          origin: server.origin,
          'content-type': 'application/json',
        },
        body: syncBody(logbooks[0]!.id, payload),
      }),
    },
  };
}

/** The floor process on its own file, with the same people and logbooks. */
async function floorTarget(dir: string, payload: string): Promise<Target & { child: ChildProcess }> {
  const file = path.join(dir, 'floor.db');
  const seed = new DatabaseSync(file);
  seed.exec('PRAGMA journal_mode = WAL;');
  seed.exec(FLOOR_SCHEMA);
  const session = (userId: string) => {
    const token = randomBytes(32).toString('base64url');
    seed.prepare('INSERT INTO sessions VALUES (?, ?, ?)').run(sessionHash(token), userId, Date.now() + 86_400_000);
    return `crewbell_session=${token}`;
  };
  const skipper = session('skipper');
  const logbooks = Array.from({ length: 4 }, (_, i) => {
    const id = randomUUID();
    seed
      .prepare('INSERT INTO logbooks (id, owner_id, meta, created_at) VALUES (?, ?, ?, ?)')
      .run(id, 'skipper', randomBytes(48).toString('base64url'), Date.now() + i);
    return id;
  });
  const crew = Array.from({ length: CREW }, (_, i) => {
    seed.prepare('INSERT INTO members VALUES (?, ?, ?)').run(logbooks[0]!, `crew${i}`, 'WRITE');
    return session(`crew${i}`);
  });
  seed.close();
  const child = spawn(
    process.execPath,
    ['--max-semi-space-size=1', path.join(repoRoot, 'bench/floor-server.ts'), file],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`floor exited with ${code}`)));
  });
  let turn = 0;
  return {
    name: 'floor',
    url,
    pid: child.pid!,
    child,
    routes: {
      healthz: () => ({ method: 'GET', path: '/healthz' }),
      logbooks: () => ({ method: 'GET', path: '/api/logbooks', headers: { cookie: skipper } }),
      sync: () => ({
        method: 'POST',
        path: '/api/sync/push',
        headers: { cookie: crew[turn++ % crew.length]!, 'content-type': 'application/json' },
        body: syncBody(logbooks[0]!, payload),
      }),
    },
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const load = [loadavg()[0]!];
  const binary = path.join(repoRoot, 'dist/crewbell');
  const useBinary = existsSync(binary) && process.env.BENCH_SERVER !== 'src';
  const payload = randomBytes(256).toString('base64url');
  const server = await startServer({
    flags: ['--notify-debounce', '10m'],
    // From source with the binary's young generation (its execArgv), as the floor runs.
    command: useBinary ? [binary] : [process.execPath, '--max-semi-space-size=1', mainTs],
  });
  const floorDir = tempDir('crewbell-floor-');
  const floor = await floorTarget(floorDir, payload);
  try {
    const crewbell = await crewbellTarget(server, payload);
    const routes = ['healthz', 'logbooks', 'sync'].filter((r) => !ONLY || ONLY.includes(r));
    const samples = new Map<string, { crewbell: number[]; floor: number[] }>(
      routes.map((r) => [r, { crewbell: [], floor: [] }]),
    );
    // Round -1 is not counted: both servers' code compiled and their heaps at working size.
    for (let round = -1; round < ROUNDS; round++) {
      for (const route of routes) {
        const order = round % 2 === 0 ? [crewbell, floor] : [floor, crewbell];
        for (const target of order) {
          const us = await measure(target, route);
          if (round >= 0) samples.get(route)![target.name as 'crewbell' | 'floor'].push(us);
        }
      }
      load.push(loadavg()[0]!);
    }
    const runtime = useBinary ? 'dist/crewbell' : `node ${process.versions.node} --max-semi-space-size=1 src/main.ts`;
    console.log(`hot path against its floor: server CPU per request at saturation (${CONNECTIONS} connections,`);
    console.log(
      `${REQUESTS} requests, ${SYNC_REQUESTS} for sync, after ${WARMUP} warm-up; ${ROUNDS} rounds after one uncounted)`,
    );
    console.log(`crewbell: ${runtime}; floor: node ${process.versions.node} bench/floor-server.ts`);
    console.log(`load average (1 min) ${load.map((l) => l.toFixed(1)).join(' → ')} on ${availableParallelism()} cores`);
    const targets: Record<string, string> = { healthz: '≤ 1.25', logbooks: '≤ 1.5', sync: '≤ 1.25' };
    for (const route of routes) {
      const s = samples.get(route)!;
      const ratios = s.crewbell.map((c, i) => c / s.floor[i]!);
      console.log(
        `${route.padEnd(9)} median ${median(s.crewbell).toFixed(0)} / ${median(s.floor).toFixed(0)} µs, ratio of medians ${(median(s.crewbell) / median(s.floor)).toFixed(2)}, median of round ratios ${median(ratios).toFixed(2)} (target ${targets[route]})`,
      );
      console.log(
        `          rounds (crewbell/floor µs = ×): ${s.crewbell.map((c, i) => `${c.toFixed(0)}/${s.floor[i]!.toFixed(0)}=${ratios[i]!.toFixed(2)}`).join('  ')}`,
      );
    }
  } finally {
    floor.child.kill('SIGTERM');
    await server.stop();
    server.cleanup();
    rmSync(floorDir, { recursive: true, force: true });
  }
}

await main();
