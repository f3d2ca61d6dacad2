// Session rows on an in-memory SQLite database, to the millisecond: 30 days of life, renewed
// once in the second half, gone at expiry; signing out one session, or all but one; the
// hourly clean-up; and the re-verification mark.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase, type Db } from '../../src/db.ts';
import {
  createSession,
  currentSessionUser,
  deleteExpiredSessions,
  invalidateSession,
  invalidateUserSessions,
  markReverified,
  validateSessionToken,
} from '../../src/auth/sessions.ts';
import { tokenHash } from '../../src/tokens.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 5, 1);

function world(): { db: Db; addUser: (name: string, admin?: boolean) => string } {
  const db = openDatabase(':memory:');
  let n = 0;
  const addUser = (name: string, admin = false) => {
    const id = `user-${++n}`;
    db.prepare('INSERT INTO users (id, username, is_admin, created_at) VALUES (?, ?, ?, 0)').run(
      id,
      name,
      admin ? 1 : 0,
    );
    return id;
  };
  return { db, addUser };
}

const rows = (db: Db) =>
  (db.prepare('SELECT id, user_id, expires_at, reverified_at FROM sessions ORDER BY expires_at').all() as any[]).map(
    (r) => ({ ...r }),
  );

test('a new session keeps only the hash of its token, lives 30 days and counts as re-verified now', () => {
  const { db, addUser } = world();
  const anna = addUser('anna');
  const session = createSession(db, 'token-a', anna, T0);
  assert.deepEqual(session, { id: tokenHash('token-a'), userId: anna, expiresAt: T0 + 30 * DAY, reverifiedAt: T0 });
  assert.deepEqual(rows(db), [
    { id: tokenHash('token-a'), user_id: anna, expires_at: T0 + 30 * DAY, reverified_at: T0 },
  ]);
});

test('validation: the user and session of a token; unknown tokens and expired sessions are nobody', () => {
  const { db, addUser } = world();
  const admin = addUser('harbourmaster', true);
  const anna = addUser('anna');
  createSession(db, 'token-h', admin, T0);
  createSession(db, 'token-a', anna, T0);
  const valid = validateSessionToken(db, 'token-h', T0 + DAY);
  assert.deepEqual(valid, {
    session: { id: tokenHash('token-h'), userId: admin, expiresAt: T0 + 30 * DAY, reverifiedAt: T0 },
    user: { id: admin, username: 'harbourmaster', isAdmin: true },
    renewed: false,
  });
  assert.equal(validateSessionToken(db, 'token-a', T0 + DAY)?.user.isAdmin, false);
  assert.equal(validateSessionToken(db, 'no such token', T0), null);
  // The last millisecond is still valid; at the expiry the session is gone, row and all.
  assert.equal(validateSessionToken(db, 'token-a', T0 + 30 * DAY - 1)?.renewed, true);
  const expiresAt = rows(db).find((r) => r.user_id === anna)!.expires_at;
  assert.equal(validateSessionToken(db, 'token-a', expiresAt), null);
  assert.deepEqual(
    rows(db).map((r) => r.user_id),
    [admin],
  );
});

test('renewal: not before the second half of its life, then a whole new lifetime, written once', () => {
  const { db, addUser } = world();
  const anna = addUser('anna');
  createSession(db, 'token-a', anna, T0);
  const firstHalf = validateSessionToken(db, 'token-a', T0 + 15 * DAY - 1)!;
  assert.equal(firstHalf.renewed, false);
  assert.equal(rows(db)[0].expires_at, T0 + 30 * DAY);
  const renewedAt = T0 + 15 * DAY;
  const renewed = validateSessionToken(db, 'token-a', renewedAt)!;
  assert.equal(renewed.renewed, true);
  assert.equal(renewed.session.expiresAt, renewedAt + 30 * DAY);
  assert.equal(renewed.renewalError, undefined);
  assert.equal(rows(db)[0].expires_at, renewedAt + 30 * DAY);
  assert.equal(validateSessionToken(db, 'token-a', renewedAt + DAY)!.renewed, false);
});

test('a renewal the database refuses leaves the session valid, unrenewed, with the error', () => {
  const { db, addUser } = world();
  const anna = addUser('anna');
  createSession(db, 'token-a', anna, T0);
  db.exec(
    "CREATE TRIGGER no_renewal BEFORE UPDATE ON sessions BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END",
  );
  const result = validateSessionToken(db, 'token-a', T0 + 20 * DAY)!;
  assert.equal(result.renewed, false);
  assert.equal(result.session.expiresAt, T0 + 30 * DAY);
  assert.match(String(result.renewalError), /disk is full/);
});

test('signing out: one session, or every session of a user but the one kept', () => {
  const { db, addUser } = world();
  const anna = addUser('anna');
  const ben = addUser('ben');
  for (const [token, user, at] of [
    ['a1', anna, T0],
    ['a2', anna, T0 + 1],
    ['a3', anna, T0 + 2],
    ['b1', ben, T0 + 3],
  ] as const)
    createSession(db, token, user, at);
  invalidateSession(db, tokenHash('a1'));
  assert.equal(validateSessionToken(db, 'a1', T0 + 10), null);
  assert.equal(invalidateUserSessions(db, anna, tokenHash('a3')), 1);
  assert.deepEqual(
    rows(db).map((r) => r.id),
    [tokenHash('a3'), tokenHash('b1')],
  );
  assert.equal(invalidateUserSessions(db, anna), 1, 'without one to keep, all go');
  assert.deepEqual(
    rows(db).map((r) => r.id),
    [tokenHash('b1')],
  );
});

test('re-verification is marked on its session only', () => {
  const { db, addUser } = world();
  const anna = addUser('anna');
  createSession(db, 'a1', anna, T0);
  createSession(db, 'a2', anna, T0);
  markReverified(db, tokenHash('a2'), T0 + 5 * DAY);
  assert.equal(validateSessionToken(db, 'a1', T0 + DAY)!.session.reverifiedAt, T0);
  assert.equal(validateSessionToken(db, 'a2', T0 + DAY)!.session.reverifiedAt, T0 + 5 * DAY);
});

test('the clean-up deletes the sessions expired by now, at their expiry to the millisecond, and counts them', () => {
  const { db, addUser } = world();
  const anna = addUser('anna');
  createSession(db, 'old', anna, T0);
  createSession(db, 'new', anna, T0 + 1);
  assert.equal(deleteExpiredSessions(db, T0 + 30 * DAY - 1), 0);
  assert.equal(deleteExpiredSessions(db, T0 + 30 * DAY), 1);
  assert.deepEqual(
    rows(db).map((r) => r.id),
    [tokenHash('new')],
  );
});

test('an expired session whose row the database refuses to delete is nobody all the same', () => {
  const { db, addUser } = world();
  const anna = addUser('anna');
  createSession(db, 'a1', anna, T0);
  db.exec(
    "CREATE TRIGGER no_delete BEFORE DELETE ON sessions BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END",
  );
  assert.equal(validateSessionToken(db, 'a1', T0 + 30 * DAY), null);
  assert.equal(rows(db).length, 1, 'left for the clean-up');
});

test('the read-only look (the fast read): the user in the first half of the life only, and nothing written', () => {
  const { db, addUser } = world();
  const anna = addUser('anna');
  createSession(db, 'token-a', anna, T0);
  const before = rows(db);
  assert.equal(currentSessionUser(db, 'token-a', T0), anna);
  assert.equal(currentSessionUser(db, 'token-a', T0 + 15 * DAY - 1), anna, 'the last millisecond of the first half');
  assert.equal(currentSessionUser(db, 'token-a', T0 + 15 * DAY), undefined, 'due for renewal: the app decides');
  assert.equal(currentSessionUser(db, 'token-a', T0 + 30 * DAY), undefined, 'expired');
  assert.equal(currentSessionUser(db, 'no such token', T0), undefined);
  assert.deepEqual(rows(db), before, 'nothing renewed, nothing deleted');
});
