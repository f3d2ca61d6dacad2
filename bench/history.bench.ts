// An entry's history with 100 versions (1 KiB of ciphertext each, as a sealed entry with a
// paragraph of notes is) read in one request from a real `crewbell serve`: prints the
// answer's size and the request latency (first, p50, p95 over 200 reads). Not a test.
import { loadavg } from 'node:os';
import { randomBytes } from 'node:crypto';
import { startServer } from '../test/helpers/server.ts';
import { createUserWithSession } from '../test/helpers/accounts.ts';
import { createLogbook } from '../test/helpers/crew.ts';

const VERSIONS = 100;
const READS = 200;
const server = await startServer();
try {
  const skipper = createUserWithSession(server, 'skipper');
  const logbook = await createLogbook(skipper);
  const payload = () => randomBytes(1024).toString('base64url');
  const first = await skipper.client.post('/api/sync/push', {
    items: [{ logbookId: logbook.id, entityId: 'noon', action: 'create', payload: payload() }],
  });
  if (first.body.results[0].status !== 'success') throw new Error(first.text);
  for (let v = 1; v < VERSIONS; v++) {
    const res = await skipper.client.post('/api/sync/push', {
      items: [{ logbookId: logbook.id, entityId: 'noon', action: 'update', payload: payload(), baseVersion: v }],
    });
    if (res.body.results[0].status !== 'success') throw new Error(res.text);
  }
  const path = `/api/sync/history?logbookId=${logbook.id}&entityId=noon`;
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < READS; i++) {
    const t0 = performance.now();
    const res = await skipper.client.get(path);
    times.push(performance.now() - t0);
    if (res.status !== 200 || res.body.versions.length !== VERSIONS)
      throw new Error(`${res.status}: ${res.body?.versions?.length} versions`);
    bytes = res.text.length;
  }
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
  console.log(
    `machine: load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(
    `history of ${VERSIONS} versions in one request: ${(bytes / 1024).toFixed(0)} KiB; first ${times[0]!.toFixed(1)} ms, ` +
      `p50 ${at(0.5)} ms, p95 ${at(0.95)} ms over ${READS} reads`,
  );
} finally {
  await server.stop();
  server.cleanup();
}
