// Logbooks and their crew. The owner lives in logbooks.owner_id and is never a crew row;
// crew are logbook_members rows with WRITE or READ. Everyone's access to a logbook is
// decided by roleIn(), which both the logbook and the sync routes use.
import { prepared, type Db } from '../db.ts';
import type { CrewRole } from './invites.ts';

export type Role = 'OWNER' | CrewRole;

export interface Logbook {
  id: string;
  ownerId: string;
  /** base64url ciphertext made in the browser (title and such); opaque here. */
  meta: string;
  createdAt: number;
}

export interface LogbookForUser extends Logbook {
  role: Role;
}

export interface CrewMember {
  userId: string;
  username: string;
  role: Role;
}

interface LogbookRow {
  id: string;
  owner_id: string;
  meta: string;
  created_at: number;
}

function toLogbook(row: LogbookRow): Logbook {
  return { id: row.id, ownerId: row.owner_id, meta: row.meta, createdAt: row.created_at };
}

export function findLogbook(db: Db, logbookId: string): Logbook | undefined {
  const row = prepared(db, 'SELECT id, owner_id, meta, created_at FROM logbooks WHERE id = ?').get(logbookId) as
    | LogbookRow
    | undefined;
  return row && toLogbook(row);
}

/** Creates a logbook owned by ownerId; undefined when the id is taken (by anyone). */
export function createLogbook(
  db: Db,
  input: { id: string; ownerId: string; meta: string },
  now: number,
): Logbook | undefined {
  const inserted = prepared(
    db,
    'INSERT INTO logbooks (id, owner_id, meta, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
  ).run(input.id, input.ownerId, input.meta, now);
  if (Number(inserted.changes) !== 1) return undefined;
  return { id: input.id, ownerId: input.ownerId, meta: input.meta, createdAt: now };
}

/** Every logbook the user owns or is crew of, oldest first. */
export function listLogbooksFor(db: Db, userId: string): LogbookForUser[] {
  const rows = prepared(
    db,
    `SELECT id, owner_id, meta, created_at, 'OWNER' AS role FROM logbooks WHERE owner_id = ?
       UNION ALL
       SELECT l.id, l.owner_id, l.meta, l.created_at, m.role FROM logbook_members m
         JOIN logbooks l ON l.id = m.logbook_id
        WHERE m.user_id = ? AND l.owner_id <> m.user_id
       ORDER BY created_at, id`,
  ).all(userId, userId) as unknown as (LogbookRow & { role: Role })[];
  return rows.map((row) => ({ ...toLogbook(row), role: row.role }));
}

export interface Access {
  logbook: Logbook;
  /** The user's role, or undefined for someone with no place aboard. */
  role: Role | undefined;
}

/** The logbook and the user's role in it; undefined when there is no such logbook. */
export function roleIn(db: Db, logbookId: string, userId: string): Access | undefined {
  const row = prepared(
    db,
    `SELECT l.id, l.owner_id, l.meta, l.created_at, m.role AS member_role
         FROM logbooks l LEFT JOIN logbook_members m ON m.logbook_id = l.id AND m.user_id = ?
        WHERE l.id = ?`,
  ).get(userId, logbookId) as (LogbookRow & { member_role: CrewRole | null }) | undefined;
  if (!row) return undefined;
  const role: Role | undefined = row.owner_id === userId ? 'OWNER' : (row.member_role ?? undefined);
  return { logbook: toLogbook(row), role };
}

/** Deletes the logbook; its crew, invites, entries and pending notifications go with it (FK cascade). */
export function deleteLogbook(db: Db, logbookId: string): boolean {
  return Number(prepared(db, 'DELETE FROM logbooks WHERE id = ?').run(logbookId).changes) === 1;
}

/** The owner first, then the crew in the order they joined. */
export function listCrew(db: Db, logbookId: string): CrewMember[] {
  const rows = prepared(
    db,
    `SELECT u.id AS user_id, u.username, 'OWNER' AS role, 0 AS o, 0 AS joined_at
         FROM logbooks l JOIN users u ON u.id = l.owner_id WHERE l.id = ?
       UNION ALL
       SELECT u.id, u.username, m.role, 1, m.joined_at
         FROM logbook_members m JOIN users u ON u.id = m.user_id
         JOIN logbooks l ON l.id = m.logbook_id
        WHERE m.logbook_id = ? AND m.user_id <> l.owner_id
       ORDER BY o, joined_at, username`,
  ).all(logbookId, logbookId) as { user_id: string; username: string; role: Role }[];
  return rows.map((row) => ({ userId: row.user_id, username: row.username, role: row.role }));
}

/** Takes a crew member off the logbook; false when they were not crew. */
export function removeCrewMember(db: Db, logbookId: string, userId: string): boolean {
  return (
    Number(
      prepared(db, 'DELETE FROM logbook_members WHERE logbook_id = ? AND user_id = ?').run(logbookId, userId).changes,
    ) === 1
  );
}

/** Gives a crew member another role; undefined when they are not crew. */
export function setCrewRole(db: Db, logbookId: string, userId: string, role: CrewRole): CrewMember | undefined {
  const changed = prepared(db, 'UPDATE logbook_members SET role = ? WHERE logbook_id = ? AND user_id = ?').run(
    role,
    logbookId,
    userId,
  );
  if (Number(changed.changes) !== 1) return undefined;
  const username = usernameOf(db, userId);
  return username === undefined ? undefined : { userId, username, role };
}

export function usernameOf(db: Db, userId: string): string | undefined {
  const row = prepared(db, 'SELECT username FROM users WHERE id = ?').get(userId) as { username: string } | undefined;
  return row?.username;
}

/** When the newest logbook was made (doctor compares the clock with it). */
export function newestLogbookTime(db: Db): number | null {
  return (prepared(db, 'SELECT max(created_at) AS t FROM logbooks').get() as { t: number | null }).t;
}
