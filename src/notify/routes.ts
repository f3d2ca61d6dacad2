// /api/logbooks/:id/notifications: whether crew changes in one logbook notify the caller.
// Anyone aboard may read and set their own switch; only an owner is ever notified.
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../kit/deps.ts';
import { requireUser } from '../kit/middleware.ts';
import { jsonBody, parseWith, Uuid } from '../kit/validate.ts';
import { ANY_ROLE, requireRole } from '../logbooks/access.ts';
import { LogbookNotificationsBody, type LogbookNotifications } from '../wire/push.ts';
import { logbookNotificationsEnabled, setLogbookNotifications } from './mutes.ts';

export function notifyRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db, clock } = deps;
  const app = new Hono<AppEnv>();
  const logbookId = (raw: string | undefined) => parseWith(Uuid, raw, 'id');

  app.get('/logbooks/:id/notifications', (c) => {
    const { user } = requireUser(c);
    const id = logbookId(c.req.param('id'));
    requireRole(db, id, user.id, ANY_ROLE);
    return c.json({ enabled: logbookNotificationsEnabled(db, user.id, id) } satisfies LogbookNotifications);
  });

  app.put('/logbooks/:id/notifications', async (c) => {
    const { user } = requireUser(c);
    const id = logbookId(c.req.param('id'));
    requireRole(db, id, user.id, ANY_ROLE);
    const body = await jsonBody(c, LogbookNotificationsBody);
    return c.json({
      enabled: setLogbookNotifications(db, user.id, id, body.enabled, clock.now()),
    } satisfies LogbookNotifications);
  });

  return app;
}
