// HTTP routes for logbooks, crew and crew invites (API.md "Logbooks and crew"), mounted at
// /api. Each route: parse → check the caller's role → call the store → answer.
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../kit/deps.ts';
import { AppError, forbidden, notFound } from '../kit/errors.ts';
import { isoTime, jsonBody, parseWith, Uuid } from '../kit/validate.ts';
import {
  InviteId,
  NewInvite,
  NewLogbook,
  NewRole,
  type InviteAccepted,
  type InviteInfo,
  type InviteMade,
  type LogbookRow,
  type Member,
  type OpenInviteRow,
} from '../wire/logbooks.ts';
import { requireReverified, requireUser } from '../kit/middleware.ts';
import { transaction, type Db } from '../db.ts';
import { ANY_ROLE, requireRole } from './access.ts';
import {
  createLogbook,
  deleteLogbook,
  findLogbook,
  listCrew,
  listLogbooksFor,
  removeCrewMember,
  setCrewRole,
  usernameOf,
  type LogbookForUser,
} from './store.ts';
import { acceptInvite, createInvite, findInvite, listOpenInvites, revokeInvite } from './invites.ts';
import { checkLogbookQuota } from './quota.ts';

/** Invite tokens are 43 base64url characters; anything that cannot be one is simply not found. */
const INVITE_TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

const inviteNotFound = () =>
  new AppError(404, 'invite_not_found', 'this invite does not exist, was already used or has expired');

function logbookJson(logbook: LogbookForUser): LogbookRow {
  return {
    id: logbook.id,
    ownerId: logbook.ownerId,
    role: logbook.role,
    meta: logbook.meta,
    createdAt: isoTime(logbook.createdAt),
  };
}

/** The answer to GET /api/logbooks: the route's, and the fast read's (app/fast-reads.ts). */
export function logbookList(db: Db, userId: string): { logbooks: LogbookRow[] } {
  return { logbooks: listLogbooksFor(db, userId).map(logbookJson) };
}

export function logbookRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db, clock, config } = deps;
  const app = new Hono<AppEnv>();
  const logbookId = (raw: string | undefined) => parseWith(Uuid, raw, 'id');

  app.get('/logbooks', (c) => {
    const { user } = requireUser(c);
    return c.json(logbookList(db, user.id));
  });

  app.post('/logbooks', async (c) => {
    const { user } = requireUser(c);
    const body = await jsonBody(c, NewLogbook);
    const logbook = transaction(db, () => {
      checkLogbookQuota(db, user.id, config.quotas);
      return createLogbook(db, { id: body.id, ownerId: user.id, meta: body.meta }, clock.now());
    });
    if (!logbook) throw new AppError(409, 'logbook_exists', `a logbook with id ${body.id} already exists`);
    return c.json({ logbook: logbookJson({ ...logbook, role: 'OWNER' }) }, 201);
  });

  app.delete('/logbooks/:id', (c) => {
    const { user, session } = requireUser(c);
    const id = logbookId(c.req.param('id'));
    requireRole(db, id, user.id, ['OWNER']);
    requireReverified(session, clock.now(), 'delete the logbook');
    deleteLogbook(db, id);
    return c.body(null, 204);
  });

  app.get('/logbooks/:id/members', (c) => {
    const { user } = requireUser(c);
    const id = logbookId(c.req.param('id'));
    requireRole(db, id, user.id, ANY_ROLE);
    return c.json({ members: listCrew(db, id) satisfies Member[] });
  });

  app.delete('/logbooks/:id/members/:userId', (c) => {
    const { user } = requireUser(c);
    const id = logbookId(c.req.param('id'));
    const memberId = parseWith(Uuid, c.req.param('userId'), 'userId');
    const { logbook, role } = requireRole(db, id, user.id, ANY_ROLE);
    if (memberId === logbook.ownerId) {
      if (role === 'OWNER')
        throw new AppError(409, 'owner_cannot_leave', 'the owner cannot leave their own logbook; delete it instead');
      throw forbidden('only the owner can remove crew, and nobody can remove the owner');
    }
    // Crew may take only themselves off; the owner may take off anyone in the crew.
    if (role !== 'OWNER' && memberId !== user.id) throw forbidden('only the owner can remove other crew');
    if (!removeCrewMember(db, id, memberId)) throw notFound('crew member');
    return c.body(null, 204);
  });

  app.patch('/logbooks/:id/members/:userId', async (c) => {
    const { user } = requireUser(c);
    const id = logbookId(c.req.param('id'));
    const memberId = parseWith(Uuid, c.req.param('userId'), 'userId');
    const { logbook } = requireRole(db, id, user.id, ['OWNER']);
    const body = await jsonBody(c, NewRole);
    if (memberId === logbook.ownerId)
      throw new AppError(409, 'owner_role', 'the owner is always OWNER; their role cannot change');
    const member = setCrewRole(db, id, memberId, body.role);
    if (!member) throw notFound('crew member');
    return c.json(member satisfies Member);
  });

  app.get('/logbooks/:id/invites', (c) => {
    const { user } = requireUser(c);
    const id = logbookId(c.req.param('id'));
    requireRole(db, id, user.id, ['OWNER']);
    const invites = listOpenInvites(db, id, clock.now());
    const rows = invites.map(
      (i): OpenInviteRow => ({
        id: i.id,
        role: i.role,
        createdAt: isoTime(i.createdAt),
        expiresAt: isoTime(i.expiresAt),
      }),
    );
    return c.json({ invites: rows });
  });

  app.delete('/logbooks/:id/invites/:inviteId', (c) => {
    const { user } = requireUser(c);
    const id = logbookId(c.req.param('id'));
    const inviteId = parseWith(InviteId, c.req.param('inviteId'), 'inviteId');
    requireRole(db, id, user.id, ['OWNER']);
    if (!revokeInvite(db, id, inviteId)) throw notFound('open invite');
    return c.body(null, 204);
  });

  app.post('/logbooks/:id/invites', async (c) => {
    const { user } = requireUser(c);
    const id = logbookId(c.req.param('id'));
    requireRole(db, id, user.id, ['OWNER']);
    const body = await jsonBody(c, NewInvite);
    const invite = createInvite(db, { logbookId: id, role: body.role, createdBy: user.id }, clock.now());
    return c.json({ token: invite.token, expiresAt: isoTime(invite.expiresAt) } satisfies InviteMade, 201);
  });

  // No session needed: the join screen shows this before someone has an account.
  app.get('/invites/:token', (c) => {
    const token = c.req.param('token');
    const invite = INVITE_TOKEN.test(token) ? findInvite(db, token, clock.now()) : undefined;
    if (!invite) throw inviteNotFound();
    const logbook = findLogbook(db, invite.logbookId);
    const ownerName = logbook && usernameOf(db, logbook.ownerId);
    if (!ownerName) throw inviteNotFound();
    return c.json({
      logbookId: invite.logbookId,
      role: invite.role,
      ownerName,
      expiresAt: isoTime(invite.expiresAt),
    } satisfies InviteInfo);
  });

  app.post('/invites/:token/accept', (c) => {
    const { user } = requireUser(c);
    const token = c.req.param('token');
    if (!INVITE_TOKEN.test(token)) throw inviteNotFound();
    const result = transaction(db, () => acceptInvite(db, token, user.id, clock.now()));
    if (!result.ok) {
      if (result.reason === 'owner')
        throw new AppError(409, 'already_owner', 'you own this logbook; invites are for crew');
      throw inviteNotFound();
    }
    return c.json({ logbookId: result.logbookId, role: result.role } satisfies InviteAccepted);
  });

  return app;
}
