// Accounts and the admin's links: sign-up (`crewbell user invite`) and recovery (`crewbell
// user recover`, a new passkey for an existing account). Usernames are unique regardless of
// case; a link's token is single use, lasts 7 days (recovery: 24 hours), and only its
// SHA-256 is stored, so a copy of the database cannot be used to sign up.
import { randomUUID } from 'node:crypto';
import * as v from 'valibot';
import { prepared, transaction, type Db } from '../db.ts';
import type { User } from './sessions.ts';
import { newToken, tokenHash } from '../tokens.ts';

const SIGNUP_TOKEN_LIFETIME_MS = 7 * 86_400_000;
const RECOVERY_TOKEN_LIFETIME_MS = 86_400_000;

export const Username = v.pipe(
  v.string('must be a string'),
  v.minLength(3, 'must be at least 3 characters'),
  v.maxLength(32, 'must be at most 32 characters'),
  v.regex(/^[A-Za-z0-9._-]+$/, 'may only contain letters, digits, ".", "_" and "-"'),
);

interface UserRow {
  id: string;
  username: string;
  is_admin: number;
  created_at: number;
}

function toUser(row: UserRow): User {
  return { id: row.id, username: row.username, isAdmin: row.is_admin === 1 };
}

export function findUserByName(db: Db, username: string): User | undefined {
  const row = prepared(db, 'SELECT id, username, is_admin, created_at FROM users WHERE username = ?').get(username) as
    | UserRow
    | undefined;
  return row && toUser(row);
}

export function findUserById(db: Db, id: string): User | undefined {
  const row = prepared(db, 'SELECT id, username, is_admin, created_at FROM users WHERE id = ?').get(id) as
    | UserRow
    | undefined;
  return row && toUser(row);
}

export function usernameTaken(db: Db, username: string): boolean {
  return prepared(db, 'SELECT 1 FROM users WHERE username = ?').get(username) !== undefined;
}

export function createUser(db: Db, user: User, now: number): User {
  prepared(db, 'INSERT INTO users (id, username, is_admin, created_at) VALUES (?, ?, ?, ?)').run(
    user.id,
    user.username,
    user.isAdmin ? 1 : 0,
    now,
  );
  return user;
}

/** Deletes the account; the schema's foreign keys take its passkeys, sessions, logbooks, crew places and devices. */
export function deleteUser(db: Db, id: string): boolean {
  return Number(prepared(db, 'DELETE FROM users WHERE id = ?').run(id).changes) === 1;
}

export interface UserSummary extends User {
  passkeys: number;
  createdAt: number;
}

export function listUsers(db: Db): UserSummary[] {
  const rows = prepared(
    db,
    `SELECT u.id, u.username, u.is_admin, u.created_at,
              (SELECT COUNT(*) FROM passkeys p WHERE p.user_id = u.id) AS passkeys
         FROM users u ORDER BY u.created_at, u.username`,
  ).all() as unknown as Array<UserRow & { passkeys: number }>;
  return rows.map((r) => ({ ...toUser(r), passkeys: Number(r.passkeys), createdAt: r.created_at }));
}

export function newUserId(): string {
  return randomUUID();
}

// ---- admin sign-up tokens ----

export type SignupPurpose = 'signup' | 'recover';

export interface SignupToken {
  tokenHash: string;
  username: string;
  isAdmin: boolean;
  /** 'recover' adds a passkey to the existing account of that name. */
  purpose: SignupPurpose;
  /**
   * The account: for recovery, the one that had the name when the link was made (a link dies
   * with it, and never opens a later account of the same name); for sign-up, once used, the
   * account it made.
   */
  userId: string | null;
  /** serve's first-start link: an admin account with any username, while there is no account. */
  firstStart: boolean;
  expiresAt: number;
}

/** A new sign-up (or recovery) link token for `username`; the caller shows it once, the database keeps its hash. */
export function createSignupToken(
  db: Db,
  username: string,
  isAdmin: boolean,
  now: number,
  purpose: SignupPurpose = 'signup',
): { token: string; expiresAt: number } {
  const token = newToken();
  const expiresAt = now + (purpose === 'recover' ? RECOVERY_TOKEN_LIFETIME_MS : SIGNUP_TOKEN_LIFETIME_MS);
  prepared(
    db,
    `INSERT INTO signup_tokens (token_hash, username, is_admin, created_at, expires_at, used_at, purpose, user_id)
     VALUES (?, ?, ?, ?, ?, NULL, ?, CASE WHEN ? = 'recover' THEN (SELECT id FROM users WHERE username = ?) END)`,
  ).run(tokenHash(token), username, isAdmin ? 1 : 0, now, expiresAt, purpose, purpose, username);
  return { token, expiresAt };
}

/** The unused, unexpired sign-up token with this hash. */
export function findSignupTokenByHash(db: Db, tokenHash: string, now: number): SignupToken | undefined {
  const row = prepared(
    db,
    `SELECT token_hash, username, is_admin, expires_at, used_at, purpose, user_id, first_start,
              EXISTS (SELECT 1 FROM users) AS any_user
         FROM signup_tokens WHERE token_hash = ?`,
  ).get(tokenHash) as
    | {
        token_hash: string;
        username: string;
        is_admin: number;
        expires_at: number;
        used_at: number | null;
        purpose: SignupPurpose;
        user_id: string | null;
        first_start: number;
        any_user: number;
      }
    | undefined;
  if (!row || row.used_at !== null || row.expires_at <= now) return undefined;
  if (row.first_start === 1 && row.any_user === 1) return undefined;
  return {
    tokenHash: row.token_hash,
    username: row.username,
    isAdmin: row.is_admin === 1,
    purpose: row.purpose,
    firstStart: row.first_start === 1,
    expiresAt: row.expires_at,
    userId: row.user_id,
  };
}

/**
 * serve's first-start link while the database has no account: an admin sign-up token for
 * the username its opener picks. The one made by an earlier start dies here; undefined
 * once any account exists.
 */
export function createFirstStartToken(db: Db, now: number): { token: string; expiresAt: number } | undefined {
  return transaction(db, () => {
    prepared(db, 'DELETE FROM signup_tokens WHERE first_start = 1').run();
    if (prepared(db, 'SELECT 1 FROM users LIMIT 1').get()) return undefined;
    const token = newToken();
    const expiresAt = now + SIGNUP_TOKEN_LIFETIME_MS;
    prepared(
      db,
      "INSERT INTO signup_tokens (token_hash, username, is_admin, created_at, expires_at, used_at, purpose, first_start) VALUES (?, '', 1, ?, ?, NULL, 'signup', 1)",
    ).run(tokenHash(token), now, expiresAt);
    return { token, expiresAt };
  });
}

/** No account, and no first-start link that still works: serve makes a new one (cli/first-start.ts). */
export function needsFirstStartLink(db: Db, now: number): boolean {
  return (
    (
      prepared(
        db,
        `SELECT NOT EXISTS (SELECT 1 FROM users) AND NOT EXISTS (
         SELECT 1 FROM signup_tokens WHERE first_start = 1 AND used_at IS NULL AND expires_at > ?) AS needed`,
      ).get(now) as { needed: number }
    ).needed === 1
  );
}

/**
 * Uses the token once for `userId` (the account recovered or made); false when someone used
 * it first or it is bound to another account. Call inside the sign-up transaction.
 */
export function useSignupToken(db: Db, tokenHash: string, userId: string, now: number): boolean {
  const r = prepared(
    db,
    `UPDATE signup_tokens SET used_at = ?, user_id = ?
        WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? AND (user_id = ? OR (user_id IS NULL AND purpose = 'signup'))`,
  ).run(now, userId, tokenHash, now, userId);
  return Number(r.changes) === 1;
}

/** When the newest account was made (doctor compares the clock with it). */
export function newestUserTime(db: Db): number | null {
  return (prepared(db, 'SELECT max(created_at) AS t FROM users').get() as { t: number | null }).t;
}
