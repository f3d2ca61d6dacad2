// Sync load: a crew writing to one logbook at once, against a real `crewbell serve` on a
// real SQLite file, the way the PWA does it (POST /api/sync/push, GET /api/sync/pull).
// Prints, per phase: entries per second, request latency (p50, p95, max), the server's CPU
// time per entry and its anonymous memory, and the database size at the end. Not part of the tests.
//
// Phases (every crew member at once, each sending its requests one after another, as one
// phone's queue does; the counts stay inside the per-user rate limit of 300 requests):
//   at sea       each of CREW members sends 100 requests of 1 entry      (typing a log)
//   back online  each sends 20 requests of 100 entries                   (a week's queue)
//   edits        each updates 1,000 of its entries in 10 requests of 100 (with baseVersion)
//   pull         the owner reads everything from cursor 0, page by page  (a new device)
// Crew changes also run the notification scheduler in the same transaction, as in serve.
// Then what durability costs: synchronous=NORMAL against FULL (the default), on fresh servers
// in interleaved rounds (N F F N N F), each crew member sending 1-entry and 100-entry requests.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { repoRoot, startServer, type TestServer } from '../test/helpers/server.ts';
import { openDatabase, transaction } from '../src/db.ts';
import { createUserWithSession, type TestUser } from '../test/helpers/accounts.ts';
import { addCrew, createLogbook } from '../test/helpers/crew.ts';

const CREW = Number(process.env.BENCH_CREW ?? 8);
/** Ciphertext per entry: a logbook entry with a paragraph of notes, sealed, is about 1 KiB. */
const ENTRY_BYTES = 1024;

interface Phase {
  name: string;
  entries: number;
  requests: number;
  ms: number;
  latencies: number[];
  serverCpuMs: number;
  serverAnonMb: number;
}

/** utime + stime of a process, in ms (Linux /proc; clock ticks are 100 per second). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Anonymous memory (heap, stacks, malloc): the part of RSS that is the server's own, not mapped files. */
function anonMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('RssAnon:'))!;
  return Number(line.split(/\s+/)[1]) / 1024;
}

const payload = () => randomBytes(ENTRY_BYTES).toString('base64url');

async function phase(
  server: TestServer,
  name: string,
  work: (record: (ms: number, entries: number) => void) => Promise<void>,
): Promise<Phase> {
  const pid = server.process.pid!;
  const latencies: number[] = [];
  let entries = 0;
  const cpu0 = cpuMs(pid);
  const t0 = performance.now();
  await work((ms, n) => {
    latencies.push(ms);
    entries += n;
  });
  const ms = performance.now() - t0;
  return {
    name,
    entries,
    requests: latencies.length,
    ms,
    latencies,
    serverCpuMs: cpuMs(pid) - cpu0,
    serverAnonMb: anonMb(pid),
  };
}

async function push(
  member: TestUser,
  logbookId: string,
  items: Array<{ entityId: string; action: 'create' | 'update'; baseVersion?: number }>,
) {
  const t0 = performance.now();
  const res = await member.client.post('/api/sync/push', {
    items: items.map((i) => ({
      logbookId,
      entityId: i.entityId,
      action: i.action,
      payload: payload(),
      ...(i.baseVersion ? { baseVersion: i.baseVersion } : {}),
    })),
  });
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`sync push answered ${res.status}: ${res.text.slice(0, 200)}`);
  const bad = (res.body.results as Array<{ status: string }>).filter((r) => r.status !== 'success');
  if (bad.length) throw new Error(`${bad.length} items were not accepted: ${JSON.stringify(bad[0])}`);
  return ms;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const loadAtStart = loadavg()[0]!;
  // The built binary when there is one (what a Pi runs), else the source; BENCH_SERVER=src
  // forces the source. A long debounce: the scheduler counts every change, no push goes out.
  const binary = path.join(repoRoot, 'dist/crewbell');
  const useBinary = existsSync(binary) && process.env.BENCH_SERVER !== 'src';
  const server = await startServer({
    flags: ['--notify-debounce', '10m'],
    ...(useBinary ? { command: [binary] } : {}),
  });
  try {
    const skipper = createUserWithSession(server, 'skipper');
    const logbook = await createLogbook(skipper);
    const crew = Array.from({ length: CREW }, (_, i) => createUserWithSession(server, `crew${i + 1}`));
    for (const member of crew) await addCrew(skipper, logbook.id, member, 'WRITE');
    const written = crew.map(() => [] as string[]);

    const phases: Phase[] = [];
    phases.push(
      await phase(server, 'at sea: 1 entry per request', (record) =>
        Promise.all(
          crew.map(async (member, m) => {
            for (let r = 0; r < 100; r++) {
              const entityId = randomUUID();
              record(await push(member, logbook.id, [{ entityId, action: 'create' }]), 1);
              written[m]!.push(entityId);
            }
          }),
        ).then(() => undefined),
      ),
    );
    phases.push(
      await phase(server, 'back online: 100 per request', (record) =>
        Promise.all(
          crew.map(async (member, m) => {
            for (let r = 0; r < 20; r++) {
              const ids = Array.from({ length: 100 }, () => randomUUID());
              record(
                await push(
                  member,
                  logbook.id,
                  ids.map((entityId) => ({ entityId, action: 'create' as const })),
                ),
                ids.length,
              );
              written[m]!.push(...ids);
            }
          }),
        ).then(() => undefined),
      ),
    );
    phases.push(
      await phase(server, 'edits: 100 updates per request', (record) =>
        Promise.all(
          crew.map(async (member, m) => {
            const mine = written[m]!.slice(100, 1100);
            for (let r = 0; r < 10; r++) {
              const batch = mine
                .slice(r * 100, r * 100 + 100)
                .map((entityId) => ({ entityId, action: 'update' as const, baseVersion: 1 }));
              record(await push(member, logbook.id, batch), batch.length);
            }
          }),
        ).then(() => undefined),
      ),
    );
    let pulledBytes = 0;
    phases.push(
      await phase(server, 'pull: everything, from cursor 0', async (record) => {
        let since: string | undefined;
        for (let page = 0; page < 10_000; page++) {
          const t0 = performance.now();
          const res = await skipper.client.get(
            `/api/sync/pull?logbookId=${logbook.id}${since ? `&since=${encodeURIComponent(since)}` : ''}`,
          );
          if (res.status !== 200) throw new Error(`pull answered ${res.status}: ${res.text.slice(0, 200)}`);
          pulledBytes += res.text.length;
          record(performance.now() - t0, res.body.items.length);
          since = res.body.cursor;
          if (!res.body.hasMore) break;
        }
      }),
    );

    const total = written.flat().length;
    const pending =
      server.query<{ n: number }>('SELECT pending_count AS n FROM notify_state WHERE logbook_id = ?', logbook.id)[0]
        ?.n ?? 0;
    const dbFile = path.join(server.dataDir, 'crewbell.db');
    const dbMb = (statSync(dbFile).size + (statSync(`${dbFile}-wal`, { throwIfNoEntry: false })?.size ?? 0)) / 2 ** 20;

    console.log(
      `sync load: ${CREW} crew members writing to one logbook at once (BENCH_CREW to change), ${ENTRY_BYTES}-byte entries`,
    );
    console.log(
      `server: ${useBinary ? 'dist/crewbell' : `node ${process.versions.node} src/main.ts`} on a fresh data dir`,
    );
    console.log(
      `load average at start ${loadAtStart.toFixed(2)} on ${availableParallelism()} cores; the clients share the machine with the server`,
    );
    console.log(
      'phase                              entries  requests  entries/s   p50 ms   p95 ms   max ms  server CPU µs/entry  server anon MB',
    );
    for (const p of phases) {
      const sorted = [...p.latencies].sort((a, b) => a - b);
      console.log(
        `${p.name.padEnd(34)} ${String(p.entries).padStart(7)} ${String(p.requests).padStart(9)} ${(p.entries / (p.ms / 1000)).toFixed(0).padStart(10)} ${percentile(sorted, 50).toFixed(1).padStart(8)} ${percentile(sorted, 95).toFixed(1).padStart(8)} ${sorted.at(-1)!.toFixed(1).padStart(8)} ${((p.serverCpuMs * 1000) / p.entries).toFixed(0).padStart(20)} ${p.serverAnonMb.toFixed(1).padStart(15)}`,
      );
    }
    console.log(
      `pulled ${(pulledBytes / 2 ** 20).toFixed(1)} MB of JSON; database with WAL ${dbMb.toFixed(1)} MB for ${total} entries`,
    );
    console.log(
      `crew changes counted by the notification scheduler: ${pending} (every create and update: ${total + CREW * 1000})`,
    );
    if (pending !== total + CREW * 1000) throw new Error('the scheduler did not count every crew change');
  } finally {
    await server.stop();
    server.cleanup();
  }
}

/** One round of the durability comparison: latencies of 1-entry and of 100-entry requests. */
async function durabilityRound(
  synchronous: 'normal' | 'full',
  useBinary: boolean,
): Promise<{ single: number[]; batch: number[]; ms: number; entries: number }> {
  const binary = path.join(repoRoot, 'dist/crewbell');
  const server = await startServer({
    flags: ['--notify-debounce', '10m', '--db-synchronous', synchronous],
    ...(useBinary ? { command: [binary] } : {}),
  });
  try {
    const skipper = createUserWithSession(server, 'skipper');
    const logbook = await createLogbook(skipper);
    const crew = Array.from({ length: 4 }, (_, i) => createUserWithSession(server, `crew${i + 1}`));
    for (const member of crew) await addCrew(skipper, logbook.id, member, 'WRITE');
    const single: number[] = [];
    const batch: number[] = [];
    const t0 = performance.now();
    await Promise.all(
      crew.map(async (member) => {
        for (let r = 0; r < 50; r++)
          single.push(await push(member, logbook.id, [{ entityId: randomUUID(), action: 'create' }]));
        for (let r = 0; r < 5; r++)
          batch.push(
            await push(
              member,
              logbook.id,
              Array.from({ length: 100 }, () => ({ entityId: randomUUID(), action: 'create' as const })),
            ),
          );
      }),
    );
    return { single, batch, ms: performance.now() - t0, entries: crew.length * (50 + 500) };
  } finally {
    await server.stop();
    server.cleanup();
  }
}

async function durabilityCost(): Promise<void> {
  const useBinary = existsSync(path.join(repoRoot, 'dist/crewbell')) && process.env.BENCH_SERVER !== 'src';
  const results = {
    normal: [] as Awaited<ReturnType<typeof durabilityRound>>[],
    full: [] as Awaited<ReturnType<typeof durabilityRound>>[],
  };
  for (const mode of ['normal', 'full', 'full', 'normal', 'normal', 'full'] as const)
    results[mode].push(await durabilityRound(mode, useBinary));
  console.log('');
  console.log(
    `what durability costs (load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores): 4 crew members, each 50 requests of 1 entry then 5 of 100; 3 rounds per setting, interleaved`,
  );
  console.log('synchronous   1-entry p50 ms   p95 ms   100-entry p50 ms   p95 ms   entries/s');
  for (const mode of ['normal', 'full'] as const) {
    const single = results[mode].flatMap((r) => r.single).sort((a, b) => a - b);
    const batch = results[mode].flatMap((r) => r.batch).sort((a, b) => a - b);
    const rate =
      results[mode].reduce((sum, r) => sum + r.entries, 0) / (results[mode].reduce((sum, r) => sum + r.ms, 0) / 1000);
    console.log(
      `${mode.toUpperCase().padEnd(13)} ${percentile(single, 50).toFixed(1).padStart(14)} ${percentile(single, 95).toFixed(1).padStart(8)} ${percentile(batch, 50).toFixed(1).padStart(18)} ${percentile(batch, 95).toFixed(1).padStart(8)} ${rate.toFixed(0).padStart(11)}`,
    );
  }
}

/** The commit alone, in-process on a real file: one 1 KiB row per transaction, the settings interleaved. */
function commitCost(): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'crewbell-commit-'));
  try {
    const times: Record<'NORMAL' | 'FULL', number[]> = { NORMAL: [], FULL: [] };
    for (const mode of ['NORMAL', 'FULL', 'FULL', 'NORMAL', 'NORMAL', 'FULL'] as const) {
      const db = openDatabase(path.join(dir, `${mode}-${times[mode].length}.db`), { synchronous: mode });
      db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT)');
      const insert = db.prepare('INSERT INTO t (payload) VALUES (?)');
      for (let i = 0; i < 200; i++) {
        const t0 = performance.now();
        transaction(db, () => insert.run(payload()));
        times[mode].push(performance.now() - t0);
      }
      db.close();
    }
    console.log('one commit of a 1 KiB row, in-process (600 per setting, interleaved):');
    for (const mode of ['NORMAL', 'FULL'] as const) {
      const sorted = times[mode].sort((a, b) => a - b);
      console.log(
        `${mode.padEnd(13)} p50 ${percentile(sorted, 50).toFixed(2)} ms   p95 ${percentile(sorted, 95).toFixed(2)} ms`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.env.BENCH_PART !== 'durability') await main();
await durabilityCost();
commitCost();
