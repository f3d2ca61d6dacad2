// Backlog benchmark: 100,000 outbox jobs already waiting (quiet hours ending at 07:00, a server
// back after an outage, a broadcast) for 50,000 accounts with two devices each, spread over
// four push-service hosts (four ports of the fan-out bench's HTTPS push service), drained by
// crewbell's worker with serve's settings (32 in flight, half per host, an eighth per account),
// against the same messages sent by crewbell's transport alone from 32 lanes (no database, no
// fairness): drain time, notifications per second and CPU µs per notification. Not a test.
//
//   BENCH_JOBS=100000   jobs in the backlog (two per account)
//   BENCH_ROUNDS=2      rounds; the two contenders take turns going first
import { spawn } from 'node:child_process';
import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTestCertificates } from '../test/helpers/tls.ts';

const self = fileURLToPath(import.meta.url);
const fanout = path.join(path.dirname(self), 'fanout.bench.ts');
const JOBS = Number(process.env.BENCH_JOBS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const IN_FLIGHT = 32;
const HOSTS = 4;
const V8_FLAGS = ['--max-semi-space-size=2'];

interface Device {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}
interface Run {
  impl: string;
  ms: number;
  cpuUs: number;
  ok: number;
  load: number;
}

const payload = JSON.stringify({
  title: 'crewbell',
  body: 'New changes in one of your logbooks.',
  tag: 'logbook-backlog',
  renotify: false,
  data: { url: '/', changeCount: 1 },
});

async function crewbell(devices: Device[]): Promise<Omit<Run, 'impl' | 'load'>> {
  const { openDatabase, transaction } = await import('../src/db.ts');
  const { systemClock } = await import('../src/clock.ts');
  const { silentLogger } = await import('../src/log.ts');
  const { createTransport } = await import('../src/push/transport.ts');
  const { createOutboxWorker } = await import('../src/push/worker.ts');
  const { createVapidSigner } = await import('../src/push/authorization.ts');
  const { freshVapidKeys } = await import('../test/helpers/vapid.ts');
  const dir = mkdtempSync(path.join(tmpdir(), 'crewbell-backlog-'));
  const db = openDatabase(path.join(dir, 'crewbell.db'));
  const signer = createVapidSigner(freshVapidKeys(), 'mailto:bench@example.org', systemClock);
  const now = Date.now();
  const user = db.prepare('INSERT INTO users (id, username, created_at) VALUES (?, ?, 0)');
  const sub = db.prepare(
    "INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, locale, created_at) VALUES (?, ?, ?, ?, ?, 'en', 0)",
  );
  const job = db.prepare(
    "INSERT INTO push_outbox (subscription_id, payload, topic, urgency, attempts, next_attempt_at, created_at) VALUES (?, ?, 'backlog', 'normal', 0, ?, ?)",
  );
  // The backlog as it would be at 07:00: every job written before the worker starts, in order of accounts.
  transaction(db, () => {
    let userId = '';
    devices.forEach((d, i) => {
      if (i % 2 === 0) {
        userId = randomUUID();
        user.run(userId, `sailor${i}`);
      }
      const id = randomUUID();
      sub.run(id, userId, d.endpoint, d.keys.p256dh, d.keys.auth);
      job.run(id, payload, now, now);
    });
  });
  devices.length = 0;
  const transport = createTransport({ timeoutMs: 10_000, allowInsecure: true });
  let ok = 0;
  const worker = createOutboxWorker(
    {
      db,
      clock: systemClock,
      log: silentLogger,
      transport,
      signer: () => signer,
      onRecorded: (_job, outcome) => void (outcome.kind === 'success' && ok++),
    },
    { concurrency: IN_FLIGHT, retries: 3, retryBaseMs: 2_000, ttlSeconds: 86_400 },
  );
  globalThis.gc?.();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  worker.kick();
  const left = db.prepare('SELECT COUNT(*) AS n FROM push_outbox');
  for (;;) {
    await worker.idle();
    if ((left.get() as { n: number }).n === 0) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await worker.stop();
  transport.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return { ms, cpuUs: cpu.user + cpu.system, ok };
}

async function transportAlone(devices: Device[]): Promise<Omit<Run, 'impl' | 'load'>> {
  const { systemClock } = await import('../src/clock.ts');
  const { createTransport } = await import('../src/push/transport.ts');
  const { createVapidSigner } = await import('../src/push/authorization.ts');
  const { sendToDevice } = await import('../src/push/deliver.ts');
  const { freshVapidKeys } = await import('../test/helpers/vapid.ts');
  const signer = createVapidSigner(freshVapidKeys(), 'mailto:bench@example.org', systemClock);
  const transport = createTransport({ timeoutMs: 10_000, allowInsecure: true });
  globalThis.gc?.();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  let ok = 0;
  const lane = async () => {
    while (next < devices.length) {
      const d = devices[next++]!;
      const outcome = await sendToDevice(transport, signer, { endpoint: d.endpoint, ...d.keys }, payload, {
        ttlSeconds: 86_400,
        urgency: 'normal',
        topic: 'backlog',
        now: Date.now(),
      });
      if (outcome.kind === 'success') ok++;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  transport.close();
  return { ms, cpuUs: cpu.user + cpu.system, ok };
}

function child(args: string[], env: Record<string, string> = {}) {
  const proc = spawn(process.execPath, ['--expose-gc', ...V8_FLAGS, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  const output = new Promise<string>((resolve, reject) =>
    proc.once('exit', (code) =>
      code === 0 || code === null ? resolve(out) : reject(new Error(`exited with ${code}`)),
    ),
  );
  return { proc, output };
}

async function coordinator(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'crewbell-backlog-'));
  const loadAtStart = loadavg()[0]!;
  try {
    makeTestCertificates(dir, 'crewbell bench CA');
    const service = child([fanout, '--push-service', dir, String(HOSTS)]);
    const ports = await new Promise<number[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('push service did not start')), 10_000);
      service.proc.stdout!.on('data', (d: Buffer) => {
        const m = /port ([\d,]+)/.exec(String(d));
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!.split(',').map(Number));
        }
      });
    });
    const devices: Device[] = Array.from({ length: JOBS }, (_, i) => {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      return {
        endpoint: `https://127.0.0.1:${ports[i % HOSTS]}/push/device-${i}-${randomBytes(8).toString('base64url')}`,
        keys: { p256dh: ecdh.getPublicKey('base64url'), auth: randomBytes(16).toString('base64url') },
      };
    });
    const file = path.join(dir, 'devices.json');
    writeFileSync(file, JSON.stringify(devices));
    const runs: Run[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const impl of round % 2 ? ['transport', 'crewbell'] : ['crewbell', 'transport']) {
        const run = child([self, '--sender', impl, file], { NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.crt') });
        const r = JSON.parse((await run.output).trim().split('\n').pop()!) as Run;
        if (r.ok !== JOBS) throw new Error(`${impl} delivered ${r.ok} of ${JOBS}`);
        runs.push(r);
        process.stderr.write(`${line(r)}   (round ${round + 1})\n`);
      }
    }
    service.proc.kill('SIGTERM');
    await service.output;
    console.log(
      `backlog of ${JOBS} jobs (${JOBS / 2} accounts × 2 devices, ${HOSTS} push-service hosts), ${IN_FLIGHT} in flight, node ${process.versions.node}`,
    );
    console.log(
      `load average ${loadAtStart.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at the end, on ${availableParallelism()} cores (a shared machine skews the figures)`,
    );
    console.log('impl        drain s   notif/s   CPU µs/notif   load');
    for (const r of runs) console.log(line(r));
    const median = (impl: string, pick: (r: Run) => number) => {
      const v = runs
        .filter((r) => r.impl === impl)
        .map(pick)
        .sort((a, b) => a - b);
      return v.length % 2 ? v[v.length >> 1]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
    };
    console.log(
      `crewbell's drain takes ${(median('crewbell', (r) => r.ms) / median('transport', (r) => r.ms)).toFixed(2)}× the transport's time alone, ` +
        `at ${(median('crewbell', (r) => r.cpuUs) / median('transport', (r) => r.cpuUs)).toFixed(2)}× its CPU (medians of ${ROUNDS} rounds)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const line = (r: Run) =>
  `${r.impl.padEnd(10)} ${(r.ms / 1000).toFixed(1).padStart(8)} ${(JOBS / (r.ms / 1000)).toFixed(0).padStart(9)} ${(r.cpuUs / JOBS).toFixed(0).padStart(14)} ${r.load.toFixed(1).padStart(6)}`;

const [role, impl, file] = process.argv.slice(2);
if (role === '--sender') {
  const devices = JSON.parse(readFileSync(file!, 'utf8')) as Device[];
  const result = impl === 'crewbell' ? await crewbell(devices) : await transportAlone(devices);
  process.stdout.write(`${JSON.stringify({ impl, ...result, load: loadavg()[0] })}\n`);
  process.exit(0);
} else await coordinator();
