// Sessions as the Lucia guide teaches: a random token lives only in the cookie, the database
// keeps its SHA-256; 30 days, extended when used in the second half of its life.
import { prepared, type Db } from '../db.ts';
import { tokenHash } from '../tokens.ts';

export const SESSION_COOKIE = 'crewbell_session';
const SESSION_LIFETIME_MS = 30 * 86_400_000;
const SESSION_RENEW_BEFORE_MS = 15 * 86_400_000;

export interface User {
  id: string;
  username: string;
  isAdmin: boolean;
}

export interface Session {
  id: string;
  userId: string;
  expiresAt: number;
  reverifiedAt: number | null;
}

/** A session made by a passkey ceremony just now: that ceremony counts as its re-verification. */
export function createSession(db: Db, token: string, userId: string, now: number): Session {
  const session: Session = { id: tokenHash(token), userId, expiresAt: now + SESSION_LIFETIME_MS, reverifiedAt: now };
  prepared(db, 'INSERT INTO sessions (id, user_id, expires_at, reverified_at) VALUES (?, ?, ?, ?)').run(
    session.id,
    userId,
    session.expiresAt,
    now,
  );
  return session;
}

interface SessionRow {
  id: string;
  user_id: string;
  expires_at: number;
  reverified_at: number | null;
  username: string;
  is_admin: number;
}

export interface ValidatedSession {
  session: Session;
  user: User;
  /** True when the expiry moved: the cookie must be sent again. */
  renewed: boolean;
  /** The renewal could not be written (a full disk, say); the session is valid all the same. */
  renewalError?: unknown;
}

function sessionRow(db: Db, token: string): SessionRow | undefined {
  return prepared(
    db,
    `SELECT s.id, s.user_id, s.expires_at, s.reverified_at, u.username, u.is_admin
       FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?`,
  ).get(tokenHash(token)) as SessionRow | undefined;
}

function fromRow(row: SessionRow): { session: Session; user: User } {
  return {
    user: { id: row.user_id, username: row.username, isAdmin: row.is_admin === 1 },
    session: { id: row.id, userId: row.user_id, expiresAt: row.expires_at, reverifiedAt: row.reverified_at },
  };
}

/**
 * Reads are the rule: the row is written only when the session enters the second half of
 * its life (then it gets a whole new lifetime, so at most once per 15 days). That write is
 * best effort: a database that refuses writes still serves signed-in reads.
 */
export function validateSessionToken(db: Db, token: string, now: number): ValidatedSession | null {
  const row = sessionRow(db, token);
  if (!row) return null;
  if (now >= row.expires_at) {
    try {
      prepared(db, 'DELETE FROM sessions WHERE id = ?').run(row.id);
    } catch {
      // Refused all the same; the hourly clean-up removes the row later.
    }
    return null;
  }
  const { session, user } = fromRow(row);
  if (now < row.expires_at - SESSION_RENEW_BEFORE_MS) return { session, user, renewed: false };
  const expiresAt = now + SESSION_LIFETIME_MS;
  try {
    prepared(db, 'UPDATE sessions SET expires_at = ? WHERE id = ?').run(expiresAt, row.id);
  } catch (renewalError) {
    return { session, user, renewed: false, renewalError };
  }
  return { session: { ...session, expiresAt }, user, renewed: true };
}

/**
 * The id of the session's user when the session is valid and in the first half of its life,
 * read without writing anything; undefined for every other case (unknown, expired, due for
 * renewal), which validateSessionToken decides. The fast reads (app/fast-reads.ts) answer only on this.
 */
export function currentSessionUser(db: Db, token: string, now: number): string | undefined {
  const row = prepared(db, 'SELECT user_id, expires_at FROM sessions WHERE id = ?').get(tokenHash(token)) as
    | { user_id: string; expires_at: number }
    | undefined;
  return row && now < row.expires_at - SESSION_RENEW_BEFORE_MS ? row.user_id : undefined;
}

export function invalidateSession(db: Db, sessionId: string): void {
  prepared(db, 'DELETE FROM sessions WHERE id = ?').run(sessionId);
}

/** Signs a user out everywhere (but on `keepSessionId`, when given): their session rows go. */
// Stryker disable next-line StringLiteral: the default keeps no session; ids are 64 hex digits, so any other string that is not one keeps none too
export function invalidateUserSessions(db: Db, userId: string, keepSessionId = ''): number {
  return Number(prepared(db, 'DELETE FROM sessions WHERE user_id = ? AND id != ?').run(userId, keepSessionId).changes);
}

export function markReverified(db: Db, sessionId: string, now: number): void {
  prepared(db, 'UPDATE sessions SET reverified_at = ? WHERE id = ?').run(now, sessionId);
}

export function deleteExpiredSessions(db: Db, now: number): number {
  return Number(prepared(db, 'DELETE FROM sessions WHERE expires_at <= ?').run(now).changes);
}
