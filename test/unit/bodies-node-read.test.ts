// How bodies.ts reads a body Node serves, seen from a handler on an in-process
// @hono/node-server on 127.0.0.1: a body within its Content-Length limit is read from Node's own
// request (not through the web Request), and a request destroyed mid-body fails bodyText.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import type { Context } from 'hono';
import { serve } from '@hono/node-server';
import { bodyGuard, bodyText, Slots } from '../../src/kit/bodies.ts';
import type { AppEnv } from '../../src/kit/deps.ts';
import { errorHandler } from '../../src/kit/errors.ts';
import { nodeIncoming } from '../../src/kit/request-headers.ts';
import { silentLogger } from '../../src/log.ts';

/** A Node server whose POST / is guarded at limit and answered by handler. */
async function nodeServer(limit: number, handler: (c: Context<AppEnv>) => Promise<Response>) {
  const app = new Hono<AppEnv>();
  app.onError(errorHandler(silentLogger));
  app.use(
    '*',
    bodyGuard(() => limit, new Slots(1, 0)),
  );
  app.post('/', handler);
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return { port, close: () => new Promise((resolve) => server.close(resolve)) };
}

test("under Node, bodyText reads a body within its Content-Length limit from Node's request: the web Request's body stays unused", async () => {
  const server = await nodeServer(100, async (c) => {
    const text = await bodyText(c);
    return c.json({ text, webBodyUsed: c.req.raw.bodyUsed });
  });
  try {
    const res = await fetch(`http://127.0.0.1:${server.port}/`, { method: 'POST', body: 'ahoy' });
    assert.deepEqual(await res.json(), { text: 'ahoy', webBodyUsed: false });
  } finally {
    await server.close();
  }
});

/** A client that sends the headers of a 100-byte upload and only part of its body. */
async function partOfABody(port: number) {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly part');
  return socket;
}

/** bodyText's own 400 for a body that never arrived whole. */
function assertIncompleteBody(outcome: unknown): void {
  assert.ok(outcome instanceof Error, `bodyText settled: ${String(outcome)}`);
  assert.deepEqual(
    { status: (outcome as { status?: number }).status, message: outcome.message },
    { status: 400, message: 'body: the connection closed before the body was complete' },
  );
}

test('under Node, a request destroyed without an error before its body is complete fails bodyText with a 400', async () => {
  let outcome: unknown = 'pending';
  let seen!: () => void;
  const done = new Promise<void>((resolve) => (seen = resolve));
  const server = await nodeServer(1_000, async (c) => {
    const incoming = nodeIncoming(c)!;
    const closed = once(incoming, 'close');
    bodyText(c).then(
      (text) => (outcome = text),
      (err: unknown) => (outcome = err),
    );
    incoming.destroy();
    // bodyText's own close listener ran first; its rejection settles within a turn.
    await closed;
    await new Promise((resolve) => setImmediate(resolve));
    seen();
    return c.text('');
  });
  try {
    const socket = await partOfABody(server.port);
    await done;
    socket.destroy();
    assertIncompleteBody(outcome);
  } finally {
    await server.close();
  }
});

test('under Node, a client that cuts the connection mid-body fails bodyText with the same 400, not as a server error', async () => {
  let outcome: unknown = 'pending';
  let seen!: () => void;
  const done = new Promise<void>((resolve) => (seen = resolve));
  let started!: () => void;
  const reading = new Promise<void>((resolve) => (started = resolve));
  const server = await nodeServer(1_000, async (c) => {
    const text = bodyText(c);
    started();
    try {
      outcome = await text;
    } catch (err) {
      outcome = err;
    }
    seen();
    return c.text('');
  });
  try {
    const socket = await partOfABody(server.port);
    await reading;
    // A phone leaving the marina's Wi-Fi: the connection goes mid-upload.
    socket.resetAndDestroy();
    await done;
    assertIncompleteBody(outcome);
  } finally {
    await server.close();
  }
});
