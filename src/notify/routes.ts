// notify's routes: the caller's notification prefs (/api/push/prefs, the account switch, quiet
// hours, email when push can't) and /api/logbooks/:id/notifications, whether changes by others
// in one logbook notify the caller. Any member may read and set their own switch.
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../kit/deps.ts';
import { requireUser } from '../kit/middleware.ts';
import { jsonBody, parseWith, Uuid } from '../kit/validate.ts';
import { ANY_ROLE, requireRole } from '../logbooks/access.ts';
import { LogbookNotificationsBody, PrefsBody, type LogbookNotifications, type NotifyPrefs } from '../wire/notify.ts';
import { logbookNotificationsEnabled, setLogbookNotifications } from './mutes.ts';
import { notifyPrefs, updateNotifyPrefs } from './prefs.ts';

export function notifyRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db, clock } = deps;
  const app = new Hono<AppEnv>();
  const logbookId = (raw: string | undefined) => parseWith(Uuid, raw, 'id');

  app.get('/push/prefs', (c) => {
    const { user } = requireUser(c);
    return c.json(notifyPrefs(db, user.id) satisfies NotifyPrefs);
  });

  app.put('/push/prefs', async (c) => {
    const { user } = requireUser(c);
    const body = await jsonBody(c, PrefsBody);
    return c.json(updateNotifyPrefs(db, user.id, body, clock.now()) satisfies NotifyPrefs);
  });

  app.get('/logbooks/:id/notifications', (c) => {
    const { user } = requireUser(c);
    const id = logbookId(c.req.param('id'));
    requireRole(db, id, user.id, ANY_ROLE);
    return c.json({ enabled: logbookNotificationsEnabled(db, user.id, id) === true } satisfies LogbookNotifications);
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
