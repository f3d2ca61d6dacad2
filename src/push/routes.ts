// /api/push/* (but the prefs, notify's) and /api/admin/subscriptions: parse, call the push
// stores, map the result.
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppDeps, AppEnv } from '../kit/deps.ts';
import { forbidden, invalidRequest, notFound } from '../kit/errors.ts';
import { requireUser } from '../kit/middleware.ts';
import { isoTime, jsonBody } from '../kit/validate.ts';
import { transaction } from '../db.ts';
import { localeFromAcceptLanguage, testMessage } from './messages.ts';
import { endpointProblem, MAX_ENDPOINT_LENGTH } from './endpoint-guard.ts';
import { isP256Point } from './vapid.ts';
import { queueForUser } from './outbox.ts';
import { deleteSubscription, listSubscriptions, saveSubscription, devicesOfUser } from './subscriptions.ts';
import { SeenBody, type DeviceStatus, type MyDevice, type TestQueued } from '../wire/push.ts';
import { devicesHealth, removeDevice } from './device-health.ts';
import { markSeen } from './badges.ts';
import { Uuid } from '../wire/fields.ts';
import { LANGS } from '../wire/languages.ts';

const b64 = (max: number) =>
  v.pipe(
    v.string('must be a string'),
    v.maxLength(max, `at most ${max} characters`),
    v.regex(/^[A-Za-z0-9_-]+={0,2}$/, 'must be base64url'),
  );
const bytesOf = (s: string) => Buffer.from(s.replace(/=+$/, ''), 'base64url');

const Endpoint = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'is required'),
  v.maxLength(MAX_ENDPOINT_LENGTH, `at most ${MAX_ENDPOINT_LENGTH} characters`),
);

const SubscriptionBody = v.object({
  endpoint: Endpoint,
  keys: v.object({
    p256dh: v.pipe(
      b64(100),
      v.check((s) => isP256Point(bytesOf(s)), 'must be a 65-byte P-256 public key'),
    ),
    auth: v.pipe(
      b64(32),
      v.check((s) => bytesOf(s).length === 16, 'must be 16 bytes'),
    ),
  }),
  expirationTime: v.optional(
    v.nullable(
      v.pipe(
        v.number('must be a number or null'),
        v.integer('must be a whole number'),
        v.minValue(0, 'must not be negative'),
      ),
    ),
  ),
  locale: v.optional(v.picklist(LANGS, `must be one of ${LANGS.join(', ')}`)),
  /** The applicationServerKey the browser subscribed with (lets the PWA spot a rotated key). */
  vapidPublicKey: v.optional(
    v.pipe(
      b64(100),
      v.check((s) => isP256Point(bytesOf(s)), 'must be a 65-byte P-256 public key'),
    ),
  ),
  /** The same, under the Push API's own name. */
  applicationServerKey: v.optional(
    v.pipe(
      b64(100),
      v.check((s) => isP256Point(bytesOf(s)), 'must be a 65-byte P-256 public key'),
    ),
  ),
});

const UnsubscribeBody = v.object({ endpoint: Endpoint });

export function pushRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { db, clock } = deps;
  const push = deps.push;

  app.get('/push/vapid-public-key', (c) => c.json({ publicKey: push.vapidPublicKey() }));

  app.put('/push/subscription', async (c) => {
    const { user } = requireUser(c);
    const body = await jsonBody(c, SubscriptionBody);
    const problem = endpointProblem(body.endpoint, deps.config.pushAllowInsecure);
    if (problem) throw invalidRequest(`endpoint: ${problem}`);
    const subscribedWith = body.vapidPublicKey ?? body.applicationServerKey;
    const id = saveSubscription(
      db,
      user.id,
      {
        endpoint: body.endpoint,
        p256dh: bytesOf(body.keys.p256dh).toString('base64url'),
        auth: bytesOf(body.keys.auth).toString('base64url'),
        expirationTime: body.expirationTime ?? null,
        locale: body.locale ?? localeFromAcceptLanguage(c.req.header('accept-language')),
        vapidPublicKey: subscribedWith ? bytesOf(subscribedWith).toString('base64url') : null,
      },
      clock.now(),
    );
    return c.json({ id }, 200);
  });

  app.delete('/push/subscription', async (c) => {
    const { user } = requireUser(c);
    const body = await jsonBody(c, UnsubscribeBody);
    deleteSubscription(db, user.id, body.endpoint);
    return c.body(null, 204);
  });

  /** The caller's own devices (full endpoints: they are the caller's), so the PWA can tell this device from the others. */
  app.get('/push/subscriptions', (c) => {
    const { user } = requireUser(c);
    const subscriptions = devicesOfUser(db, user.id).map(
      (s): MyDevice => ({
        id: s.id,
        endpoint: s.endpoint,
        locale: s.locale,
        createdAt: isoTime(s.createdAt),
        lastUsedAt: isoTime(s.lastUsedAt),
      }),
    );
    return c.json({ subscriptions });
  });

  /** The caller's devices and how each is doing (the settings page lists them). */
  app.get('/push/devices', (c) => {
    const { user } = requireUser(c);
    const devices = devicesHealth(db, user.id).map(
      (d): DeviceStatus => ({
        id: d.id,
        endpointHost: d.endpointHost,
        locale: d.locale,
        createdAt: isoTime(d.createdAt),
        lastSeenAt: isoTime(d.lastSeenAt),
        lastDeliveredAt: isoTime(d.lastDeliveredAt),
        failing: d.failingSince !== null,
        ...(d.failingSince !== null && d.failingReason ? { failingReason: d.failingReason } : {}),
      }),
    );
    return c.json({ devices });
  });

  /** Removes one of the caller's devices (the settings page's remove button). */
  app.delete('/push/devices/:id', (c) => {
    const { user } = requireUser(c);
    const id = v.safeParse(Uuid, c.req.param('id'));
    if (!id.success || !removeDevice(db, user.id, id.output)) throw notFound('device');
    return c.body(null, 204);
  });

  /** The app was opened: the badge count starts again from 0 (for one logbook, or all). */
  app.post('/push/seen', async (c) => {
    const { user } = requireUser(c);
    const body = await jsonBody(c, SeenBody);
    markSeen(db, user.id, body.logbookId);
    return c.body(null, 204);
  });

  app.post('/push/test', (c) => {
    const { user } = requireUser(c);
    const queued = transaction(db, () => queueForUser(db, user.id, (locale) => testMessage(locale), null, clock.now()));
    if (queued > 0) push.kick();
    return c.json({ queued } satisfies TestQueued, 202);
  });

  app.get('/admin/subscriptions', (c) => {
    const { user } = requireUser(c);
    if (!user.isAdmin) throw forbidden('only admins may list subscriptions');
    const subscriptions = listSubscriptions(db).map(({ username: _username, createdAt, lastUsedAt, ...rest }) => ({
      ...rest,
      createdAt: isoTime(createdAt),
      lastUsedAt: isoTime(lastUsedAt),
    }));
    return c.json({ subscriptions });
  });

  return app;
}
