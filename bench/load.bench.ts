// Load with push faults: 200 crew writing for 60 s against the binary (dist/crewbell, built
// by `make binary`) while the local push service answers 500, 429 or never. Prints the sync
// latency (p50, p99, max), sync errors, how long the outbox takes to drain after the load,
// and the server's peak RSS. Targets (issue 9): no sync errors, RSS ≤ 200 MB.
//
//   BENCH_DURATION=60s   how long the crew write (e.g. 20s on a busy machine)
//   BENCH_CREW=200       crew members writing at once (10 per logbook, each skipper with 3 phones)
//   BENCH_SOURCE=1       run `node src/main.ts` instead of the binary (to compare trees)
// Not part of the tests.
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseDuration } from '../src/cli/args.ts';
import { repoRoot, startServer, waitFor } from '../test/helpers/server.ts';
import { createUserWithSession, type TestUser } from '../test/helpers/accounts.ts';
import { addCrew, createLogbook } from '../test/helpers/crew.ts';
import { startPushService, type PlannedAnswer } from '../test/helpers/push-service.ts';

const DURATION_MS = parseDuration(process.env.BENCH_DURATION ?? '60s');
const CREW = Number(process.env.BENCH_CREW ?? 200);
const CREW_PER_LOGBOOK = 10;
/** Each crew member pushes one to three 1 KiB entries about once a second (a busy watch). */
const THINK_MS = 1_000;
/** How long the outbox may take to drain after the load before the bench calls it stuck. */
const DRAIN_LIMIT_MS = 120_000;

const binary = path.join(repoRoot, 'dist/crewbell');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** A memory line of /proc/<pid>/status in MB: VmRSS (all), RssAnon (the server's own, not the mapped binary). */
function memMb(pid: number, field: 'VmRSS' | 'RssAnon' = 'VmRSS'): number {
  const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb ?? 0) / 1024;
}

async function main(): Promise<void> {
  const fromSource = process.env.BENCH_SOURCE === '1';
  if (!fromSource && !existsSync(binary)) throw new Error(`${binary} is missing: run make binary first`);
  const loadAtStart = loadavg()[0]!;
  const ps = await startPushService();
  const server = await startServer({
    command: fromSource ? undefined : [binary],
    flags: [
      '--push-allow-insecure',
      '--notify-debounce',
      '1s',
      '--notify-throttle',
      '10s',
      '--push-timeout',
      '2s',
      '--push-retries',
      '2',
      '--push-retry-base',
      '1s',
    ],
  });
  const pid = server.process.pid!;
  try {
    // The fleet: one skipper per 10 crew, each skipper with three phones whose push service
    // misbehaves in its own way for the whole run: 500, 429 with Retry-After, or no answer.
    const logbooks = Math.ceil(CREW / CREW_PER_LOGBOOK);
    const faults: PlannedAnswer[] = [500, { status: 429, retryAfter: '2' }, 'hang'];
    const crew: Array<{ member: TestUser; logbookId: string }> = [];
    for (let l = 0; l < logbooks; l++) {
      const skipper = createUserWithSession(server, `skipper${l}`);
      const logbook = await createLogbook(skipper);
      await skipper.client.put('/api/push/prefs', { collaboratorChangesEnabled: true });
      for (const fault of faults) {
        const phone = ps.createDevice();
        const res = await skipper.client.put('/api/push/subscription', phone.subscription);
        if (res.status >= 300) throw new Error(`subscribe answered ${res.status}: ${res.text}`);
        ps.plan(phone, ...Array<PlannedAnswer>(10_000).fill(fault));
      }
      for (let c = 0; c < CREW_PER_LOGBOOK && crew.length < CREW; c++) {
        const member = createUserWithSession(server, `crew${l}x${c}`);
        await addCrew(skipper, logbook.id, member, 'WRITE');
        crew.push({ member, logbookId: logbook.id });
      }
    }

    let peakRss = memMb(pid);
    let peakAnon = memMb(pid, 'RssAnon');
    const sample = () => {
      peakRss = Math.max(peakRss, memMb(pid));
      peakAnon = Math.max(peakAnon, memMb(pid, 'RssAnon'));
    };
    const sampler = setInterval(sample, 250);
    const latencies: number[] = [];
    const errors: string[] = [];
    let entries = 0;
    const stopAt = performance.now() + DURATION_MS;
    await Promise.all(
      crew.map(async ({ member, logbookId }, i) => {
        await sleep((i * THINK_MS) / crew.length); // spread the first pushes over a second
        let n = 0;
        while (performance.now() < stopAt) {
          const items = Array.from({ length: 1 + (n % 3) }, () => ({
            logbookId,
            entityId: `e${i}x${n++}`,
            action: 'create',
            payload: randomBytes(1024).toString('base64url'),
          }));
          const t0 = performance.now();
          try {
            const res = await member.client.post('/api/sync/push', { items });
            latencies.push(performance.now() - t0);
            const refused =
              res.status === 200
                ? (res.body.results as Array<{ status: string }>).filter((r) => r.status !== 'success').length
                : items.length;
            if (res.status !== 200 || refused) errors.push(`${res.status} ${res.text.slice(0, 120)}`);
            else entries += items.length;
          } catch (err) {
            errors.push(`${(err as Error).message} ${(err as { cause?: Error }).cause?.message ?? ''}`);
          }
          await sleep(THINK_MS * (0.5 + Math.random()));
        }
      }),
    );
    const loadEnd = performance.now();
    const heap = async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      const mb = (name: string) =>
        (Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN) / 1024 / 1024).toFixed(0);
      return `V8 heap ${mb('nodejs_heap_size_used_bytes')} MB used of ${mb('nodejs_heap_size_total_bytes')} MB, external ${mb('nodejs_external_memory_bytes')} MB`;
    };
    const heapAtEnd = await heap();
    // Drain: every notification due (debounce, throttle) and every delivery settled.
    const outstanding = () =>
      server.query<{ n: number }>(
        'SELECT (SELECT COUNT(*) FROM push_outbox) + (SELECT COUNT(*) FROM notify_state WHERE due_at IS NOT NULL) AS n',
      )[0]!.n;
    let drained = true;
    try {
      await waitFor(() => outstanding() === 0, 'the outbox to drain', DRAIN_LIMIT_MS, 250);
    } catch {
      drained = false;
    }
    const drainMs = performance.now() - loadEnd;
    clearInterval(sampler);
    sample();

    const sorted = latencies.sort((a, b) => a - b);
    const seconds = DURATION_MS / 1000;
    console.log(
      `load with push faults (${fromSource ? 'node src/main.ts' : 'dist/crewbell'}): ${crew.length} crew in ${logbooks} logbooks, ${seconds} s, ${logbooks * 3} skipper phones answering 500 / 429 / never`,
    );
    console.log(
      `  machine: ${availableParallelism()} cores, load average ${loadAtStart.toFixed(1)} at start, ${loadavg()[0]!.toFixed(1)} at end`,
    );
    console.log(
      `  sync: ${latencies.length} pushes (${(latencies.length / seconds).toFixed(0)}/s), ${entries} entries; latency p50 ${percentile(sorted, 50).toFixed(0)} ms, p99 ${percentile(sorted, 99).toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms`,
    );
    console.log(`  sync errors: ${errors.length}${errors.length ? ` (first: ${errors[0]})` : ''}`);
    console.log(`  push: ${ps.messages.length} requests to the push service, ${ps.hanging()} hanging at the end`);
    console.log(
      `  outbox drain after the load: ${drained ? `${(drainMs / 1000).toFixed(1)} s` : `not drained in ${DRAIN_LIMIT_MS / 1000} s (${outstanding()} left)`}`,
    );
    console.log(`  server memory when the load ended: ${heapAtEnd}; after the drain: ${await heap()}`);
    console.log(
      `  server RSS max: ${peakRss.toFixed(0)} MB (target ≤ 200 MB), of it anonymous memory max ${peakAnon.toFixed(0)} MB; after the drain ${memMb(pid).toFixed(0)} MB`,
    );
    if (errors.length || peakRss > 200) process.exitCode = 1;
  } finally {
    await server.stop();
    server.cleanup();
    await ps.close();
  }
}

await main();
