// The push transport's outcomes, in this process: the answer table (status classes, Retry-After
// as seconds and as a date), then real sends to in-process HTTP/2 and HTTP/1.1 servers on
// 127.0.0.1 (TLS from a throw-away CA made by the openssl CLI): 200 OK, stream resets, cut-off
// answers, keep-alive, timeouts, refused connections, and names that do not resolve.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tempDir } from '../helpers/server.ts';
import { makeTestCertificates } from '../helpers/tls.ts';
import { classifyStatus, createTransport, parseRetryAfter, type SendOutcome } from '../../src/push/transport.ts';
import type { Lookup } from '../../src/push/endpoint-guard.ts';

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);

test('the answer table: 2xx delivered, 404 and 410 gone, 400/403/413 refused (failed), every other answer retried', () => {
  const table: Array<[number, SendOutcome['kind']]> = [
    [200, 'success'],
    [201, 'success'],
    [202, 'success'],
    [299, 'success'],
    [199, 'retry'],
    [300, 'retry'],
    [400, 'failed'],
    [401, 'retry'],
    [403, 'failed'],
    [404, 'gone'],
    [410, 'gone'],
    [413, 'failed'],
    [428, 'retry'],
    [429, 'retry'],
    [499, 'retry'],
    [500, 'retry'],
    [502, 'retry'],
    [503, 'retry'],
  ];
  for (const [status, kind] of table) {
    const outcome = classifyStatus(status, undefined, NOW);
    assert.equal(outcome.kind, kind, String(status));
    assert.equal(outcome.status, status);
  }
  assert.deepEqual(classifyStatus(200, undefined, NOW), { kind: 'success', status: 200 });
  assert.deepEqual(classifyStatus(410, undefined, NOW), { kind: 'gone', status: 410 });
  assert.deepEqual(classifyStatus(403, '120', NOW), {
    kind: 'failed',
    status: 403,
    reason: 'the push service refused the VAPID signature or key (HTTP 403)',
  });
  assert.deepEqual(classifyStatus(503, undefined, NOW), {
    kind: 'retry',
    status: 503,
    reason: 'the push service had trouble (HTTP 503)',
  });
});

test('Retry-After on 429 and 5xx: delta-seconds of any length, an HTTP date, nothing when unreadable', () => {
  assert.deepEqual(classifyStatus(429, '120', NOW), {
    kind: 'retry',
    status: 429,
    reason: 'the push service asks to slow down (HTTP 429)',
    retryAfterMs: 120_000,
  });
  const retry = (value: string | undefined) => {
    const outcome = classifyStatus(503, value, NOW);
    return outcome.kind === 'retry' ? outcome.retryAfterMs : 'not a retry';
  };
  assert.equal(retry('7'), 7_000);
  assert.equal(retry('3600'), 3_600_000);
  assert.equal(retry(' 45 '), 45_000);
  assert.equal(retry('0'), 0);
  assert.equal(retry(new Date(NOW + 90_000).toUTCString()), 90_000);
  assert.equal(retry(new Date(NOW - 90_000).toUTCString()), 0, 'a date in the past: at once');
  assert.equal(retry('soon'), undefined);
  assert.equal(retry(''), undefined);
  assert.equal(retry(undefined), undefined);
  assert.equal(parseRetryAfter('120', NOW), 120_000);
});

// ---- real sends ----

let dir: string;
let ca: string;
let h2Origin: string;
let h1Origin: string;
let plainOrigin: string;
let h1Connections = 0;
const cancelled: string[] = [];
const servers: Array<() => void> = [];

/** What the test services answer, by path. */
function route(path: string): { status: number; headers?: Record<string, string>; endless?: boolean } | 'hang' {
  if (path === '/hang') return 'hang';
  if (path === '/ok') return { status: 200 };
  if (path === '/busy') return { status: 503, headers: { 'retry-after': '120' } };
  if (path === '/chatty') return { status: 201, endless: true };
  return { status: 201 };
}

function respondHttp1(req: http.IncomingMessage, res: http.ServerResponse) {
  req.resume();
  req.on('end', () => {
    const answer = route(req.url!);
    if (answer === 'hang') return;
    res.writeHead(answer.status, answer.headers);
    if (!answer.endless) return res.end();
    res.on('close', () => cancelled.push(`1.1 ${req.url}`));
    const chunk = Buffer.alloc(16 * 1024, 'x');
    const pump = () => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  });
}

before(async () => {
  dir = tempDir('crewbell-transport-');
  const certificates = makeTestCertificates(dir);
  ca = certificates.ca;
  const h2 = http2.createSecureServer({ key: certificates.key, cert: certificates.cert });
  h2.on('stream', (stream, headers) => {
    const path = String(headers[':path']);
    stream.on('error', () => {}); // the reset below is this side's own doing
    // A reset with an error code, and a stream closed without an answer or an error.
    if (path === '/reset') return stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    if (path === '/closed') return stream.close(http2.constants.NGHTTP2_NO_ERROR);
    stream.resume();
    stream.on('end', () => {
      const answer = route(path);
      if (answer === 'hang') return;
      stream.respond({ ':status': answer.status, ...answer.headers }, { endStream: !answer.endless });
      if (!answer.endless) return;
      stream.on('close', () => cancelled.push(`2 ${path} ${stream.rstCode}`));
      const chunk = Buffer.alloc(16 * 1024, 'x');
      const pump = () => {
        while (!stream.destroyed && stream.write(chunk));
        if (!stream.destroyed) stream.once('drain', pump);
      };
      pump();
    });
  });
  await new Promise<void>((r) => h2.listen(0, '127.0.0.1', r));
  h2Origin = `https://127.0.0.1:${(h2.address() as AddressInfo).port}`;
  const sessions = new Set<http2.ServerHttp2Session>();
  h2.on('session', (session) => sessions.add(session));
  servers.push(() => {
    for (const session of sessions) session.destroy();
    h2.close();
  });

  const h1 = https.createServer({ key: certificates.key, cert: certificates.cert }, respondHttp1);
  h1.on('secureConnection', () => h1Connections++);
  await new Promise<void>((r) => h1.listen(0, '127.0.0.1', r));
  h1Origin = `https://127.0.0.1:${(h1.address() as AddressInfo).port}`;
  servers.push(() => {
    h1.closeAllConnections();
    h1.close();
  });

  const plain = http.createServer(respondHttp1);
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  plainOrigin = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
  servers.push(() => {
    plain.closeAllConnections();
    plain.close();
  });
});

after(() => {
  for (const close of servers) close();
  rmSync(dir, { recursive: true, force: true });
});

function send(options: Parameters<typeof createTransport>[0], endpoint: string): Promise<SendOutcome> {
  const transport = createTransport(options);
  return transport
    .send(
      { endpoint, body: Buffer.alloc(64, 1), authorization: 'vapid t=a.b.c, k=key', ttlSeconds: 60, urgency: 'normal' },
      NOW,
    )
    .finally(() => transport.close());
}

const h2Options = () => ({ timeoutMs: 3_000, allowInsecure: true, ca, http2: true });

test('HTTP/2: a 200 OK is delivered, and a 503 carries its Retry-After', async () => {
  assert.deepEqual(await send(h2Options(), `${h2Origin}/ok`), { kind: 'success', status: 200 });
  assert.deepEqual(await send(h2Options(), `${h2Origin}/busy`), {
    kind: 'retry',
    status: 503,
    reason: 'the push service had trouble (HTTP 503)',
    retryAfterMs: 120_000,
  });
});

test('HTTP/2: a stream reset before any answer is retried, never dropped, with the reset in words', async () => {
  // Reset with an error code: the stream's 'error'.
  assert.deepEqual(await send(h2Options(), `${h2Origin}/reset`), {
    kind: 'retry',
    reason: 'HTTP/2 stream or session closed (ERR_HTTP2_STREAM_ERROR)',
  });
  // Closed without an answer and without an error: only its 'close'.
  assert.deepEqual(await send(h2Options(), `${h2Origin}/closed`), {
    kind: 'retry',
    reason: 'HTTP/2 stream reset (code 0)',
  });
});

// An endless answer is read only until the cut: the send timeout (a minute) never comes into it.
test('an answer body past 64 KiB is cut off (the service sees its stream cancelled); the status stands', {
  timeout: 10_000,
}, async () => {
  const patient = { timeoutMs: 60_000, allowInsecure: true, ca };
  assert.deepEqual(await send({ ...patient, http2: true }, `${h2Origin}/chatty`), { kind: 'success', status: 201 });
  assert.deepEqual(await send({ ...patient, http2: false }, `${h1Origin}/chatty`), {
    kind: 'success',
    status: 201,
  });
  while (cancelled.length < 2) await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(cancelled.sort(), ['1.1 /chatty', `2 /chatty ${http2.constants.NGHTTP2_CANCEL}`]);
});

test('an HTTP/1.1-only service gets HTTP/1.1 over one kept-alive connection', async () => {
  const transport = createTransport(h2Options());
  try {
    const before = h1Connections;
    const message = {
      body: Buffer.alloc(64, 1),
      authorization: 'vapid t=a.b.c, k=key',
      ttlSeconds: 60,
      urgency: 'normal' as const,
    };
    for (const path of ['/a', '/b', '/c']) {
      assert.deepEqual(await transport.send({ ...message, endpoint: `${h1Origin}${path}` }, NOW), {
        kind: 'success',
        status: 201,
      });
    }
    assert.equal(h1Connections - before, 1, 'one connection for three messages');
  } finally {
    transport.close();
  }
});

test('a service that never answers times out into a retry, over HTTP/2 and HTTP/1.1', async () => {
  for (const http2Enabled of [true, false]) {
    const outcome = await send(
      { timeoutMs: 150, allowInsecure: true, ca, http2: http2Enabled },
      `${http2Enabled ? h2Origin : h1Origin}/hang`,
    );
    assert.deepEqual(outcome, { kind: 'retry', reason: 'timed out' }, `http2: ${http2Enabled}`);
  }
  assert.deepEqual(await send({ timeoutMs: 150, allowInsecure: true }, `${plainOrigin}/hang`), {
    kind: 'retry',
    reason: 'timed out',
  });
});

test('a refused connection is retried, naming the error', async () => {
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  assert.deepEqual(await send({ timeoutMs: 2_000, allowInsecure: true }, `http://127.0.0.1:${port}/x`), {
    kind: 'retry',
    reason: 'the push service refused the connection',
  });
});

/** A stand-in DNS for the guarded lookup. */
const dns =
  (answer: 'ENOTFOUND' | string): Lookup =>
  (hostname, _options, callback) => {
    if (answer !== 'ENOTFOUND') return callback(null, [{ address: answer, family: 4 }]);
    const err = new Error(`getaddrinfo ENOTFOUND ${hostname}`) as NodeJS.ErrnoException;
    err.code = 'ENOTFOUND';
    callback(err, []);
  };

test('a push host whose name does not resolve is retried later, over HTTP/2 and HTTP/1.1', async () => {
  for (const http2Enabled of [true, false]) {
    const outcome = await send(
      { timeoutMs: 2_000, allowInsecure: false, http2: http2Enabled, resolve: dns('ENOTFOUND') },
      'https://push.example.net/x',
    );
    assert.deepEqual(
      outcome,
      { kind: 'retry', reason: 'the push service host was not found — is DNS working?' },
      `http2: ${http2Enabled}`,
    );
  }
});

test('a push host that resolves to a private address is not contacted, and tried again later (a captive portal passes)', async () => {
  for (const http2Enabled of [true, false]) {
    assert.deepEqual(
      await send(
        { timeoutMs: 2_000, allowInsecure: false, http2: http2Enabled, resolve: dns('127.0.0.1') },
        'https://push.example.net/x',
      ),
      {
        kind: 'retry',
        reason: 'the push service name resolved to a private address — a captive portal or a local DNS?',
      },
    );
  }
});

test('the endpoint is checked again at send time: http:, IP literals, private hosts and non-URLs fail unsent', async () => {
  const options = { timeoutMs: 2_000, allowInsecure: false, resolve: dns('ENOTFOUND') };
  const failed = async (endpoint: string) => {
    const outcome = await send(options, endpoint);
    assert.equal(outcome.kind, 'failed', `${endpoint}: ${JSON.stringify(outcome)}`);
    return (outcome as { reason: string }).reason;
  };
  assert.match(await failed(`${plainOrigin}/x`), /^endpoint must be an https: URL/);
  assert.match(await failed('https://127.0.0.1/x'), /^endpoint must point to a public address/);
  assert.match(await failed('https://[::1]/x'), /^endpoint must point to a public address/);
  assert.match(await failed('https://push.localhost/x'), /^endpoint must point to a public host/);
  assert.equal(await failed('not a url'), 'endpoint must be a URL');
  // With --push-allow-insecure the same http: endpoint is sent to.
  assert.deepEqual(await send({ timeoutMs: 2_000, allowInsecure: true }, `${plainOrigin}/ok`), {
    kind: 'success',
    status: 200,
  });
});
