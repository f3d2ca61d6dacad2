// Fan-out benchmark: one notification to N subscriptions (N = 1,000, 10,000 and 100,000) on a local
// HTTPS push service (HTTP/2 and HTTP/1.1, as real ones), crewbell's pipeline (outbox rows in SQLite → worker → own transport)
// against web-push's own sendNotification on the same subscriptions, with the same number
// of messages in flight. Prints notifications per second, CPU µs per notification (the
// sender process only), peak RSS during the fan-out, and the ratio. Not part of the tests.
//
// Layout: this file is the coordinator, and re-runs itself as
//   --push-service CERTDIR        the HTTPS push service (its own process and core)
//   --sender IMPL N FILE PORT     one measured run (its own process, for a clean RSS)
// A throw-away CA is made with the openssl CLI; senders trust it via NODE_EXTRA_CA_CERTS.
import { spawn } from 'node:child_process';
import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdtempSync } from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { makeTestCertificates } from '../test/helpers/tls.ts';

const self = fileURLToPath(import.meta.url);
/** BENCH_SIZES=1000,10000 to leave sizes out. */
const SIZES = (process.env.BENCH_SIZES ?? '1000,10000,100000').split(',').map(Number);
/** Messages in flight at once, for both contenders (crewbell's serve uses the same). */
const IN_FLIGHT = 32;
/**
 * The same V8 flags for every contender. A small young generation keeps RSS close to what
 * is live: HTTP/2's allocation rate otherwise makes V8 grow new space to ~100 MB of
 * garbage (heap in use after GC stays ~13 MB either way). BENCH_V8_FLAGS overrides.
 */
const V8_FLAGS = (process.env.BENCH_V8_FLAGS ?? '--max-semi-space-size=2').split(' ').filter(Boolean);
/** Rounds of every run; the table shows each figure's median (a shared 2-core machine is noisy). */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** "transport" is crewbell's send path without the database: the floor, for comparison. */
const CONTENDERS = (process.env.BENCH_CONTENDERS ?? 'web-push,crewbell,transport').split(',');

interface Device {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

interface RunResult {
  impl: string;
  n: number;
  ms: number;
  cpuUs: number;
  peakRssMb: number;
  rssGrowthMb: number;
  /** JS heap still in use after a full GC halfway through: what the run holds on to. */
  liveHeapMb: number;
  ok: number;
  /** The 1-minute load average when the run ended (the machine is shared). */
  load?: number;
}

// ---------------------------------------------------------------- push service
/** Listens on `ports` ports (each a push-service host of its own for crewbell's fairness) and prints them. */
async function pushService(certDir: string, ports = 1): Promise<void> {
  let count = 0;
  let connections = 0;
  const listening: number[] = [];
  for (let i = 0; i < ports; i++) {
    // HTTP/2 and HTTP/1.1 on one port, like FCM, Mozilla's and Apple's services.
    const server = http2.createSecureServer(
      {
        key: readFileSync(path.join(certDir, 'server.key')),
        cert: readFileSync(path.join(certDir, 'server.crt')),
        allowHTTP1: true,
      },
      (req, res) => {
        let size = 0;
        req.on('data', (c: Buffer) => (size += c.length));
        req.on('end', () => {
          count++;
          const ok =
            req.headers['content-encoding'] === 'aes128gcm' &&
            /^vapid t=/.test(String(req.headers.authorization)) &&
            size > 86 &&
            size <= 4096;
          res.writeHead(ok ? 201 : 400);
          res.end();
        });
      },
    );
    server.on('secureConnection', () => connections++);
    server.listen(0, '127.0.0.1', () => {
      listening.push((server.address() as AddressInfo).port);
      if (listening.length === ports) process.stdout.write(`port ${listening.join(',')}\n`);
    });
  }
  process.on('SIGTERM', () => {
    process.stderr.write(`push service answered ${count} requests on ${connections} TLS connections\n`);
    process.exit(0);
  });
}

// ---------------------------------------------------------------- senders
/**
 * Peak RSS while the fan-out runs, how far it rose above the RSS at its start, and the live
 * JS heap halfway: once `remaining()` falls to half of n, one full GC, then heapUsed. RSS
 * also holds garbage not yet collected and malloc arenas (OpenSSL, nghttp2, SQLite) that
 * glibc hands back lazily, so it wanders by ±20 MB from run to run; the live heap does not.
 */
function sampleMemory(
  n: number,
  remaining: () => number,
): { stop(): { peakRssMb: number; rssGrowthMb: number; liveHeapMb: number } } {
  const start = process.memoryUsage().rss;
  let peak = start;
  let live = NaN;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
    if (Number.isNaN(live) && remaining() <= n / 2) {
      globalThis.gc?.();
      live = process.memoryUsage().heapUsed;
    }
  }, 10);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss);
      return { peakRssMb: peak / 2 ** 20, rssGrowthMb: (peak - start) / 2 ** 20, liveHeapMb: live / 2 ** 20 };
    },
  };
}

function message(logbookId: string) {
  return {
    title: 'crewbell',
    body: 'New changes in one of your logbooks.',
    tag: `logbook-${logbookId}`,
    renotify: false,
    data: { url: `/logbook/${logbookId}`, logbookId, changeCount: 3 },
  };
}

async function runCrewbell(devices: Device[]): Promise<Omit<RunResult, 'impl' | 'n'>> {
  const { openDatabase, transaction } = await import('../src/db.ts');
  const { systemClock } = await import('../src/clock.ts');
  const { silentLogger } = await import('../src/log.ts');
  const { createMetrics } = await import('../src/metrics.ts');
  const { pushMetricSources } = await import('../src/push/stats.ts');
  const { createTransport } = await import('../src/push/transport.ts');
  const { createOutboxWorker } = await import('../src/push/worker.ts');
  const { createVapidSigner } = await import('../src/push/authorization.ts');
  const { generateVapidKeys, loadVapidKeys } = await import('../src/push/vapid.ts');
  const { queueForUser } = await import('../src/push/outbox.ts');
  const { crewChangesMessage, logbookTopic } = await import('../src/push/messages.ts');

  const dir = mkdtempSync(path.join(tmpdir(), 'crewbell-bench-'));
  const db = openDatabase(path.join(dir, 'crewbell.db'));
  const secret = randomBytes(32);
  generateVapidKeys(db, secret, Date.now());
  const signer = createVapidSigner(loadVapidKeys(db, secret)!, 'mailto:bench@example.org', systemClock);
  const ownerId = randomUUID();
  const logbookId = randomUUID();
  db.prepare("INSERT INTO users (id, username, created_at) VALUES (?, 'skipper', 0)").run(ownerId);
  const insert = db.prepare(
    "INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, locale, created_at) VALUES (?, ?, ?, ?, ?, 'en', 0)",
  );
  transaction(db, () => {
    for (const d of devices) insert.run(randomUUID(), ownerId, d.endpoint, d.keys.p256dh, d.keys.auth);
  });
  devices.length = 0; // the pipeline reads devices from the database, like serve
  const metrics = createMetrics(pushMetricSources(db), { defaults: false });
  // Loopback push service: the address guard is lifted as with --push-allow-insecure (still https).
  const transport = createTransport({ timeoutMs: 10_000, allowInsecure: true });
  const worker = createOutboxWorker(
    { db, clock: systemClock, log: silentLogger, metrics, transport, signer: () => signer },
    // One account's devices at one push service: serve's fairness caps (per account, per host)
    // are lifted, as this measures the delivery pipeline against web-push's.
    {
      concurrency: IN_FLIGHT,
      perHost: IN_FLIGHT,
      perUser: IN_FLIGHT,
      retries: 3,
      retryBaseMs: 2_000,
      ttlSeconds: 86_400,
    },
  );
  globalThis.gc?.();
  const n = (db.prepare('SELECT COUNT(*) AS n FROM push_subscriptions').get() as { n: number }).n;
  // Counted from the worker's own tally: a COUNT(*) of the outbox every 10 ms would cost more as N grows.
  const rss = sampleMemory(n, () => n - worker.stats.answers);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  // The scheduler's step: one notification becomes one outbox job per device, one transaction.
  transaction(db, () =>
    queueForUser(db, ownerId, (l) => crewChangesMessage(l, logbookId, 3), logbookTopic(logbookId), Date.now()),
  );
  worker.kick();
  for (;;) {
    await worker.idle();
    const left = (db.prepare('SELECT COUNT(*) AS n FROM push_outbox').get() as { n: number }).n;
    if (left === 0) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const memory = rss.stop();
  const ok = (await metrics.pushSent.get()).values.find((v) => v.labels.result === 'success')?.value ?? 0;
  await worker.stop();
  transport.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return { ms, cpuUs: cpu.user + cpu.system, ...memory, ok };
}

async function runWebPush(devices: Device[]): Promise<Omit<RunResult, 'impl' | 'n'>> {
  const webpush = (await import('web-push')).default;
  const keys = webpush.generateVAPIDKeys();
  const logbookId = randomUUID();
  const options = {
    vapidDetails: { subject: 'mailto:bench@example.org', publicKey: keys.publicKey, privateKey: keys.privateKey },
    TTL: 86_400,
    urgency: 'normal' as const,
    topic: logbookId.replace(/-/g, ''),
  };
  // The payload is made per message, as a per-device locale would need.
  return sendInLanes(devices, async (device) => {
    const res = await webpush.sendNotification(device, JSON.stringify(message(logbookId)), options);
    return res.statusCode === 201;
  });
}

/**
 * The floor under crewbell's pipeline: the same encryption, cached VAPID token and
 * keep-alive transport with no database or outbox, to show what the pipeline adds.
 */
async function runTransportOnly(devices: Device[]): Promise<Omit<RunResult, 'impl' | 'n'>> {
  const { systemClock } = await import('../src/clock.ts');
  const { createTransport } = await import('../src/push/transport.ts');
  const { createVapidSigner } = await import('../src/push/authorization.ts');
  const { sendToDevice } = await import('../src/push/deliver.ts');
  const { freshVapidKeys } = await import('../test/helpers/vapid.ts');
  const signer = createVapidSigner(freshVapidKeys(), 'mailto:bench@example.org', systemClock);
  const transport = createTransport({ timeoutMs: 10_000, allowInsecure: true });
  const logbookId = randomUUID();
  const result = await sendInLanes(devices, async (d) => {
    const outcome = await sendToDevice(
      transport,
      signer,
      { endpoint: d.endpoint, ...d.keys },
      JSON.stringify(message(logbookId)),
      {
        ttlSeconds: 86_400,
        urgency: 'normal',
        topic: logbookId.replace(/-/g, ''),
        now: Date.now(),
      },
    );
    return outcome.kind === 'success';
  });
  transport.close();
  return result;
}

/** Sends to every device from IN_FLIGHT lanes, measuring time, CPU and memory. */
async function sendInLanes(
  devices: Device[],
  send: (device: Device) => Promise<boolean>,
): Promise<Omit<RunResult, 'impl' | 'n'>> {
  globalThis.gc?.();
  let next = 0;
  const rss = sampleMemory(devices.length, () => devices.length - next);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let ok = 0;
  const lane = async () => {
    while (next < devices.length) {
      if (await send(devices[next++]!)) ok++;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuUs: cpu.user + cpu.system, ...rss.stop(), ok };
}

async function sender(impl: string, n: number, file: string): Promise<void> {
  const devices = (JSON.parse(readFileSync(file, 'utf8')) as Device[]).slice(0, n);
  const result =
    impl === 'crewbell'
      ? await runCrewbell(devices)
      : impl === 'web-push'
        ? await runWebPush(devices)
        : await runTransportOnly(devices);
  process.stdout.write(`${JSON.stringify({ impl, n, ...result, load: loadavg()[0] })}\n`);
  process.exit(0);
}

// ---------------------------------------------------------------- coordinator
const HEADER = 'impl        N        notif/s   CPU µs/notif   peak RSS MB   RSS growth MB   live heap MB';
const row = (r: RunResult) =>
  `${r.impl.padEnd(10)} ${String(r.n).padStart(6)} ${(r.n / (r.ms / 1000)).toFixed(0).padStart(10)} ${(r.cpuUs / r.n).toFixed(0).padStart(14)} ${r.peakRssMb.toFixed(1).padStart(13)} ${r.rssGrowthMb.toFixed(1).padStart(15)} ${r.liveHeapMb.toFixed(1).padStart(14)}`;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** One row from several rounds of the same run: the median of each figure. */
function medianRun(runs: RunResult[]): RunResult {
  const of = (pick: (r: RunResult) => number) => median(runs.map(pick));
  return {
    impl: runs[0]!.impl,
    n: runs[0]!.n,
    ms: of((r) => r.ms),
    cpuUs: of((r) => r.cpuUs),
    peakRssMb: of((r) => r.peakRssMb),
    rssGrowthMb: of((r) => r.rssGrowthMb),
    liveHeapMb: of((r) => r.liveHeapMb),
    ok: Math.min(...runs.map((r) => r.ok)),
  };
}
function child(
  args: string[],
  env: Record<string, string> = {},
): { proc: ReturnType<typeof spawn>; output: Promise<string> } {
  const proc = spawn(process.execPath, ['--expose-gc', ...V8_FLAGS, self, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  const output = new Promise<string>((resolve, reject) => {
    proc.once('exit', (code) =>
      code === 0 || code === null ? resolve(out) : reject(new Error(`${args.join(' ')} exited with ${code}`)),
    );
  });
  return { proc, output };
}

async function coordinator(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'crewbell-fanout-'));
  const loadAtStart = loadavg()[0]!;
  try {
    makeTestCertificates(dir, 'crewbell bench CA');
    const service = child(['--push-service', dir]);
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('push service did not start')), 10_000);
      service.proc.stdout!.on('data', (d: Buffer) => {
        const m = /port (\d+)/.exec(String(d));
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
    });
    const max = Math.max(...SIZES);
    const devices: Device[] = Array.from({ length: max }, (_, i) => {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      return {
        endpoint: `https://127.0.0.1:${port}/push/device-${i}-${randomBytes(8).toString('base64url')}`,
        keys: { p256dh: ecdh.getPublicKey('base64url'), auth: randomBytes(16).toString('base64url') },
      };
    });
    const file = path.join(dir, 'devices.json');
    writeFileSync(file, JSON.stringify(devices));

    const runs: RunResult[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const n of SIZES) {
        // The contenders take turns leading, so that neither always runs on a warmer machine.
        const order = CONTENDERS.map((_, i) => CONTENDERS[(i + round) % CONTENDERS.length]!);
        for (const impl of order) {
          const run = child(['--sender', impl, String(n), file], { NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.crt') });
          const line = (await run.output).trim().split('\n').pop()!;
          const r = JSON.parse(line) as RunResult;
          if (r.ok !== n) throw new Error(`${impl} delivered ${r.ok} of ${n}`);
          runs.push(r);
          process.stderr.write(`${row(r)}   (round ${round + 1})\n`);
        }
      }
      process.stderr.write(`round ${round + 1} of ${ROUNDS} done\n`);
    }
    const results = SIZES.flatMap((n) =>
      CONTENDERS.map((impl) => medianRun(runs.filter((r) => r.n === n && r.impl === impl))),
    );
    service.proc.kill('SIGTERM');
    await service.output;

    console.log(
      `fan-out of one notification, ${IN_FLIGHT} in flight, node ${process.versions.node}, HTTPS push service on 127.0.0.1 (own process; HTTP/2 for crewbell, HTTP/1.1 for web-push)`,
    );
    console.log(`V8 flags for every sender: ${V8_FLAGS.join(' ') || '(none)'}`);
    console.log(
      `load average at start ${loadAtStart.toFixed(2)} on ${availableParallelism()} cores (other processes skew the figures)`,
    );
    console.log(`load average at the end ${loadavg()[0]!.toFixed(2)}`);
    console.log(`every run, in the order run (the contenders interleaved in each round):`);
    console.log(`${HEADER}   load`);
    for (const r of runs) console.log(`${row(r)} ${(r.load ?? NaN).toFixed(1).padStart(6)}`);
    console.log(`median of ${ROUNDS} rounds for every figure (BENCH_ROUNDS to change)`);
    console.log(HEADER);
    for (const r of results) console.log(row(r));
    for (const n of SIZES) {
      const wp = results.find((r) => r.n === n && r.impl === 'web-push')!;
      const cb = results.find((r) => r.n === n && r.impl === 'crewbell')!;
      // Each round's own ratio too: how far one run can be from the median.
      const perRound = (pick: (r: RunResult) => number) => {
        const ratios = Array.from({ length: ROUNDS }, (_, round) => {
          const of = (impl: string) => runs.filter((r) => r.n === n && r.impl === impl)[round]!;
          return pick(of('web-push')) / pick(of('crewbell'));
        }).sort((a, b) => a - b);
        return `${ratios[0]!.toFixed(2)}–${ratios.at(-1)!.toFixed(2)}`;
      };
      console.log(
        `N=${n}: crewbell/web-push: throughput ${(wp.ms / cb.ms).toFixed(2)}× (rounds ${perRound((r) => r.ms)}), ` +
          `notifications per CPU second ${(wp.cpuUs / cb.cpuUs).toFixed(2)}× (rounds ${perRound((r) => r.cpuUs)})`,
      );
      const floor = results.find((r) => r.n === n && r.impl === 'transport')!;
      console.log(
        `N=${n}: CPU µs per notification: crewbell ${(cb.cpuUs / n).toFixed(0)}, its transport alone ${(floor.cpuUs / n).toFixed(0)}: the pipeline is ${(cb.cpuUs / floor.cpuUs).toFixed(2)}× the transport`,
      );
    }
    const perNotification = (n: number) => {
      const cb = results.find((r) => r.n === n && r.impl === 'crewbell')!;
      return cb.cpuUs / n;
    };
    const [smallest, largest] = [Math.min(...SIZES), Math.max(...SIZES)];
    if (smallest !== largest)
      console.log(
        `crewbell CPU per notification at N=${largest} is ${(perNotification(largest) / perNotification(smallest)).toFixed(2)}× that at N=${smallest}`,
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const [role, ...rest] = process.argv.slice(2);
if (role === '--push-service') await pushService(rest[0]!, Number(rest[1] ?? 1));
else if (role === '--sender') await sender(rest[0]!, Number(rest[1]), rest[2]!);
else await coordinator();
