// The Hono app: guards in front, then one router per concern, the PWA behind them. app/ is
// the top of the HTTP side (it imports every domain's router); the shared pieces live in kit/.
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../kit/deps.ts';
import { AppError, errorBody, errorHandler } from '../kit/errors.ts';
import { csrf, rateLimit } from '../kit/middleware.ts';
import { RateLimiter, type RateLimit } from '../kit/rate-limit.ts';
import { securityHeaders } from '../kit/security-headers.ts';
import { bodyGuard, bodyLimitFor, LARGE_BODIES, Slots } from '../kit/bodies.ts';
import { loadSession } from '../auth/cookie.ts';
import { authRoutes } from '../auth/routes.ts';
import { logbookRoutes } from '../logbooks/routes.ts';
import { syncRoutes } from '../sync/routes.ts';
import { staticRoutes } from './static.ts';
import { pushRoutes } from '../push/routes.ts';
import { broadcastRoutes } from '../push/broadcast-routes.ts';
import { metricsRoutes } from './metrics.ts';
import { notifyRoutes } from '../notify/routes.ts';
import { VERSION } from '../version.ts';

const RATE_LIMITS: Record<'auth' | 'invites' | 'sync' | 'subscribe' | 'pushTest', RateLimit> = {
  auth: { burst: 60, perMinute: 30 },
  invites: { burst: 30, perMinute: 10 },
  sync: { burst: 300, perMinute: 300 },
  subscribe: { burst: 30, perMinute: 10 },
  /** A test notification goes out through real push services: a few a minute is plenty. */
  pushTest: { burst: 3, perMinute: 3 },
};

export type RateLimiters = Record<keyof typeof RATE_LIMITS, RateLimiter>;

/** One bounded limiter per limit, pruned on an unref'd timer; serve stops them on close. */
export function createRateLimiters(clock: AppDeps['clock']): RateLimiters {
  const entries = Object.entries(RATE_LIMITS).map(([name, limit]) => [name, new RateLimiter(limit, clock).start()]);
  return Object.fromEntries(entries) as RateLimiters;
}

export function stopRateLimiters(limiters: RateLimiters): void {
  for (const limiter of Object.values(limiters)) limiter.stop();
}

export function createApp(deps: AppDeps, limiters: RateLimiters = createRateLimiters(deps.clock)): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { config } = deps;
  const limit = (name: keyof typeof RATE_LIMITS) => rateLimit(limiters[name], config);

  app.onError(errorHandler(deps.log));
  // Cheapest first: the health check answers before any guard runs.
  app.get('/healthz', (c) => c.json({ ok: true, version: VERSION }));
  app.notFound((c) => c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404));

  app.use('*', securityHeaders(config.origin));
  app.use('*', csrf(config.origin));
  app.use('/api/*', loadSession(deps));
  app.use('/api/auth/*', limit('auth'));
  app.use('/api/logbooks/:id/invites', limit('invites'));
  app.use('/api/invites/*', limit('invites'));
  app.use('/api/sync/*', limit('sync'));
  app.use('/api/push/subscription', limit('subscribe'));
  app.use('/api/push/test', limit('pushTest'));
  // Bodies last: a refused or rate-limited request never has its body read.
  app.use('*', bodyGuard(bodyLimitFor, new Slots(LARGE_BODIES.slots, LARGE_BODIES.maxWaiting)));

  app.route('/', metricsRoutes(deps));
  app.route('/api/auth', authRoutes(deps));
  app.route('/api', logbookRoutes(deps));
  app.route('/api', notifyRoutes(deps));
  app.route('/api/sync', syncRoutes(deps));
  app.route('/api', pushRoutes(deps));
  app.route('/api', broadcastRoutes(deps));
  app.all('/api/*', () => {
    throw new AppError(404, 'not_found', 'no such API route');
  });
  app.route('/', staticRoutes(deps));
  return app;
}
