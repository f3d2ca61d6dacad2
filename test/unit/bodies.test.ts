// Request bodies under their limits: the slots for large bodies (a counting semaphore whose
// waiters give up), bodyGuard through app.request(), and bodyText read straight from Node's
// request by an in-process @hono/node-server on 127.0.0.1 (no child process).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import {
  AWAITING_CONTINUE,
  BODY_LIMITS,
  bodyGuard,
  bodyLimitFor,
  bodyText,
  LARGE_BODIES,
  Slots,
} from '../../src/kit/bodies.ts';
import type { AppEnv } from '../../src/kit/deps.ts';
import { errorHandler } from '../../src/kit/errors.ts';
import { silentLogger } from '../../src/log.ts';

test('the hold-back mark of 100 Continue is shared through the global symbol registry', () => {
  assert.equal(AWAITING_CONTINUE, Symbol.for('crewbell.awaitingContinue'));
});

test('the limits: 64 KiB for a small body, 4 MiB for a sync upload; 4 large bodies at once, 32 waiting for 5 s', () => {
  assert.deepEqual(BODY_LIMITS, { small: 65_536, sync: 4 * 1024 * 1024 });
  assert.deepEqual(LARGE_BODIES, { slots: 4, waitMs: 5_000, maxWaiting: 32 });
});

test('slots: free ones are taken at once; a waiter gets the next released one', async () => {
  // Each acquire is another account's: one account holds at most one slot (the next test file's rule).
  const slots = new Slots(2, 5);
  assert.equal(await slots.acquire(1_000, 'a'), true);
  assert.equal(await slots.acquire(1_000, 'b'), true);
  let got: boolean | undefined;
  const waiting = slots.acquire(60_000, 'c').then((g) => (got = g));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(got, undefined, 'no slot free: it waits');
  slots.release('a');
  assert.equal(await waiting, true);
  // The released slot went to the waiter: none is free now, and a release frees one again.
  let third: boolean | undefined;
  const next = slots.acquire(60_000, 'd').then((g) => (third = g));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(third, undefined);
  slots.release('b');
  assert.equal(await next, true);
  slots.release('c');
  assert.equal(await slots.acquire(0, 'e'), true, 'a slot released with no one waiting is free');
});

test('slots: beyond maxWaiting a request is refused at once; a waiter gives up after waitMs and leaves the queue', async () => {
  const slots = new Slots(1, 1);
  assert.equal(await slots.acquire(1_000), true);
  const started = Date.now();
  const first = slots.acquire(30);
  let refused: boolean | undefined;
  slots.acquire(60_000).then((g) => (refused = g));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(refused, false, 'the queue (1) is full: refused without waiting');
  assert.equal(await first, false, 'gave up');
  assert.ok(Date.now() - started < 5_000);
  // The one that gave up is gone: a release frees the slot instead of waking it.
  slots.release();
  assert.equal(await slots.acquire(0), true);
  // And the queue has room again.
  let got: boolean | undefined;
  const again = slots.acquire(60_000).then((g) => (got = g));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(got, undefined);
  slots.release();
  assert.equal(await again, true);
});

test('slots: a waiter woken by a release leaves no timer running', async () => {
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const slots = new Slots(1, 1);
  assert.equal(await slots.acquire(0, 'a'), true);
  const before = timers();
  const waiting = slots.acquire(60_000, 'b');
  assert.equal(timers(), before + 1, 'its wait is a timer');
  slots.release('a');
  assert.equal(await waiting, true);
  assert.equal(timers(), before, 'cleared once it got the slot');
});

/** An app with bodyGuard at a fixed limit that answers with the body it read. */
function guarded(limit: number, slots = new Slots(1, 0), seen: { reads: number } = { reads: 0 }) {
  const app = new Hono<AppEnv>();
  app.onError(errorHandler(silentLogger));
  app.use(
    '*',
    bodyGuard(() => limit, slots),
  );
  app.all('/', async (c) => {
    seen.reads++;
    return c.text(await bodyText(c));
  });
  return app;
}

const code = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

test('bodyGuard refuses a Content-Length above the limit, or not a number, before the handler runs', async () => {
  const seen = { reads: 0 };
  const app = guarded(10, new Slots(1, 0), seen);
  const tooBig = await app.request('/', { method: 'POST', body: 'x'.repeat(11), headers: { 'content-length': '11' } });
  assert.equal(tooBig.status, 413);
  assert.equal(await code(tooBig), 'payload_too_large');
  const nonsense = await app.request('/', { method: 'POST', body: 'x', headers: { 'content-length': '1e1' } });
  assert.equal(nonsense.status, 400);
  assert.match(JSON.stringify(await nonsense.json()), /Content-Length: not a number/);
  assert.equal(seen.reads, 0);
  const fits = await app.request('/', { method: 'POST', body: 'x'.repeat(10), headers: { 'content-length': ' 10 ' } });
  assert.equal(await fits.text(), 'x'.repeat(10));
});

test('bodyGuard cuts a body of unknown length at the limit with a 413', async () => {
  const app = guarded(10);
  const stream = (text: string) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const ch of text) controller.enqueue(new TextEncoder().encode(ch));
        controller.close();
      },
    });
  const init = (text: string) => ({ method: 'POST', body: stream(text), duplex: 'half' }) as RequestInit;
  assert.equal(await (await app.request('/', init('0123456789'))).text(), '0123456789');
  const cut = await app.request('/', init('0123456789A'));
  assert.equal(cut.status, 413);
});

test('bodyGuard lets GET, HEAD and empty bodies through untouched', async () => {
  const app = guarded(10, new Slots(0, 0));
  assert.equal((await app.request('/', { method: 'GET' })).status, 200);
  assert.equal((await app.request('/', { method: 'HEAD' })).status, 200);
  // Not even a Content-Length above the limit is looked at: GET and HEAD bodies are never read.
  for (const method of ['GET', 'HEAD'])
    assert.equal((await app.request('/', { method, headers: { 'content-length': '11' } })).status, 200, method);
  const empty = await app.request('/', { method: 'POST', headers: { 'content-length': '0' } });
  assert.equal(empty.status, 200, 'no slot needed for nothing');
  assert.equal((await app.request('/', { method: 'POST' })).status, 200);
  // Under the 4 MiB limit too: a request without a body needs no slot.
  const large = guarded(BODY_LIMITS.sync, new Slots(0, 0));
  assert.equal((await large.request('/', { method: 'POST' })).status, 200);
  assert.equal((await large.request('/', { method: 'POST', headers: { 'content-length': '0' } })).status, 200);
});

/** A body of unknown length: a stream. */
const streamed = (bytes: Uint8Array) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });

test('with Transfer-Encoding: chunked a Content-Length is not believed: the body is cut at the limit', async () => {
  const app = guarded(10);
  const headers = { 'transfer-encoding': 'chunked', 'content-length': '5' };
  const init = { method: 'POST', body: streamed(new Uint8Array(20)), duplex: 'half', headers };
  assert.equal((await app.request('/', init as RequestInit)).status, 413);
});

test('under a larger limit, a body of unknown length needs a slot', async () => {
  const app = guarded(BODY_LIMITS.sync, new Slots(0, 0));
  const init = { method: 'POST', body: streamed(new TextEncoder().encode('hello')), duplex: 'half' };
  assert.equal((await app.request('/', init as RequestInit)).status, 503);
});

test('a request from a server that passes no Node request, or no way to send Continue, is read all the same', async () => {
  const app = guarded(100);
  const post = (env: object) =>
    app.request('/', { method: 'POST', body: 'ahoy', headers: { 'content-length': '4' } }, env);
  assert.equal(await (await post({})).text(), 'ahoy');
  const unknownLength = { method: 'POST', body: streamed(new TextEncoder().encode('ahoy')), duplex: 'half' };
  assert.equal(await (await app.request('/', unknownLength as RequestInit, {})).text(), 'ahoy');
  assert.equal(await (await post({ incoming: { [AWAITING_CONTINUE]: true } })).text(), 'ahoy');
  assert.equal(await (await post({ incoming: { [AWAITING_CONTINUE]: true }, outgoing: {} })).text(), 'ahoy');
});

test('a large body needs a slot (503 with Retry-After when none frees up); a small one never does', async () => {
  const limit = BODY_LIMITS.sync;
  const slots = new Slots(1, 0);
  const app = guarded(limit, slots);
  const small = 'x'.repeat(BODY_LIMITS.small);
  const large = 'x'.repeat(BODY_LIMITS.small + 1);
  assert.equal(await slots.acquire(0), true, 'the only slot is taken');
  const busy = await app.request('/', {
    method: 'POST',
    body: large,
    headers: { 'content-length': String(large.length) },
  });
  assert.equal(busy.status, 503);
  assert.equal(busy.headers.get('retry-after'), '5');
  assert.deepEqual(await busy.json(), {
    error: { code: 'server_busy', message: 'too many uploads at once; try again in a few seconds' },
  });
  const fine = await app.request('/', {
    method: 'POST',
    body: small,
    headers: { 'content-length': String(small.length) },
  });
  assert.equal((await fine.text()).length, small.length);
  assert.equal(await slots.acquire(0), false, 'the small body gave back no slot it had not taken');
  // A slot is held only while a large body is read, then given back.
  slots.release();
  for (let i = 0; i < 3; i++) {
    const ok = await app.request('/', {
      method: 'POST',
      body: large,
      headers: { 'content-length': String(large.length) },
    });
    assert.equal((await ok.text()).length, large.length);
  }
  assert.equal(await slots.acquire(0), true);
  assert.equal(await slots.acquire(0), false, 'one slot, as before');
});

test('under a 64 KiB limit even a body of unknown length needs no slot', async () => {
  const app = guarded(BODY_LIMITS.small, new Slots(0, 0));
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('hello'));
      controller.close();
    },
  });
  const res = await app.request('/', { method: 'POST', body, duplex: 'half' } as RequestInit);
  assert.equal(await res.text(), 'hello');
});

test('a client waiting for 100 Continue gets it when its body is first read, once', async () => {
  const app = guarded(100);
  let continues = 0;
  const incoming: Record<symbol, unknown> = { [AWAITING_CONTINUE]: true };
  const env = { incoming, outgoing: { writeContinue: () => continues++ } };
  const res = await app.request('/', { method: 'POST', body: 'ahoy', headers: { 'content-length': '4' } }, env);
  assert.equal(await res.text(), 'ahoy');
  assert.equal(continues, 1);
  assert.equal(incoming[AWAITING_CONTINUE], false);
  // Refused by its Content-Length: no Continue, the body is never asked for.
  const refusedEnv = { incoming: { [AWAITING_CONTINUE]: true }, outgoing: { writeContinue: () => continues++ } };
  const big = 'x'.repeat(101);
  const refused = await app.request(
    '/',
    { method: 'POST', body: big, headers: { 'content-length': '101' } },
    refusedEnv,
  );
  assert.equal(refused.status, 413);
  assert.equal(continues, 1);
  // A handler that never reads the body never asks for it.
  const unread = new Hono<AppEnv>();
  unread.use(
    '*',
    bodyGuard(() => 100, new Slots(1, 0)),
  );
  unread.post('/', (c) => c.text('not read'));
  const quietEnv = { incoming: { [AWAITING_CONTINUE]: true }, outgoing: { writeContinue: () => continues++ } };
  const res2 = await unread.request(
    '/',
    { method: 'POST', body: 'ahoy', headers: { 'content-length': '4' } },
    quietEnv,
  );
  assert.equal(await res2.text(), 'not read');
  assert.equal(continues, 1);
});

test('a client waiting for 100 Continue with an empty body (Content-Length: 0) is sent none', async () => {
  let continues = 0;
  const env = { incoming: { [AWAITING_CONTINUE]: true }, outgoing: { writeContinue: () => continues++ } };
  const res = await guarded(100).request('/', { method: 'POST', body: '', headers: { 'content-length': '0' } }, env);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), '');
  assert.equal(continues, 0);
});

test("a large body holds its slot as the signed-in account's: that account finds none while it holds one, another account gets one", async () => {
  const slots = new Slots(2, 0);
  const app = new Hono<AppEnv>();
  app.onError(errorHandler(silentLogger));
  app.use('*', async (c, next) => {
    c.set('user', { id: c.req.header('x-user')!, username: 'sailor', isAdmin: false });
    await next();
  });
  app.use(
    '*',
    bodyGuard(() => BODY_LIMITS.sync, slots),
  );
  app.post('/', async (c) => c.text(await bodyText(c)));
  const large = 'x'.repeat(BODY_LIMITS.small + 1);
  const post = (user: string) =>
    app.request('/', {
      method: 'POST',
      body: large,
      headers: { 'content-length': String(large.length), 'x-user': user },
    });
  assert.equal(await slots.acquire(0, 'anna'), true, "one of anna's uploads holds a slot");
  assert.equal((await post('anna')).status, 503, 'anna waits behind her own (here: none may wait)');
  assert.equal((await (await post('ben')).text()).length, large.length, 'ben gets the other slot');
  assert.equal(await slots.acquire(0, 'ben'), true, "and gives it back: it is free for ben's next");
});

test('bodyLimitFor: 4 MiB only for a signed-in POST /api/sync/push', async () => {
  const limits: number[] = [];
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    if (c.req.header('x-user')) c.set('user', { id: 'u', username: 'anna', isAdmin: false });
    await next();
  });
  app.all('*', (c) => {
    limits.push(bodyLimitFor(c));
    return c.text('');
  });
  await app.request('/api/sync/push', { method: 'POST', headers: { 'x-user': '1' } });
  await app.request('/api/sync/push', { method: 'POST' });
  await app.request('/api/sync/push', { method: 'PUT', headers: { 'x-user': '1' } });
  await app.request('/api/sync/pull', { method: 'POST', headers: { 'x-user': '1' } });
  assert.deepEqual(limits, [BODY_LIMITS.sync, BODY_LIMITS.small, BODY_LIMITS.small, BODY_LIMITS.small]);
});

/** A Node server on 127.0.0.1 with the guarded app; each request's body text (or its error) is recorded. */
async function nodeServer(limit: number) {
  const texts: Array<Promise<string>> = [];
  const app = new Hono<AppEnv>();
  app.onError(errorHandler(silentLogger));
  app.use(
    '*',
    bodyGuard(() => limit, new Slots(1, 0)),
  );
  app.post('/', async (c) => {
    const first = bodyText(c);
    texts.push(first);
    const again = bodyText(c);
    assert.equal(again, first, 'read once; a second call gets the same text');
    return c.text(`${(await first).length}:${await again}`);
  });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  const port = (server.address() as AddressInfo).port;
  return { port, texts, close: () => new Promise((resolve) => server.close(resolve)) };
}

test("under Node, bodyText reads Node's request: chunks joined, UTF-8 decoded with a leading BOM dropped", async () => {
  const server = await nodeServer(1_000);
  try {
    const res = await fetch(`http://127.0.0.1:${server.port}/`, {
      method: 'POST',
      body: '\uFEFFLog: Nordwind 5 Bft ⚓',
    });
    assert.equal(await res.text(), '21:Log: Nordwind 5 Bft ⚓');
    // Sent in two writes: both parts arrive, in order.
    const socket = connect(server.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const reply = new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (d) => (text += d));
      socket.on('end', () => resolve(text));
    });
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 10\r\n\r\nfirst');
    await new Promise((resolve) => setTimeout(resolve, 20));
    socket.write('-half');
    assert.match(await reply, /\r\n\r\n10:first-half$/);
  } finally {
    await server.close();
  }
});

test('under Node, a body of unknown length is still cut at the limit when bodyText reads it', async () => {
  const server = await nodeServer(10);
  try {
    const body = streamed(new TextEncoder().encode('0123456789ABCDEF'));
    const res = await fetch(`http://127.0.0.1:${server.port}/`, {
      method: 'POST',
      body,
      duplex: 'half',
    } as RequestInit);
    assert.equal(res.status, 413);
  } finally {
    await server.close();
  }
});

test('under Node, a connection closed before the body is complete fails bodyText', async () => {
  const server = await nodeServer(1_000);
  try {
    const socket = connect(server.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly part');
    while (server.texts.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    socket.destroy();
    // Node reports it as `aborted` first; a close without that error gets bodyText's own message.
    await assert.rejects(server.texts[0]!, /aborted|the connection closed before the body was complete/);
  } finally {
    await server.close();
  }
});
