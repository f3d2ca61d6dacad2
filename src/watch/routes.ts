// /api/logbooks/:id/watches: the watch plan. Every member reads it; the owner sets it, and
// saving writes its reminders (store.ts) and wakes the bell. `serve --watches-off` answers 404.
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../kit/deps.ts';
import { requireUser } from '../kit/middleware.ts';
import { AppError, invalidRequest } from '../kit/errors.ts';
import { jsonBody, parseWith, Uuid } from '../kit/validate.ts';
import { ANY_ROLE, requireRole } from '../logbooks/access.ts';
import { WatchPlanBody, type WatchPlan } from '../wire/watches.ts';
import { membersAboard, readPlan, savePlan } from './store.ts';

export function watchRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db, clock } = deps;
  const app = new Hono<AppEnv>();
  const logbookId = (raw: string | undefined) => parseWith(Uuid, raw, 'id');
  const on = () => {
    if (deps.config.watchesOff) throw new AppError(404, 'watches_off', 'watch plans are turned off on this server');
  };

  app.get('/logbooks/:id/watches', (c) => {
    on();
    const { user } = requireUser(c);
    const id = logbookId(c.req.param('id'));
    requireRole(db, id, user.id, ANY_ROLE);
    return c.json(readPlan(db, id) satisfies WatchPlan);
  });

  app.put('/logbooks/:id/watches', async (c) => {
    on();
    const { user } = requireUser(c);
    const id = logbookId(c.req.param('id'));
    requireRole(db, id, user.id, ['OWNER']);
    const plan = await jsonBody(c, WatchPlanBody);
    const aboard = membersAboard(db, id);
    plan.watches.forEach((w, i) => {
      const stranger = w.members.find((m) => !aboard.has(m));
      if (stranger !== undefined)
        throw invalidRequest(`watches[${i}].members: ${stranger} is not a member of this logbook`);
    });
    const nextDue = savePlan(db, id, plan, clock.now());
    deps.watchBell?.planSaved(nextDue);
    return c.json(readPlan(db, id) satisfies WatchPlan);
  });

  return app;
}
