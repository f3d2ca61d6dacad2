// /api/logbooks/:id/notifications: whether crew changes in one logbook notify the caller.
// Anyone aboard may read and set their own switch; only an owner is ever notified.
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppDeps, AppEnv } from '../kit/deps.ts';
import { requireUser } from '../kit/middleware.ts';
import { jsonBody, parseWith, Uuid } from '../kit/validate.ts';
import { ANY_ROLE, requireRole } from '../logbooks/access.ts';
import { logbookNotificationsEnabled, setLogbookNotifications } from './mutes.ts';

const NotificationsBody = v.object({ enabled: v.boolean('must be true or false') });

export function notifyRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db, clock } = deps;
  const app = new Hono<AppEnv>();
  const logbookId = (raw: string | undefined) => parseWith(Uuid, raw, 'id');

  app.get('/logbooks/:id/notifications', (c) => {
    const { user } = requireUser(c);
    const id = logbookId(c.req.param('id'));
    requireRole(db, id, user.id, ANY_ROLE);
    return c.json({ enabled: logbookNotificationsEnabled(db, user.id, id) });
  });

  app.put('/logbooks/:id/notifications', async (c) => {
    const { user } = requireUser(c);
    const id = logbookId(c.req.param('id'));
    requireRole(db, id, user.id, ANY_ROLE);
    const body = await jsonBody(c, NotificationsBody);
    return c.json({ enabled: setLogbookNotifications(db, user.id, id, body.enabled, clock.now()) });
  });

  return app;
}
