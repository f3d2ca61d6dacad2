// The server process itself: starts on port 0, answers /healthz, guards, exits 0 on SIGTERM,
// checks /metrics callers by their socket, and refuses to start with the wrong secret key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../helpers/server.ts';
import { Client } from '../helpers/client.ts';
import { randomBytes } from 'node:crypto';

test('serve listens on the real port, answers /healthz and drains on SIGTERM', async () => {
  const server = await startServer();
  try {
    assert.notEqual(server.port, 0);
    const res = await fetch(`${server.url}/healthz`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { ok: boolean; version: string };
    assert.equal(body.ok, true);
    assert.match(body.version, /^\d+\.\d+\.\d+/);
    // The health check answers before every guard; API answers carry the secure headers.
    const api = await fetch(`${server.url}/api/auth/session`);
    assert.equal(api.status, 200);
    assert.equal(api.headers.get('x-content-type-options'), 'nosniff');
    assert.match(api.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  } finally {
    assert.equal(await server.stop(), 0);
    server.cleanup();
  }
});

test('a state-changing request from another origin is refused with 403 csrf', async () => {
  const server = await startServer();
  try {
    const client = new Client(server.url, server.origin);
    const foreign = await client.post('/api/auth/logout', {}, { origin: 'https://evil.example' });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.body.error.code, 'csrf');
    const none = await client.post('/api/auth/logout', {}, { origin: null });
    assert.equal(none.status, 403);
    assert.equal(none.body.error.code, 'csrf');
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('/metrics without a token: loopback clients only, and nobody behind a proxy (--trust-proxy)', async () => {
  const open = await startServer({ flags: ['--trust-proxy'] });
  try {
    // Behind a proxy on the same host every request comes from loopback: only a token counts.
    assert.equal((await fetch(`${open.url}/metrics`)).status, 403);
    const remote = await fetch(`${open.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    assert.equal(remote.status, 403);
  } finally {
    await open.stop();
    open.cleanup();
  }
});

test('a secret key that does not open the stored VAPID key stops serve with a clear message (no key material)', async () => {
  const first = await startServer();
  await first.stop();
  try {
    const wrong = randomBytes(32).toString('base64url');
    await assert.rejects(startServer({ dataDir: first.dataDir, env: { CREWBELL_SECRET_KEY: wrong } }), (err: Error) => {
      assert.match(err.message, /exited with 1/);
      assert.match(err.message, /cannot be opened/);
      assert.ok(!err.message.includes(wrong));
      return true;
    });
  } finally {
    first.cleanup();
  }
});
