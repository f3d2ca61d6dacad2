// /api/admin/push/broadcast: the admin's broadcast from the PWA's settings (the same as
// `crewbell push broadcast`): POST queues it and kicks the worker, GET reads its progress.
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppDeps, AppEnv } from '../kit/deps.ts';
import { AppError, forbidden } from '../kit/errors.ts';
import { requireUser } from '../kit/middleware.ts';
import { isoTime, jsonBody } from '../kit/validate.ts';
import {
  type Broadcast,
  BroadcastRefused,
  broadcastMessage,
  latestBroadcast,
  MAX_BROADCAST_BODY,
  MAX_BROADCAST_TITLE,
  startBroadcast,
} from './broadcast.ts';
import type { BroadcastInfo } from '../wire/broadcast.ts';

const text = (max: number) =>
  v.pipe(
    v.string('must be a string'),
    v.trim(),
    v.minLength(1, 'is required'),
    v.maxLength(max, `at most ${max} characters`),
  );
const BroadcastBody = v.object({ title: text(MAX_BROADCAST_TITLE), body: text(MAX_BROADCAST_BODY) });

const wire = (b: Broadcast): BroadcastInfo => ({
  id: b.id,
  createdAt: isoTime(b.createdAt),
  devices: b.devices,
  remaining: b.remaining,
});

export function broadcastRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { db, clock } = deps;
  const requireAdmin = (c: Parameters<typeof requireUser>[0]) => {
    const { user } = requireUser(c);
    if (!user.isAdmin) throw forbidden('only admins may broadcast');
    return user;
  };

  app.post('/admin/push/broadcast', async (c) => {
    const admin = requireAdmin(c);
    const body = await jsonBody(c, BroadcastBody);
    let broadcast: Broadcast;
    try {
      broadcast = startBroadcast(db, broadcastMessage(body.title, body.body), admin.id, clock.now());
    } catch (err) {
      if (!(err instanceof BroadcastRefused)) throw err;
      throw new AppError(429, 'rate_limited', err.message, { 'Retry-After': String(err.retryAfterSeconds) });
    }
    if (broadcast.devices > 0) deps.push.kick();
    return c.json({ broadcast: wire(broadcast) }, 202);
  });

  app.get('/admin/push/broadcast', (c) => {
    requireAdmin(c);
    const last = latestBroadcast(db);
    return c.json({ broadcast: last ? wire(last) : null });
  });

  return app;
}
