// The push transport against in-process HTTP/2, HTTPS and HTTP servers on 127.0.0.1, for
// what push-transport.test.ts leaves out: HTTP/2 by default, the headers a push service
// gets, answers failing or cut off after their status, answer bodies under the 64 KiB cut,
// the connection limit, close(), and no timer left behind by a delivered message.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tempDir, waitFor } from '../helpers/server.ts';
import { makeTestCertificates } from '../helpers/tls.ts';
import { createTransport, type PushRequest, type TransportOptions } from '../../src/push/transport.ts';

let dir: string;
let ca: string;
let h2Origin: string;
let h1Origin: string;
let plainOrigin: string;
/** What each server saw: request headers, how its HTTP/2 streams ended, its open sockets. */
const seen: Record<string, string | string[] | undefined>[] = [];
const h2Ends = new Map<string, number>();
const sockets = { h2: new Set<Socket>(), h1: new Set<Socket>(), plain: new Set<Socket>() };
const connections = { h1: 0, plain: 0 };
/** HTTP/1.1 requests to /hold wait here until `holdUntil` of them wait; later ones are answered at once. */
let held: http.ServerResponse[] = [];
let holdUntil = Infinity;
const closers: Array<() => void> = [];

/** The answers both HTTP/1.1 servers give, by path. */
function respondHttp1(req: http.IncomingMessage, res: http.ServerResponse) {
  seen.push({ ...req.headers, method: req.method, path: req.url });
  req.resume();
  req.on('end', () => {
    if (req.url === '/hold') {
      held.push(res);
      if (held.length < holdUntil) return;
      for (const r of held) r.writeHead(201).end();
      held = [];
      // The ones after them are answered at once.
      holdUntil = 0;
      return;
    }
    if (req.url === '/small') return res.writeHead(201).end(Buffer.alloc(100, 'x'));
    if (req.url === '/exact') return res.writeHead(201).end(Buffer.alloc(64 * 1024, 'x'));
    if (req.url === '/cut') {
      // The status and part of the body, then the connection is gone.
      res.writeHead(201, { 'content-length': '1000' });
      res.write('partial', () => res.socket?.destroy());
      return;
    }
    res.writeHead(201).end();
  });
}

function track(set: Set<Socket>, socket: Socket) {
  set.add(socket);
  socket.on('close', () => set.delete(socket));
}

before(async () => {
  dir = tempDir('crewbell-transport-answers-');
  const certificates = makeTestCertificates(dir);
  ca = certificates.ca;
  // HTTP/2 only: a client speaking HTTP/1.1 to it fails.
  const h2 = http2.createSecureServer({ key: certificates.key, cert: certificates.cert });
  h2.on('secureConnection', (socket) => track(sockets.h2, socket));
  h2.on('stream', (stream, headers) => {
    const path = String(headers[':path']);
    seen.push({ ...headers, method: String(headers[':method']), path });
    stream.on('error', () => {});
    stream.on('close', () => h2Ends.set(path, stream.rstCode));
    stream.resume();
    stream.on('end', () => {
      if (path === '/answer-then-error') {
        // The answer, then the whole connection closed with an error (the client's stream gets an 'error').
        stream.respond({ ':status': 201 }, { endStream: false });
        stream.write('x', () => stream.session?.goaway(http2.constants.NGHTTP2_INTERNAL_ERROR));
        return;
      }
      const size = path === '/exact' ? 64 * 1024 : path === '/small' ? 100 : 0;
      stream.respond({ ':status': 201 }, { endStream: size === 0 });
      // The body, and its end a little later: a client that cancels on the body is seen doing so.
      if (size > 0) stream.write(Buffer.alloc(size, 'x'), () => setTimeout(() => stream.end(), 50));
    });
  });
  await new Promise<void>((r) => h2.listen(0, '127.0.0.1', r));
  h2Origin = `https://127.0.0.1:${(h2.address() as AddressInfo).port}`;
  const h2Sessions = new Set<http2.ServerHttp2Session>();
  h2.on('session', (session) => h2Sessions.add(session));
  closers.push(() => {
    for (const session of h2Sessions) session.destroy();
    h2.close();
  });

  const h1 = https.createServer({ key: certificates.key, cert: certificates.cert }, respondHttp1);
  h1.on('secureConnection', (socket) => {
    connections.h1++;
    track(sockets.h1, socket);
  });
  await new Promise<void>((r) => h1.listen(0, '127.0.0.1', r));
  h1Origin = `https://127.0.0.1:${(h1.address() as AddressInfo).port}`;

  const plain = http.createServer(respondHttp1);
  plain.on('connection', (socket) => {
    connections.plain++;
    track(sockets.plain, socket);
  });
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  plainOrigin = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
  for (const server of [h1, plain])
    closers.push(() => {
      server.closeAllConnections();
      server.close();
    });
});

after(() => {
  for (const close of closers) close();
  rmSync(dir, { recursive: true, force: true });
});

const message = (endpoint: string, extra: Partial<PushRequest> = {}): PushRequest => ({
  endpoint,
  body: Buffer.alloc(64, 1),
  authorization: 'vapid t=a.b.c, k=key',
  ttlSeconds: 60,
  urgency: 'normal',
  ...extra,
});
const options = (extra: Partial<TransportOptions> = {}): TransportOptions => ({
  timeoutMs: 60_000,
  allowInsecure: true,
  ca,
  ...extra,
});

test('HTTP/2 is spoken by default, to a push service that offers only HTTP/2', async () => {
  const transport = createTransport(options());
  try {
    assert.deepEqual(await transport.send(message(`${h2Origin}/ok`)), { kind: 'success', status: 201 });
  } finally {
    transport.close();
  }
});

test('the push service gets the message with its headers, over HTTP/2 and HTTP/1.1', async () => {
  for (const [origin, http2Enabled] of [
    [h2Origin, true],
    [h1Origin, true],
    [plainOrigin, false],
  ] as const) {
    const transport = createTransport(options({ http2: http2Enabled }));
    try {
      seen.length = 0;
      const sent = message(`${origin}/headers?for=device`, {
        ttlSeconds: 2_419_200,
        urgency: 'high',
        topic: 'logbook1',
      });
      assert.deepEqual(await transport.send(sent), { kind: 'success', status: 201 });
      const [headers] = seen;
      assert.deepEqual(
        {
          method: headers!.method,
          path: headers!.path,
          type: headers!['content-type'],
          encoding: headers!['content-encoding'],
          length: headers!['content-length'],
          ttl: headers!.ttl,
          urgency: headers!.urgency,
          authorization: headers!.authorization,
          topic: headers!.topic,
        },
        {
          method: 'POST',
          path: '/headers?for=device',
          type: 'application/octet-stream',
          encoding: 'aes128gcm',
          length: '64',
          ttl: '2419200',
          urgency: 'high',
          authorization: 'vapid t=a.b.c, k=key',
          topic: 'logbook1',
        },
        origin,
      );
    } finally {
      transport.close();
    }
  }
});

test('HTTP/2: an answer whose connection then fails with an error counts by its status', async () => {
  const transport = createTransport(options({ http2: true }));
  try {
    assert.deepEqual(await transport.send(message(`${h2Origin}/answer-then-error`)), { kind: 'success', status: 201 });
  } finally {
    transport.close();
  }
});

test('HTTP/1.1: an answer cut off after its status counts by its status', async () => {
  const transport = createTransport(options({ http2: false }));
  try {
    assert.deepEqual(await transport.send(message(`${plainOrigin}/cut`)), { kind: 'success', status: 201 });
  } finally {
    transport.close();
  }
});

test('an answer body up to 64 KiB is read to its end: the HTTP/2 stream is not cancelled, the HTTP/1.1 connection is kept', async () => {
  const h2Transport = createTransport(options({ http2: true }));
  try {
    for (const path of ['/small', '/exact']) {
      assert.deepEqual(await h2Transport.send(message(`${h2Origin}${path}`)), { kind: 'success', status: 201 });
      await waitFor(() => h2Ends.has(path), `the stream of ${path} to end`);
      assert.equal(h2Ends.get(path), http2.constants.NGHTTP2_NO_ERROR, path);
    }
  } finally {
    h2Transport.close();
  }
  const h1Transport = createTransport(options({ http2: false }));
  try {
    const before = connections.plain;
    for (const path of ['/small', '/exact', '/small'])
      assert.deepEqual(await h1Transport.send(message(`${plainOrigin}${path}`)), { kind: 'success', status: 201 });
    assert.equal(connections.plain - before, 1, 'one connection for the three');
  } finally {
    h1Transport.close();
  }
});

test('at most 64 connections to one push service by default; more messages wait for one', async () => {
  const transport = createTransport(options({ http2: false, timeoutMs: 5_000 }));
  try {
    const before = connections.plain;
    holdUntil = 64;
    const outcomes = await Promise.all(
      Array.from({ length: 70 }, () => transport.send(message(`${plainOrigin}/hold`))),
    );
    assert.equal(outcomes.filter((o) => o.kind === 'success').length, 70);
    assert.equal(connections.plain - before, 64);
  } finally {
    holdUntil = Infinity;
    transport.close();
  }
});

test("close() closes the transport's kept-alive connections: HTTP/2, HTTPS and HTTP", async () => {
  const transport = createTransport(options());
  const plainTransport = createTransport(options({ http2: false }));
  await transport.send(message(`${h2Origin}/ok`));
  await transport.send(message(`${h1Origin}/ok`));
  await plainTransport.send(message(`${plainOrigin}/ok`));
  assert.ok(sockets.h2.size > 0 && sockets.h1.size > 0 && sockets.plain.size > 0);
  transport.close();
  plainTransport.close();
  await waitFor(() => sockets.h2.size + sockets.h1.size + sockets.plain.size === 0, 'every connection closed', 3_000);
});

test('a delivered message leaves no timer behind, over HTTP/2 and HTTP/1.1', async () => {
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  for (const [origin, http2Enabled] of [
    [h2Origin, true],
    [plainOrigin, false],
  ] as const) {
    const transport = createTransport(options({ http2: http2Enabled }));
    try {
      // The first message opens the connection (and its own idle timers).
      await transport.send(message(`${origin}/ok`));
      const before = timers();
      for (let i = 0; i < 3; i++)
        assert.deepEqual(await transport.send(message(`${origin}/ok`)), { kind: 'success', status: 201 });
      assert.equal(timers(), before, origin);
    } finally {
      transport.close();
    }
  }
});
