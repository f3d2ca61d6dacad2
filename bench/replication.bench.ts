// Replication lag: how long after a commit its bytes sit on the replica, with real Litestream
// (npm's v0.3.13) streaming a real `crewbell serve` database to a file replica configured
// from systemd/litestream.yml (sync-interval 1s), under the crew load of bench/sync.bench.ts.
// A probe entry is written by the skipper every 200 ms; a watcher polls the replica every
// 10 ms, decompresses each new WAL segment (.wal.lz4) and notes when the probe's id appears.
// Lag = first seen on the replica − the probe request's send time (an upper bound: the commit
// comes a little after the send). Then `crewbell restore` of the whole replica is timed.
// Prints p50, p99 and max per phase. Not part of the tests.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { repoRoot, runCli, startServer, tempDir } from '../test/helpers/server.ts';
import { createUserWithSession, type TestUser } from '../test/helpers/accounts.ts';
import { addCrew, createLogbook } from '../test/helpers/crew.ts';
import { LITESTREAM, startReplicate, writeConfig } from '../test/helpers/litestream.ts';
import { decompressLz4Frame } from './lz4-frame.ts';

const CREW = Number(process.env.BENCH_CREW ?? 8);
const ENTRY_BYTES = 1024;
const PROBE_EVERY_MS = 200;

const payload = () => randomBytes(ENTRY_BYTES).toString('base64url');

async function push(member: TestUser, logbookId: string, entityIds: string[]): Promise<void> {
  const body = { items: entityIds.map((entityId) => ({ logbookId, entityId, action: 'create', payload: payload() })) };
  // One retry on a reset connection: a kept-alive socket the server closed meanwhile, as a phone would retry.
  const res = await member.client.post('/api/sync/push', body).catch(() => member.client.post('/api/sync/push', body));
  if (res.status !== 200) throw new Error(`sync push answered ${res.status}: ${res.text.slice(0, 200)}`);
}

/** Watches the replica folder for new WAL segments and finds probe ids in them. */
function watchReplica(replicaDir: string) {
  const seenFiles = new Set<string>();
  const waiting = new Map<string, (at: number) => void>();
  const timer = setInterval(() => {
    const generations = path.join(replicaDir, 'generations');
    if (!existsSync(generations)) return;
    for (const generation of readdirSync(generations)) {
      const walDir = path.join(generations, generation, 'wal');
      if (!existsSync(walDir)) continue;
      for (const name of readdirSync(walDir)) {
        const file = path.join(walDir, name);
        if (seenFiles.has(file)) continue;
        let bytes: Buffer;
        try {
          bytes = Buffer.from(decompressLz4Frame(readFileSync(file)));
        } catch {
          continue; // still being written: next round
        }
        seenFiles.add(file);
        const at = performance.now();
        for (const [marker, resolve] of waiting) {
          if (bytes.includes(marker)) {
            waiting.delete(marker);
            resolve(at);
          }
        }
      }
    }
  }, 10);
  return {
    arrival: (marker: string) => new Promise<number>((resolve) => waiting.set(marker, resolve)),
    stop: () => clearInterval(timer),
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const loadAtStart = loadavg()[0]!;
  const work = tempDir('crewbell-replication-bench-');
  const dataDir = path.join(work, 'data');
  mkdirSync(dataDir);
  const replicaDir = path.join(work, 'replica');
  const config = writeConfig(work, path.join(dataDir, 'crewbell.db'), { type: 'file', path: replicaDir });
  const binary = path.join(repoRoot, 'dist/crewbell');
  const useBinary = existsSync(binary) && process.env.BENCH_SERVER !== 'src';
  const server = await startServer({
    dataDir,
    flags: ['--notify-debounce', '10m'],
    ...(useBinary ? { command: [binary] } : {}),
  });
  const replicator = startReplicate(config);
  const watcher = watchReplica(replicaDir);
  const results: { name: string; lags: number[]; entries: number }[] = [];
  try {
    const skipper = createUserWithSession(server, 'skipper');
    const logbook = await createLogbook(skipper);
    const crew = Array.from({ length: CREW }, (_, i) => createUserWithSession(server, `crew${i + 1}`));
    for (const member of crew) await addCrew(skipper, logbook.id, member, 'WRITE');
    await replicator.ready();

    /** Probes every PROBE_EVERY_MS while `load` runs (at least `minProbes`). */
    async function phase(name: string, load: () => Promise<number>, minProbes = 0): Promise<void> {
      const lags: Promise<number>[] = [];
      let running = true;
      const probing = (async () => {
        while (running || lags.length < minProbes) {
          const marker = `probe-${randomUUID()}`;
          const arrived = watcher.arrival(marker);
          const sent = performance.now();
          await push(skipper, logbook.id, [marker]);
          lags.push(arrived.then((at) => at - sent));
          await new Promise((r) => setTimeout(r, PROBE_EVERY_MS));
        }
      })();
      const entries = await load();
      running = false;
      await probing;
      results.push({ name, lags: await Promise.all(lags), entries });
    }

    await phase('idle: no other writes', async () => 0, 30);
    await phase('at sea: 1 entry per request', async () => {
      await Promise.all(
        crew.map(async (member) => {
          for (let r = 0; r < 100; r++) await push(member, logbook.id, [randomUUID()]);
        }),
      );
      return CREW * 100;
    });
    await phase('back online: 100 per request', async () => {
      await Promise.all(
        crew.map(async (member) => {
          for (let r = 0; r < 20; r++)
            await push(
              member,
              logbook.id,
              Array.from({ length: 100 }, () => randomUUID()),
            );
        }),
      );
      return CREW * 2000;
    });
  } finally {
    watcher.stop();
    await server.stop();
    await replicator.stop();
  }
  // The card dies: restore everything onto an empty data dir, as README "When the SD card dies".
  const secretKey = readFileSync(path.join(dataDir, 'secret.key'), 'utf8').trim();
  const dbMb = statSync(path.join(dataDir, 'crewbell.db')).size / 2 ** 20;
  rmSync(dataDir, { recursive: true });
  const t0 = performance.now();
  const restore = await runCli(
    [
      'restore',
      '--data-dir',
      dataDir,
      '--litestream-config',
      config,
      '--litestream',
      LITESTREAM,
      '--secret-key',
      secretKey,
    ],
    useBinary ? { command: [binary] } : {},
  );
  const restoreS = (performance.now() - t0) / 1000;
  if (restore.code !== 0) throw new Error(`restore failed: ${restore.stderr}`);

  console.log(
    `replication lag, commit → file replica: Litestream 0.3.13 (sync-interval 1s), ${CREW} crew members writing ${ENTRY_BYTES}-byte entries; a probe every ${PROBE_EVERY_MS} ms`,
  );
  console.log(
    `server: ${useBinary ? 'dist/crewbell' : `node ${process.versions.node} src/main.ts`}; load average at start ${loadAtStart.toFixed(2)} on ${availableParallelism()} cores (clients, server and Litestream share them)`,
  );
  console.log('phase                              crew entries  probes   p50 ms   p99 ms   max ms');
  for (const r of results) {
    const sorted = [...r.lags].sort((a, b) => a - b);
    console.log(
      `${r.name.padEnd(34)} ${String(r.entries).padStart(12)} ${String(sorted.length).padStart(7)} ${percentile(sorted, 50).toFixed(0).padStart(8)} ${percentile(sorted, 99).toFixed(0).padStart(8)} ${sorted.at(-1)!.toFixed(0).padStart(8)}`,
    );
  }
  console.log(
    `crewbell restore of the replica (${dbMb.toFixed(1)} MB database): ${restoreS.toFixed(1)} s wall, including process start; it said: ${restore.stdout.split('\n')[0]}`,
  );
  rmSync(work, { recursive: true, force: true });
}

await main();
