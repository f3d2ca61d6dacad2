// The fast read of GET /api/logbooks (src/app/fast-reads.ts) answers exactly as the app does:
// two real node:http servers on the same app, one with the fast read and one without, asked
// the same questions. It answers only a session in the first half of its life; every other
// case (no cookie, an unknown, expired or renewing session, a query) is left to the app.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp } from '../helpers/app.ts';
import { crewAboard } from '../helpers/crew.ts';
import { listen, type RunningServer } from '../../src/app/server.ts';
import type { FastRead } from '../../src/app/fast-reads.ts';

const crewbell = startApp({ flags: ['--map-tiles', 'https://tiles.example.org/{z}/{x}/{y}.png'] });
let answered = 0;
const counted: FastRead = (req, res) => {
  const done = crewbell.fast(req, res);
  if (done) answered++;
  return done;
};
const pace = { stallMs: 10_000, totalMs: 60_000 };
const withFast = await listen(
  (req, env) => crewbell.app.fetch(req, env),
  '127.0.0.1',
  0,
  pace,
  () => counted,
);
const appOnly = await listen((req, env) => crewbell.app.fetch(req, env), '127.0.0.1', 0, pace);
after(async () => {
  await withFast.close(0);
  await appOnly.close(0);
  await crewbell.stop();
  crewbell.cleanup();
});

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

async function ask(server: RunningServer, path: string, cookie?: string): Promise<Answer> {
  const res = await fetch(`http://127.0.0.1:${server.port}${path}`, { headers: cookie ? { cookie } : {} });
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (!['date', 'connection', 'keep-alive'].includes(name)) headers[name] = value;
  });
  return { status: res.status, headers, body: await res.text() };
}

/** Asks both servers; asserts the same answer and returns it with whether the fast read gave it. */
async function both(path: string, cookie?: string): Promise<Answer & { fast: boolean }> {
  const before = answered;
  const fast = await ask(withFast, path, cookie);
  const app = await ask(appOnly, path, cookie);
  assert.deepEqual(fast, app, `${path} with ${cookie ?? 'no cookie'}`);
  return { ...fast, fast: answered > before };
}

const cookieOf = (user: { client: { cookies: Map<string, string> } }) =>
  `theme=dark; crewbell_session=${user.client.cookies.get('crewbell_session')}`;

test('a signed-in list is answered by the fast read, with the body and headers the app gives', async () => {
  const { skipper, deckhand, stranger, logbook } = await crewAboard(crewbell);
  const owner = await both('/api/logbooks', cookieOf(skipper));
  assert.equal(owner.fast, true);
  assert.equal(owner.status, 200);
  assert.equal(owner.headers['content-type'], 'application/json');
  assert.match(owner.headers['content-security-policy']!, /img-src 'self' data: blob: https:\/\/tiles\.example\.org/);
  assert.equal(owner.headers['x-frame-options'], 'SAMEORIGIN');
  assert.deepEqual(
    JSON.parse(owner.body).logbooks.map((l: { id: string; role: string }) => [l.id, l.role]),
    [[logbook.id, 'OWNER']],
  );
  const crew = await both('/api/logbooks', cookieOf(deckhand));
  assert.equal(crew.fast, true);
  assert.equal(JSON.parse(crew.body).logbooks[0].role, 'READ');
  const nobody = await both('/api/logbooks', cookieOf(stranger));
  assert.deepEqual([nobody.fast, JSON.parse(nobody.body)], [true, { logbooks: [] }]);
});

test('every other case is left to the app: no cookie, unknown or overlong token, a query, another method', async () => {
  const { skipper } = await crewAboard(crewbell);
  const none = await both('/api/logbooks');
  assert.deepEqual([none.fast, none.status], [false, 401]);
  const unknown = await both('/api/logbooks', 'crewbell_session=nosuchtoken');
  assert.deepEqual([unknown.fast, unknown.status], [false, 401]);
  assert.match(unknown.headers['set-cookie']!, /crewbell_session=;/);
  const overlong = await both('/api/logbooks', `crewbell_session=${'a'.repeat(65)}`);
  assert.deepEqual([overlong.fast, overlong.status], [false, 401]);
  const query = await both('/api/logbooks?x=1', cookieOf(skipper));
  assert.deepEqual([query.fast, query.status], [false, 200]);
  const before = answered;
  const head = await fetch(`http://127.0.0.1:${withFast.port}/api/logbooks`, {
    method: 'HEAD',
    headers: { cookie: cookieOf(skipper) },
  });
  assert.deepEqual([head.status, answered], [200, before], 'HEAD is answered by the app');
});

test('a session due for renewal or expired goes to the app, which renews or clears the cookie', async () => {
  const { skipper, mate } = await crewAboard(crewbell);
  const DAY = 86_400_000;
  crewbell.query('UPDATE sessions SET expires_at = ? WHERE id = ?', Date.now() + 10 * DAY, skipper.sessionId);
  const before = answered;
  const renewing = await ask(withFast, '/api/logbooks', cookieOf(skipper));
  assert.equal(answered, before, 'a renewing session is not answered by the fast read');
  assert.equal(renewing.status, 200);
  assert.match(renewing.headers['set-cookie']!, /crewbell_session=.+; .*Expires=/i);
  const [row] = crewbell.query<{ expires_at: number }>(
    'SELECT expires_at FROM sessions WHERE id = ?',
    skipper.sessionId,
  );
  assert.ok(row!.expires_at > Date.now() + 29 * DAY, 'renewed to a whole new lifetime');
  // Renewed, it is in the first half again: the fast read takes it from here.
  assert.equal((await both('/api/logbooks', cookieOf(skipper))).fast, true);

  crewbell.query('UPDATE sessions SET expires_at = ? WHERE id = ?', Date.now() - 1, mate.sessionId);
  const expired = await both('/api/logbooks', cookieOf(mate));
  assert.deepEqual([expired.fast, expired.status], [false, 401]);
  assert.equal(
    crewbell.query('SELECT 1 FROM sessions WHERE id = ?', mate.sessionId).length,
    0,
    'the expired row is gone',
  );
});
