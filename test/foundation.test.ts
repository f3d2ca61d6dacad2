// The server process itself: starts on port 0, answers /healthz, guards, exits 0 on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './helpers/server.ts';
import { Client } from './helpers/client.ts';

test('serve listens on the real port, answers /healthz and drains on SIGTERM', async () => {
  const server = await startServer();
  try {
    assert.notEqual(server.port, 0);
    const res = await fetch(`${server.url}/healthz`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { ok: boolean; version: string };
    assert.equal(body.ok, true);
    assert.match(body.version, /^\d+\.\d+\.\d+/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
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
