// A slow upload that keeps moving finishes; a stalled body or dripping headers are cut off
// (issue 9). The stall window is set small (CREWBELL_UPLOAD_STALL_TIMEOUT=1s, the env twin
// of --upload-stall-timeout; default 30s) so the story plays in seconds; the rule is the same.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, type TestServer } from '../helpers/server.ts';
import { crewAboard } from '../helpers/crew.ts';
import type { TestUser } from '../helpers/accounts.ts';
import { requestHead } from '../helpers/raw-http.ts';
import { serveConfig, serveFlags, UsageError } from '../../src/config.ts';
import { helpText, parseArgs } from '../../src/cli/args.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Paced {
  status: number;
  text: string;
  sent: number;
  ms: number;
}

/** Sends head, then the body `step` bytes every `paceMs` (stopping after `stopAfter` bytes), then reads. */
function pacedUpload(
  port: number,
  head: string,
  body: Buffer,
  options: { step: number; paceMs: number; stopAfter?: number; headPaceMs?: number },
): Promise<Paced> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    let sent = 0;
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () =>
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text, sent, ms: Date.now() - started }),
    );
    socket.once('connect', async () => {
      if (options.headPaceMs) {
        // A Slowloris: the head one byte at a time.
        for (const byte of Buffer.from(head)) {
          if (socket.destroyed) return;
          socket.write(Buffer.of(byte));
          await sleep(options.headPaceMs);
        }
      } else socket.write(head);
      const end = Math.min(body.length, options.stopAfter ?? body.length);
      while (sent < end && !socket.destroyed) {
        const piece = body.subarray(sent, Math.min(end, sent + options.step));
        socket.write(piece);
        sent += piece.length;
        await sleep(options.paceMs);
      }
      // A stalled client keeps the socket open and says nothing more, until the server drops
      // it (bounded for the test; a pending timer would keep the test process alive).
      if (sent < body.length && !socket.destroyed)
        await new Promise<void>((done) => {
          const bound = setTimeout(done, 30_000);
          socket.once('close', () => {
            clearTimeout(bound);
            done();
          });
        });
      if (!socket.destroyed) socket.end();
    });
  });
}

/** A raw sync upload of `items` as the crew member's phone sends it: the request head and the body. */
function syncUpload(server: TestServer, crew: TestUser, items: object[]): { head: string; body: Buffer } {
  const body = Buffer.from(JSON.stringify({ items }));
  const head = requestHead('POST', '/api/sync/push', {
    Origin: server.origin,
    Cookie: crew.client.cookieHeader(),
    'Content-Type': 'application/json',
    'Content-Length': body.length,
  });
  return { head, body };
}

async function withServer(fn: (server: TestServer) => Promise<void>, env: Record<string, string> = {}): Promise<void> {
  const server = await startServer({ env: { CREWBELL_UPLOAD_STALL_TIMEOUT: '1s', ...env } });
  try {
    await fn(server);
  } finally {
    await server.stop();
    server.cleanup();
  }
}

// Each test has its own server and spends its time waiting out stall windows and paced
// writes, not computing: they wait side by side.
describe('uploads against the clock', { concurrency: true }, () => {
  test('a slow sync upload that keeps moving finishes, long after several stall windows', async () => {
    await withServer(async (server) => {
      const { skipper, logbook } = await crewAboard(server);
      const items = Array.from({ length: 3 }, (_, i) => ({
        logbookId: logbook.id,
        entityId: `slow${i}`,
        action: 'create',
        payload: 'A'.repeat(20_000),
      }));
      const { head, body } = syncUpload(server, skipper, items);
      // ≈ 60 KB at 2 KiB every 200 ms: about 6 s, six stall windows, every window well above 1 KiB.
      const answer = await pacedUpload(server.port, head, body, { step: 2048, paceMs: 200 });
      assert.equal(answer.status, 200, answer.text.slice(0, 300));
      assert.ok(answer.ms > 3_000, `the upload took ${answer.ms} ms`);
      console.log(`# ${body.length} B at 2 KiB / 200 ms: answered ${answer.status} after ${answer.ms} ms`);
      assert.match(answer.text, /"status":"success"/);
      assert.equal(
        server.query('SELECT entity_id FROM entries WHERE logbook_id = ? ORDER BY entity_id', logbook.id).length,
        3,
      );
    });
  });

  test('a body that stalls is dropped after the stall window, and nothing of it is stored', async () => {
    await withServer(async (server) => {
      const { skipper, logbook } = await crewAboard(server);
      const items = [{ logbookId: logbook.id, entityId: 'stalled', action: 'create', payload: 'A'.repeat(40_000) }];
      const { head, body } = syncUpload(server, skipper, items);
      // Moves for a while, then says nothing more: dropped within a few windows, not after a minute.
      const answer = await pacedUpload(server.port, head, body, { step: 2048, paceMs: 200, stopAfter: 8_192 });
      assert.equal(answer.sent, 8_192);
      console.log(`# stalled after 8 KiB: dropped ${answer.ms} ms after connecting (window 1 s)`);
      assert.ok(answer.ms < 15_000, `dropped after ${answer.ms} ms`);
      assert.deepEqual(server.query('SELECT entity_id FROM entries WHERE logbook_id = ?', logbook.id), []);
      // The server still serves.
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    });
  });

  test('a body dripped at less than 1 KiB per window (Slowloris) is dropped too', async () => {
    await withServer(async (server) => {
      const { skipper, logbook } = await crewAboard(server);
      const { head, body } = syncUpload(server, skipper, [
        { logbookId: logbook.id, entityId: 'drip', action: 'create', payload: 'A'.repeat(10_000) },
      ]);
      // 100 bytes every 200 ms: always moving, but ≈ 500 B a second, under the 1 KiB a window.
      const answer = await pacedUpload(server.port, head, body, { step: 100, paceMs: 200 });
      assert.equal(answer.status, 0, answer.text.slice(0, 300));
      assert.ok(answer.sent < body.length, `sent all ${answer.sent} bytes`);
      assert.ok(answer.ms < 15_000, `dropped after ${answer.ms} ms`);
    });
  });

  test('an upload that keeps moving but outlasts --upload-timeout gets 408, and nothing of it is stored', async () => {
    await withServer(
      async (server) => {
        const { skipper, logbook } = await crewAboard(server);
        const { head, body } = syncUpload(server, skipper, [
          { logbookId: logbook.id, entityId: 'endless', action: 'create', payload: 'A'.repeat(60_000) },
        ]);
        // 2 KiB every 200 ms passes every stall window, but 60 KB takes ≈ 6 s: over the 3 s ceiling.
        const answer = await pacedUpload(server.port, head, body, { step: 2048, paceMs: 200 });
        assert.equal(answer.status, 408, answer.text.slice(0, 300));
        assert.ok(answer.sent < body.length, `sent all ${answer.sent} bytes`);
        assert.deepEqual(server.query('SELECT entity_id FROM entries WHERE logbook_id = ?', logbook.id), []);
      },
      { CREWBELL_UPLOAD_TIMEOUT: '3s' },
    );
  });

  test('--upload-stall-timeout and --upload-timeout (and their CREWBELL_ twins) are in --help and reach the config', () => {
    const help = helpText('serve', 'run the server', serveFlags);
    assert.match(help, /--upload-stall-timeout.*30s/);
    assert.match(help, /--upload-timeout.*15m/);
    assert.match(help, /CREWBELL_UPLOAD_STALL_TIMEOUT/);
    const parsed = parseArgs(['--upload-timeout', '20m'], serveFlags, { CREWBELL_UPLOAD_STALL_TIMEOUT: '10s' });
    const config = serveConfig(parsed.values);
    assert.equal(config.uploadStallMs, 10_000);
    assert.equal(config.uploadTimeoutMs, 20 * 60_000);
    assert.throws(() => serveConfig(parseArgs(['--upload-stall-timeout', '0s'], serveFlags, {}).values), UsageError);
  });

  test('headers dripped one byte at a time are cut off within the header time', async () => {
    await withServer(async (server) => {
      const head = requestHead('GET', '/healthz', { 'User-Agent': 'x'.repeat(200) });
      // 250 bytes at one every 100 ms would take 25 s; the header time here is 1 s.
      const answer = await pacedUpload(server.port, head, Buffer.alloc(0), { step: 1, paceMs: 0, headPaceMs: 100 });
      assert.ok(answer.ms < 15_000, `cut after ${answer.ms} ms`);
      console.log(`# headers at one byte / 100 ms: cut after ${answer.ms} ms (header time 1 s)`);
      assert.notEqual(answer.status, 200, answer.text.slice(0, 300));
    });
  });
});
