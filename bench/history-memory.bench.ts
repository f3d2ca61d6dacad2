// Memory while large histories are read (issue 18): one entry given 1,000 versions of 64 KiB
// (17 uploads, within the default quota), then 4 history reads at once, each paging through
// all of it (HISTORY_PAGE_BYTES of payload a page, ≤ 4 MiB). Prints the server's peak RSS during the reads (the
// peak is reset before them through /proc/PID/clear_refs) and /healthz latency meanwhile.
// Target: peak RSS ≤ 128 MB. Not a test; `node bench/history-memory.bench.ts [--binary FILE]`.
import { readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { startServer } from '../test/helpers/server.ts';
import { createUserWithSession } from '../test/helpers/accounts.ts';
import { createLogbook } from '../test/helpers/crew.ts';

const VERSIONS = 1000;
const READERS = 4;
const binary = process.argv.includes('--binary') ? process.argv[process.argv.indexOf('--binary') + 1] : undefined;
const server = await startServer(binary ? { command: [binary] } : {});
const pid = server.process.pid!;
const status = () => readFileSync(`/proc/${pid}/status`, 'utf8');
const kB = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status())?.[1]) * 1024;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
try {
  const skipper = createUserWithSession(server, 'skipper');
  const logbook = await createLogbook(skipper);
  const payload = randomBytes(48 * 1024).toString('base64url');
  let version = 0;
  while (version < VERSIONS) {
    const n = Math.min(60, VERSIONS - version);
    const res = await skipper.client.post('/api/sync/push', {
      items: Array.from({ length: n }, (_, i) => ({
        logbookId: logbook.id,
        entityId: 'bloated',
        action: version + i === 0 ? 'create' : 'update',
        payload,
        ...(version + i === 0 ? {} : { baseVersion: version + i }),
      })),
    });
    if (res.body.results?.at(-1)?.status !== 'success') throw new Error(res.text.slice(0, 300));
    version += n;
  }
  const path = `/api/sync/history?logbookId=${logbook.id}&entityId=bloated`;
  // Settle, then measure from here: the uploads had their own peak.
  await new Promise((r) => setTimeout(r, 1_000));
  const before = kB('VmRSS');
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
  let reading = true;
  const health: number[] = [];
  const probe = (async () => {
    while (reading) {
      const t0 = performance.now();
      await fetch(`${server.url}/healthz`);
      health.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const t0 = performance.now();
  const pages = await Promise.all(
    Array.from({ length: READERS }, async () => {
      let count = 0;
      let versions = 0;
      let before: number | undefined;
      do {
        const res = await skipper.client.get(`${path}${before ? `&before=${before}` : ''}`);
        if (res.status !== 200) throw new Error(res.text.slice(0, 300));
        versions += res.body.versions.length;
        before = res.body.nextBefore;
        count++;
      } while (before);
      if (versions !== VERSIONS) throw new Error(`${versions} versions read`);
      return count;
    }),
  );
  const ms = performance.now() - t0;
  reading = false;
  await probe;
  const peak = kB('VmHWM');
  console.log(`server: ${binary ?? 'node src/main.ts'}`);
  console.log(
    `${READERS} readers at once, each through ${VERSIONS} versions of 64 KiB in ${pages[0]} pages: ${ms.toFixed(0)} ms; ` +
      `RSS before ${mb(before)}, peak during ${mb(peak)} (target ≤ 128 MB); /healthz meanwhile p50 ${[...health].sort((a, b) => a - b)[Math.floor(health.length / 2)]!.toFixed(0)} ms, max ${Math.max(...health).toFixed(0)} ms over ${health.length}`,
  );
} finally {
  await server.stop();
  server.cleanup();
}
