// Every route, fuzzed: 10,000 requests of random methods, paths (percent-encoding included),
// headers and JSON bodies of random shape, with and without a session, against one real
// server process. Whatever comes in, the answer is below 500 and the server keeps running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { serverForFile } from '../helpers/suite.ts';
import { crewAboard } from '../helpers/crew.ts';

// --trust-proxy lets the fuzzer play many clients (random X-Forwarded-For hops), so the
// per-address rate limits do not turn most requests into 429s.
const crewbell = serverForFile({ flags: ['--trust-proxy'] });

const BATCH = 20;
const RUNS = 500; // × BATCH = 10,000 requests

/** The contract's routes (API.md), `:x` filled in by the fuzzer. */
const ROUTES = [
  'POST /api/auth/register/options',
  'POST /api/auth/register/verify',
  'POST /api/auth/login/options',
  'POST /api/auth/login/verify',
  'POST /api/auth/logout',
  'GET /api/auth/me',
  'POST /api/auth/passkeys/options',
  'POST /api/auth/passkeys/verify',
  'GET /api/auth/passkeys',
  'DELETE /api/auth/passkeys/:id',
  'POST /api/auth/reauth/options',
  'POST /api/auth/reauth/verify',
  'DELETE /api/auth/account',
  'POST /api/auth/recover',
  'GET /api/logbooks',
  'POST /api/logbooks',
  'DELETE /api/logbooks/:logbook',
  'GET /api/logbooks/:logbook/members',
  'DELETE /api/logbooks/:logbook/members/:user',
  'PATCH /api/logbooks/:logbook/members/:user',
  'POST /api/logbooks/:logbook/invites',
  'GET /api/logbooks/:logbook/invites',
  'DELETE /api/logbooks/:logbook/invites/:id',
  'GET /api/invites/:token',
  'POST /api/invites/:token/accept',
  'GET /api/logbooks/:logbook/notifications',
  'PUT /api/logbooks/:logbook/notifications',
  'POST /api/sync/push',
  'GET /api/sync/pull',
  'GET /api/sync/history',
  'GET /api/push/vapid-public-key',
  'PUT /api/push/subscription',
  'DELETE /api/push/subscription',
  'GET /api/push/subscriptions',
  'GET /api/push/prefs',
  'PUT /api/push/prefs',
  'POST /api/push/test',
  'GET /api/account/email',
  'PUT /api/account/email',
  'DELETE /api/account/email',
  'POST /api/account/email/verify',
  'GET /api/email/unsubscribe',
  'POST /api/email/unsubscribe',
  'GET /api/admin/subscriptions',
  'GET /healthz',
  'GET /metrics',
  'GET /',
  'GET /index.html',
  'GET /sw.js',
  'GET /manifest.webmanifest',
];

interface FuzzRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string | undefined;
  signedIn: boolean;
}

function arbitraries(known: { logbook: string; user: string }) {
  const percent = fc.oneof(
    fc.constantFrom('%', '%E0%A4%A', '%C0', '%ZZ', '%00', '%2F', '%2e%2e', '%FF%FE', '%F0%9F%8C%8A'),
    fc.string({ maxLength: 12 }).map((s) => encodeURIComponent(s)),
  );
  const segment = fc.oneof(
    fc.constantFrom(known.logbook, known.user, randomUUID(), '', '..', '.', 'null', '0', '-1', 'A'.repeat(300)),
    fc.uuid(),
    fc.string({ maxLength: 40 }).map((s) => s.replace(/[/?#]/g, '')),
    percent,
  );
  const routePath = fc
    .tuple(fc.constantFrom(...ROUTES), fc.array(segment, { minLength: 3, maxLength: 3 }))
    .map(([route, fill]) => {
      const [method, template] = route.split(' ') as [string, string];
      let i = 0;
      return { method, path: template.replace(/:[a-z]+/g, () => fill[i++] ?? '') };
    });
  const randomPath = fc
    .array(segment, { maxLength: 5 })
    .map((parts) => ({ method: 'GET', path: `/${parts.join('/')}` }));
  const apiPath = fc
    .array(segment, { maxLength: 4 })
    .map((parts) => ({ method: 'POST', path: `/api/${parts.join('/')}` }));
  const query = fc.oneof(
    fc.constant(''),
    fc.constant(`logbookId=${known.logbook}`),
    fc
      .dictionary(fc.constantFrom('logbookId', 'since', 'entityId', 'limit', 'x'), fc.oneof(segment, percent), {
        maxKeys: 3,
      })
      .map((q) =>
        Object.entries(q)
          .map(([k, v]) => `${k}=${v}`)
          .join('&'),
      ),
  );
  const jsonShape = fc.oneof(
    fc.json({ maxDepth: 3 }),
    fc
      .jsonValue({ maxDepth: 3 })
      .map((v) => JSON.stringify({ items: [v], id: v, meta: v, role: v, enabled: v, endpoint: v, response: v })),
    fc
      .record({
        items: fc.array(
          fc.record(
            {
              logbookId: fc.oneof(fc.constant(known.logbook), fc.uuid(), fc.jsonValue()),
              entityId: fc.oneof(fc.string({ maxLength: 70 }), fc.jsonValue()),
              action: fc.oneof(fc.constantFrom('create', 'update', 'delete'), fc.jsonValue()),
              payload: fc.oneof(
                fc
                  .base64String({ maxLength: 64 })
                  .map((s) => s.replace(/\+/g, '-').replace(/\//g, '_').replace(/=/g, '')),
                fc.jsonValue(),
              ),
              baseVersion: fc.oneof(fc.integer(), fc.double(), fc.jsonValue()),
            },
            { requiredKeys: [] },
          ),
          { maxLength: 5 },
        ),
      })
      .map((b) => JSON.stringify(b)),
    fc.string({ maxLength: 200 }),
    fc.constant('{"items": ['),
    fc.constant(''),
  );
  const headers = fc.record(
    {
      'content-type': fc.constantFrom(
        'application/json',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json; charset=latin1',
        '*/*',
      ),
      'x-forwarded-for': fc.oneof(
        fc.ipV4(),
        fc.ipV6(),
        fc.constant('127.0.0.1, nonsense'),
        fc.string({ maxLength: 30 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
      ),
      'accept-language': fc.constantFrom('de', 'en', '*', 'xx-YY;q=2', ''),
      'accept-encoding': fc.constantFrom('gzip', 'br', 'identity;q=0', '*'),
      authorization: fc.constantFrom('Bearer x', 'Basic Zm9vOmJhcg==', ''),
      range: fc.constantFrom('bytes=0-10', 'bytes=-5', 'bytes=99999999-', 'bytes=a-b'),
      'if-none-match': fc.constantFrom('*', '"x"', 'W/"0"'),
    },
    { requiredKeys: [] },
  );
  const request: fc.Arbitrary<FuzzRequest> = fc
    .record({
      target: fc.oneof(
        { weight: 6, arbitrary: routePath },
        { weight: 1, arbitrary: randomPath },
        { weight: 1, arbitrary: apiPath },
      ),
      otherMethod: fc.option(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'), { freq: 4 }),
      query,
      headers,
      body: fc.option(jsonShape, { freq: 5 }),
      signedIn: fc.boolean(),
      origin: fc.constantFrom('right', 'right', 'right', 'wrong', 'none'),
      cookie: fc.constantFrom('session', 'session', 'none', 'garbage'),
    })
    .map((r) => {
      const method = r.otherMethod ?? r.target.method;
      const h: Record<string, string> = { ...r.headers };
      if (r.origin !== 'none') h.origin = r.origin === 'right' ? crewbell.server.origin : 'https://evil.example';
      if (r.cookie === 'garbage') h.cookie = `crewbell_session=${'z'.repeat(80)}`;
      return {
        method,
        path: r.target.path,
        query: r.query,
        headers: h,
        body: method === 'GET' || method === 'HEAD' ? undefined : (r.body ?? undefined),
        signedIn: r.signedIn && r.cookie === 'session',
      };
    });
  return request;
}

test(`${RUNS * BATCH} fuzzed requests over every route: no answer of 500 or more, and no crash`, {
  timeout: 300_000,
}, async () => {
  const { server } = crewbell;
  const { skipper, logbook, mate } = await crewAboard(server);
  const cookie = skipper.client.cookieHeader();
  const seen = new Map<number, number>();
  let sent = 0;
  const send = async (r: FuzzRequest) => {
    const headers = { ...r.headers, ...(r.signedIn ? { cookie } : {}) };
    const url = `${server.url}${r.path}${r.query ? `?${r.query}` : ''}`;
    let status: number;
    try {
      const res = await fetch(url, { method: r.method, headers, body: r.body });
      await res.arrayBuffer();
      status = res.status;
    } catch (err) {
      // fetch refuses some URLs and headers itself (nothing was sent): not the server's doing.
      if (err instanceof TypeError && !(err as { cause?: unknown }).cause) return;
      throw new Error(
        `${r.method} ${url}: ${(err as Error).message} ${(err as { cause?: Error }).cause?.message ?? ''}`,
      );
    }
    sent++;
    seen.set(status, (seen.get(status) ?? 0) + 1);
    if (status >= 500) throw new Error(`${r.method} ${url} → ${status}`);
  };
  await fc.assert(
    fc.asyncProperty(
      fc.array(arbitraries({ logbook: logbook.id, user: mate.id }), { minLength: BATCH, maxLength: BATCH }),
      async (batch) => {
        await Promise.all(batch.map(send));
      },
    ),
    { numRuns: RUNS, endOnFailure: true },
  );
  const cpu = readFileSync(`/proc/${server.process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const serverCpuS = (Number(cpu[11]) + Number(cpu[12])) / 100;
  console.log(
    `# ${sent} fuzzed requests answered (server CPU ${serverCpuS.toFixed(1)} s, this process ${(process.cpuUsage().user / 1e6).toFixed(1)} s); statuses ${[
      ...seen,
    ]
      .sort((a, b) => a[0] - b[0])
      .map(([s, n]) => `${s}×${n}`)
      .join(' ')}`,
  );
  assert.ok(sent >= RUNS * BATCH * 0.95, `only ${sent} requests reached the server`);
  assert.equal(server.process.exitCode, null, 'the server is still running');
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  assert.doesNotMatch(server.output(), /request failed/, 'no request ended in a logged 500');
});
