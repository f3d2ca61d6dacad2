// Crew invites: single-use, 7-day tokens that add a member to a logbook. Only the token's
// SHA-256 is stored. Auth uses findInvite/acceptInvite when a new person signs up through
// an invite link; the logbook routes use them for signed-in people.
import { randomUUID } from 'node:crypto';
import { prepared, type Db } from '../db.ts';
import { newToken, tokenHash } from '../tokens.ts';

const INVITE_LIFETIME_MS = 7 * 86_400_000;

export type CrewRole = 'WRITE' | 'READ';

export interface Invite {
  tokenHash: string;
  logbookId: string;
  role: CrewRole;
  createdBy: string;
  expiresAt: number;
  usedAt: number | null;
}

export interface NewInvite {
  /** The only copy of the token: it goes into the invite link and is never stored. */
  token: string;
  expiresAt: number;
}

/** A fresh invite: 32 random bytes as base64url (43 characters); only its SHA-256 is kept. */
export function createInvite(
  db: Db,
  input: { logbookId: string; role: CrewRole; createdBy: string },
  now: number,
): NewInvite {
  const token = newToken();
  const expiresAt = now + INVITE_LIFETIME_MS;
  prepared(
    db,
    'INSERT INTO invites (token_hash, id, logbook_id, role, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(tokenHash(token), randomUUID(), input.logbookId, input.role, input.createdBy, now, expiresAt);
  return { token, expiresAt };
}

/** The invite for a token if it exists, is unused and has not expired. */
export function findInvite(db: Db, token: string, now: number): Invite | undefined {
  return findInviteByHash(db, tokenHash(token), now);
}

/** As findInvite, by the token's SHA-256 (sign-up keeps only the hash between its two steps). */
export function findInviteByHash(db: Db, tokenHash: string, now: number): Invite | undefined {
  const row = prepared(
    db,
    'SELECT token_hash, logbook_id, role, created_by, expires_at, used_at FROM invites WHERE token_hash = ?',
  ).get(tokenHash) as
    | {
        token_hash: string;
        logbook_id: string;
        role: CrewRole;
        created_by: string;
        expires_at: number;
        used_at: number | null;
      }
    | undefined;
  if (!row || row.used_at !== null || row.expires_at <= now) return undefined;
  return {
    tokenHash: row.token_hash,
    logbookId: row.logbook_id,
    role: row.role,
    createdBy: row.created_by,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
  };
}

export type AcceptResult = { ok: true; logbookId: string; role: CrewRole } | { ok: false; reason: 'invalid' | 'owner' };

/**
 * Uses the invite once: marks it used and adds the user as crew (a member who is already
 * crew keeps the stronger of the two roles). Call inside a transaction.
 */
export function acceptInvite(db: Db, token: string, userId: string, now: number): AcceptResult {
  return acceptInviteByHash(db, tokenHash(token), userId, now);
}

/** As acceptInvite, by the token's SHA-256. */
export function acceptInviteByHash(db: Db, tokenHash: string, userId: string, now: number): AcceptResult {
  const invite = findInviteByHash(db, tokenHash, now);
  if (!invite) return { ok: false, reason: 'invalid' };
  const owner = prepared(db, 'SELECT owner_id FROM logbooks WHERE id = ?').get(invite.logbookId) as
    | { owner_id: string }
    | undefined;
  if (!owner) return { ok: false, reason: 'invalid' };
  if (owner.owner_id === userId) return { ok: false, reason: 'owner' };
  const used = prepared(db, 'UPDATE invites SET used_at = ?, used_by = ? WHERE token_hash = ? AND used_at IS NULL').run(
    now,
    userId,
    invite.tokenHash,
  );
  if (Number(used.changes) !== 1) return { ok: false, reason: 'invalid' };
  prepared(
    db,
    `INSERT INTO logbook_members (logbook_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (logbook_id, user_id) DO UPDATE SET role = CASE WHEN logbook_members.role = 'WRITE' THEN 'WRITE' ELSE excluded.role END`,
  ).run(invite.logbookId, userId, invite.role, now);
  const member = prepared(db, 'SELECT role FROM logbook_members WHERE logbook_id = ? AND user_id = ?').get(
    invite.logbookId,
    userId,
  ) as { role: CrewRole };
  return { ok: true, logbookId: invite.logbookId, role: member.role };
}

/** An open invite as the owner sees it: never its token (only its hash is kept anyway). */
export interface OpenInvite {
  id: string;
  role: CrewRole;
  createdAt: number;
  expiresAt: number;
}

/** The logbook's invites not yet used and not expired, newest first. */
export function listOpenInvites(db: Db, logbookId: string, now: number): OpenInvite[] {
  const rows = prepared(
    db,
    `SELECT id, role, created_at, expires_at FROM invites
        WHERE logbook_id = ? AND used_at IS NULL AND expires_at > ? ORDER BY created_at DESC, id`,
  ).all(logbookId, now) as { id: string; role: CrewRole; created_at: number; expires_at: number }[];
  return rows.map((r) => ({ id: r.id, role: r.role, createdAt: r.created_at, expiresAt: r.expires_at }));
}

/** Deletes an open invite, so its token is dead at once; false when there is no such open invite. */
export function revokeInvite(db: Db, logbookId: string, inviteId: string): boolean {
  const gone = prepared(db, 'DELETE FROM invites WHERE logbook_id = ? AND id = ? AND used_at IS NULL').run(
    logbookId,
    inviteId,
  );
  return Number(gone.changes) === 1;
}
