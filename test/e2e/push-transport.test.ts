// The transport against local TLS push services: HTTP/2 where the service offers it (one
// connection for many messages), HTTP/1.1 keep-alive where it does not, and the answers
// sorted the same way on both. Certificates from a throw-away CA made with openssl.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tempDir } from '../helpers/server.ts';
import { makeTestCertificates } from '../helpers/tls.ts';
import { createTransport, type Transport } from '../../src/push/transport.ts';

let dir: string;
let ca: string;
let h2Origin: string;
let h1Origin: string;
const seen: { version: string; path: string }[] = [];
let h2Connections = 0;
let h1Connections = 0;
const servers: { close(): void }[] = [];

function answer(pathname: string, respond: (status: number, headers?: Record<string, string>) => void): void {
  if (pathname === '/hang') return;
  if (pathname === '/gone') respond(410);
  else if (pathname === '/busy') respond(429, { 'retry-after': '3' });
  else respond(201);
}

before(async () => {
  dir = tempDir('crewbell-tls-');
  const certificates = makeTestCertificates(dir);
  ca = certificates.ca;
  const tlsOptions = { key: certificates.key, cert: certificates.cert };

  const h2 = http2.createSecureServer({ ...tlsOptions, allowHTTP1: true }, (req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ version: req.httpVersion, path: req.url });
      answer(req.url, (status, headers) => res.writeHead(status, headers).end());
    });
  });
  h2.on('session', () => h2Connections++);
  await new Promise<void>((r) => h2.listen(0, '127.0.0.1', r));
  h2Origin = `https://127.0.0.1:${(h2.address() as AddressInfo).port}`;
  servers.push({ close: () => h2.close() });

  const h1 = https.createServer(tlsOptions, (req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ version: req.httpVersion, path: req.url! });
      answer(req.url!, (status, headers) => res.writeHead(status, headers).end());
    });
  });
  h1.on('secureConnection', () => h1Connections++);
  await new Promise<void>((r) => h1.listen(0, '127.0.0.1', r));
  h1Origin = `https://127.0.0.1:${(h1.address() as AddressInfo).port}`;
  servers.push({
    close: () => {
      h1.closeAllConnections();
      h1.close();
    },
  });
});

after(() => {
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

function send(t: Transport, endpoint: string) {
  return t.send({
    endpoint,
    body: Buffer.alloc(120, 1),
    authorization: 'vapid t=a.b.c, k=key',
    ttlSeconds: 60,
    urgency: 'normal',
    topic: 'logbook1',
  });
}

test('HTTP/2 push service: many messages share one connection; 201, 410 and 429 sorted', async () => {
  const t = createTransport({ timeoutMs: 2_000, allowInsecure: true, ca, http2: true });
  try {
    const before = h2Connections;
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => send(t, `${h2Origin}/push/device-${i}`)));
    assert.ok(
      outcomes.every((o) => o.kind === 'success'),
      JSON.stringify(outcomes),
    );
    assert.equal(h2Connections - before, 1, 'one connection');
    assert.ok(seen.filter((s) => s.path.startsWith('/push/device-')).every((s) => s.version === '2.0'));
    assert.deepEqual(await send(t, `${h2Origin}/gone`), { kind: 'gone', status: 410 });
    assert.deepEqual(await send(t, `${h2Origin}/busy`), {
      kind: 'retry',
      status: 429,
      reason: 'the push service asks to slow down (HTTP 429)',
      retryAfterMs: 3_000,
    });
  } finally {
    t.close();
  }
});

test('HTTP/1.1-only push service: the transport falls back to keep-alive HTTP/1.1', async () => {
  const t = createTransport({ timeoutMs: 2_000, allowInsecure: true, ca, http2: true });
  try {
    const before = h1Connections;
    assert.equal((await send(t, `${h1Origin}/push/a`)).kind, 'success');
    assert.equal((await send(t, `${h1Origin}/push/b`)).kind, 'success');
    assert.deepEqual(
      seen.filter((s) => s.path === '/push/a' || s.path === '/push/b').map((s) => s.version),
      ['1.1', '1.1'],
    );
    assert.equal(h1Connections - before, 1, 'both over one kept-alive connection');
  } finally {
    t.close();
  }
});

test('a push service that never answers times out into a retry, over HTTP/2 and HTTP/1.1', async () => {
  for (const http2Enabled of [true, false]) {
    const t = createTransport({ timeoutMs: 200, allowInsecure: true, ca, http2: http2Enabled });
    try {
      assert.deepEqual(await send(t, `${h2Origin}/hang`), { kind: 'retry', reason: 'timed out' });
    } finally {
      t.close();
    }
  }
});

test('an untrusted certificate is transient (a wrong clock heals), and says so in words', async () => {
  const t = createTransport({ timeoutMs: 2_000, allowInsecure: true, http2: true });
  try {
    const outcome = await send(t, `${h2Origin}/push/x`);
    assert.equal(outcome.kind, 'retry', JSON.stringify(outcome));
    assert.match((outcome as { reason: string }).reason, /^certificate not trusted — is the clock right/);
  } finally {
    t.close();
  }
});
