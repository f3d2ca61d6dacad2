// The hot path: server CPU per request at saturation (8 connections, autocannon) for
// /healthz, GET /api/logbooks signed in, and a one-entry sync upload, each against a real
// `crewbell serve`. Prints µs of server CPU per request and the ratios to /healthz.
//
// CPU is utime + stime of the server process from /proc/<pid>/stat (10 ms ticks), read
// around REQUESTS requests after a warm-up, so the figure is the server's own work, not the
// client's. The routes take turns for ROUNDS rounds (after one uncounted) and each figure is the median, so a
// neighbour's burst on a shared machine moves one sample, not the result. The binary when built (what a Pi runs), else the source; BENCH_SERVER=src forces
// the source. Targets (issue 12): sync ≤ 3×, logbooks ≤ 1.5× /healthz. Not part of the tests.
//
// For a closer look: BENCH_ONLY=sync (or healthz,logbooks) runs those routes alone and prints
// each round; BENCH_FLAGS adds `serve` flags (e.g. `--db-synchronous normal`); BENCH_NODE_FLAGS
// runs the source under those node flags (e.g. `--max-semi-space-size=1 --cpu-prof`).
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { mainTs, repoRoot, startServer, type TestServer } from '../test/helpers/server.ts';
import { createUserWithSession, type TestUser } from '../test/helpers/accounts.ts';
import { addCrew, createLogbook, type TestLogbook } from '../test/helpers/crew.ts';

const CONNECTIONS = 8;
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 6_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Sync is rate limited per user (300 at once, 300 a minute): enough crew to stay under it. */
const CREW = Math.ceil(((ROUNDS + 1) * (WARMUP + REQUESTS)) / 250) + 1;

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

type Request = { method: 'GET' | 'POST'; path: string; headers?: Record<string, string>; body?: string };

/** Runs `amount` requests through 8 connections; each request is made fresh by `next`. */
async function cannon(server: TestServer, amount: number, next: () => Request): Promise<void> {
  const result = await autocannon({
    url: server.url,
    connections: CONNECTIONS,
    amount,
    requests: [{ setupRequest: (req: object) => ({ ...req, ...next() }) }],
  });
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0 || result.requests.sent < amount) {
    throw new Error(
      `${failed} of ${result.requests.sent} requests failed (non2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts})`,
    );
  }
}

async function measure(server: TestServer, next: () => Request): Promise<number> {
  const pid = server.process.pid!;
  await cannon(server, WARMUP, next);
  const cpu0 = cpuMs(pid);
  await cannon(server, REQUESTS, next);
  return ((cpuMs(pid) - cpu0) * 1000) / REQUESTS;
}

const words = (text: string | undefined) => (text ?? '').split(' ').filter(Boolean);
/** Node flags for a server from source, e.g. `--max-semi-space-size=1 --cpu-prof` (then BENCH_SERVER=src). */
const nodeFlags = process.env.BENCH_NODE_FLAGS ? words(process.env.BENCH_NODE_FLAGS) : undefined;

const cookie = (user: TestUser) => `crewbell_session=${user.client.cookies.get('crewbell_session')}`;

async function main(): Promise<void> {
  const loadAtStart = loadavg()[0]!;
  const binary = path.join(repoRoot, 'dist/crewbell');
  const useBinary = existsSync(binary) && process.env.BENCH_SERVER !== 'src';
  // A long debounce: crew changes are counted, no push goes out during the run.
  const server = await startServer({
    flags: ['--notify-debounce', '10m', ...words(process.env.BENCH_FLAGS)],
    ...(useBinary ? { command: [binary] } : nodeFlags ? { command: [process.execPath, ...nodeFlags, mainTs] } : {}),
  });
  try {
    const skipper = createUserWithSession(server, 'skipper');
    const logbooks: TestLogbook[] = [];
    for (let i = 0; i < 4; i++) logbooks.push(await createLogbook(skipper));
    const crew: TestUser[] = [];
    // The first joins through an invite as the PWA does; the others are written in (the
    // invite route's rate limit would take longer than the bench).
    for (let i = 0; i < CREW; i++) {
      const member = createUserWithSession(server, `crew${i + 1}`);
      if (i === 0) await addCrew(skipper, logbooks[0]!.id, member, 'WRITE');
      else {
        const join = 'INSERT INTO logbook_members (logbook_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)';
        server.query(join, logbooks[0]!.id, member.id, 'WRITE', Date.now());
      }
      crew.push(member);
    }
    let turn = 0;
    const payload = randomBytes(256).toString('base64url');

    const routes: Array<[string, () => Request]> = [
      ['healthz', () => ({ method: 'GET', path: '/healthz' })],
      ['logbooks', () => ({ method: 'GET', path: '/api/logbooks', headers: { cookie: cookie(skipper) } })],
      [
        'sync',
        () => ({
          method: 'POST',
          path: '/api/sync/push',
          headers: {
            cookie: cookie(crew[turn++ % crew.length]!),
            origin: server.origin,
            'content-type': 'application/json',
          },
          body: JSON.stringify({
            items: [{ logbookId: logbooks[0]!.id, entityId: randomUUID(), action: 'create', payload }],
          }),
        }),
      ],
    ];
    const samples = new Map<string, number[]>(routes.map(([name]) => [name, []]));
    const only = process.env.BENCH_ONLY;
    // Round -1 is not counted: every route's code is compiled and the heap at its working
    // size before any figure is taken (the first counted /healthz ran up to twice the rest).
    for (let round = -1; round < ROUNDS; round++) {
      for (const [name, next] of routes) {
        if (only && !only.split(',').includes(name)) continue;
        const us = await measure(server, next);
        if (round >= 0) samples.get(name)!.push(us);
      }
    }
    if (only) {
      for (const name of only.split(','))
        console.log(
          `${name}: ${samples
            .get(name)!
            .map((us) => us.toFixed(0))
            .join(' ')} µs of server CPU per request`,
        );
      return;
    }
    const median = (name: string) => {
      const sorted = [...samples.get(name)!].sort((a, b) => a - b);
      return sorted[Math.floor(sorted.length / 2)]!;
    };
    const [healthz, list, sync] = [median('healthz'), median('logbooks'), median('sync')];

    const written = server.query<{ n: number }>('SELECT count(*) AS n FROM entries')[0]!.n;
    const sent = (ROUNDS + 1) * (WARMUP + REQUESTS);
    if (written !== sent) throw new Error(`expected ${sent} entries written, found ${written}`);

    const runtime = useBinary ? 'dist/crewbell' : `node ${process.versions.node} src/main.ts`;
    console.log(`hot path: server CPU per request at saturation (${CONNECTIONS} connections, ${REQUESTS} requests`);
    console.log(`after ${WARMUP} warm-up, median of ${ROUNDS} rounds after one uncounted); server: ${runtime}`);
    console.log(`load average at start ${loadAtStart.toFixed(2)} on ${availableParallelism()} cores`);
    console.log('route                                  µs/request   × /healthz   target   rounds (µs)');
    const row = (key: string, name: string, us: number, target: string) => {
      const rounds = samples
        .get(key)!
        .map((x) => x.toFixed(0))
        .join(' ');
      console.log(
        `${name.padEnd(38)} ${us.toFixed(0).padStart(10)} ${(us / healthz).toFixed(2).padStart(12)}   ${target.padEnd(6)}   ${rounds}`,
      );
    };
    row('healthz', 'GET /healthz', healthz, '');
    row('logbooks', 'GET /api/logbooks (4 logbooks)', list, '≤ 1.5');
    row('sync', 'POST /api/sync/push (1 new entry)', sync, '≤ 3');
  } finally {
    await server.stop();
    server.cleanup();
  }
}

await main();
