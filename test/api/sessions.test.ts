// Session lookups on the hot path, through the real app in-process: validating a session
// reads, and writes only when it renews (at most once per renewal interval); a renewal the
// database refuses does not fail the request; the PWA's start-up question never answers 401.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appForFile } from '../helpers/app.ts';
import { assertError } from '../helpers/client.ts';

const crewbell = appForFile();
const DAY = 86_400_000;

/** Rows the app's own database connection has changed since it opened. */
function changesByApp(): number {
  return (crewbell.server.deps.db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
}

test('GET /api/auth/session answers 200 with the user, or null when signed out; /me keeps its 401', async () => {
  const visitor = crewbell.anonymous();
  const signedOut = await visitor.get('/api/auth/session');
  assert.equal(signedOut.status, 200);
  assert.deepEqual(signedOut.body, { user: null });
  assertError(await visitor.get('/api/auth/me'), 401, 'unauthenticated');

  const sailor = crewbell.user('bosun');
  const signedIn = await sailor.client.get('/api/auth/session');
  assert.equal(signedIn.status, 200);
  assert.deepEqual(signedIn.body, { user: { id: sailor.id, username: sailor.username, isAdmin: false } });
  assert.deepEqual((await sailor.client.get('/api/auth/me')).body, signedIn.body);

  // A cookie for a session that has ended is cleared and counts as signed out.
  crewbell.server.query('DELETE FROM sessions WHERE user_id = ?', sailor.id);
  const ended = await sailor.client.get('/api/auth/session');
  assert.deepEqual([ended.status, ended.body], [200, { user: null }]);
  assert.equal(sailor.client.cookies.has('crewbell_session'), false);
});

test('a session in the first half of its life is only read: many requests write nothing', async () => {
  const sailor = crewbell.user('navigator');
  await sailor.client.get('/api/logbooks');
  const before = changesByApp();
  for (let i = 0; i < 20; i++) assert.equal((await sailor.client.get('/api/logbooks')).status, 200);
  assert.equal(changesByApp(), before);
});

test('a session in its second half is renewed by the first request only; the next ones write nothing', async () => {
  const sailor = crewbell.user('helmsman');
  const old = Date.now() + 10 * DAY;
  crewbell.server.query('UPDATE sessions SET expires_at = ? WHERE id = ?', old, sailor.sessionId);
  const before = changesByApp();
  const first = await sailor.client.get('/api/logbooks');
  assert.equal(first.status, 200);
  assert.ok(
    first.headers.getSetCookie().some((c) => c.startsWith('crewbell_session=')),
    'the renewed cookie is sent',
  );
  assert.equal(changesByApp(), before + 1, 'one row written: the new expiry');
  for (let i = 0; i < 10; i++) {
    const res = await sailor.client.get('/api/logbooks');
    assert.equal(res.status, 200);
    assert.equal(res.headers.getSetCookie().length, 0);
  }
  assert.equal(changesByApp(), before + 1);
  const [row] = crewbell.server.query<{ expires_at: number }>(
    'SELECT expires_at FROM sessions WHERE id = ?',
    sailor.sessionId,
  );
  assert.ok(row!.expires_at > old + 19 * DAY);
});

test('when the database refuses writes (a full disk), a session due for renewal still serves reads; the failure is logged once', async () => {
  const sailor = crewbell.user('lookout');
  const old = Date.now() + 10 * DAY;
  crewbell.server.query('UPDATE sessions SET expires_at = ? WHERE id = ?', old, sailor.sessionId);
  const db = crewbell.server.deps.db;
  // SQLite refuses every write on this connection, as it does with SQLITE_FULL on a full card.
  db.exec('PRAGMA query_only = ON');
  try {
    for (let i = 0; i < 3; i++) {
      const res = await sailor.client.get('/api/logbooks');
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { logbooks: [] });
      assert.equal(res.headers.getSetCookie().length, 0, 'no renewed cookie for a renewal that was not stored');
    }
    const me = await sailor.client.get('/api/auth/me');
    assert.equal(me.body.user.id, sailor.id);
  } finally {
    db.exec('PRAGMA query_only = OFF');
  }
  const logged = crewbell.server.logs.filter((line) => line.includes('session renewal not written'));
  assert.equal(logged.length, 1, crewbell.server.output());
  assert.match(logged[0]!, /^\S+ error /);
  const [row] = crewbell.server.query<{ expires_at: number }>(
    'SELECT expires_at FROM sessions WHERE id = ?',
    sailor.sessionId,
  );
  assert.equal(row!.expires_at, old, 'nothing was written');
  // Once writes are taken again, the next request renews.
  const res = await sailor.client.get('/api/logbooks');
  assert.ok(res.headers.getSetCookie().some((c) => c.startsWith('crewbell_session=')));
});
