// Who may do what aboard a logbook, as HTTP answers: no such logbook is 404 not_found, a
// logbook the user has no (or too small a) place in is 403 forbidden.
import type { Db } from '../db.ts';
import { forbidden, notFound } from '../kit/errors.ts';
import { roleIn, type Access, type Role } from './store.ts';

export const ANY_ROLE: readonly Role[] = ['OWNER', 'WRITE', 'READ'];

export function requireRole(
  db: Db,
  logbookId: string,
  userId: string,
  allowed: readonly Role[],
): Access & { role: Role } {
  const access = roleIn(db, logbookId, userId);
  if (!access) throw notFound('logbook');
  if (!access.role || !allowed.includes(access.role)) {
    throw forbidden(
      access.role
        ? `this needs one of the roles ${allowed.join(', ')}; you are ${access.role}`
        : 'you are not aboard this logbook',
    );
  }
  return { logbook: access.logbook, role: access.role };
}
