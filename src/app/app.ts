// The Hono app: guards in front, then one router per concern, the PWA behind them. app/ is
// the top of the HTTP side (it imports every domain's router); the shared pieces live in kit/.
import { Hono, type MiddlewareHandler } from 'hono';
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
import { watchRoutes } from '../watch/routes.ts';
import { mapImageOrigins, mapRoutes } from './map.ts';
import { oneClickUnsubscribe, UNSUBSCRIBE_PATH, unsubscribePage } from '../notify/unsubscribe.ts';
import { emailRoutes } from '../email/routes.ts';
import { VERSION } from '../version.ts';

const RATE_LIMITS: Record<
  'auth' | 'invites' | 'inviteReads' | 'sync' | 'subscribe' | 'prefs' | 'pushTest' | 'email',
  RateLimit
> = {
  auth: { burst: 60, perMinute: 30 },
  /** Making, accepting and revoking invites. */
  invites: { burst: 30, perMinute: 10 },
  /** Looking at invites (the open ones, one token's invite): a budget of its own, so reading never uses up making. */
  inviteReads: { burst: 120, perMinute: 60 },
  sync: { burst: 300, perMinute: 300 },
  subscribe: { burst: 30, perMinute: 10 },
  /** Each quiet-hours time zone is parsed by Intl: a few changes a minute are plenty. */
  prefs: { burst: 20, perMinute: 10 },
  /** A test notification goes out through real push services: a few a minute is plenty. */
  pushTest: { burst: 3, perMinute: 3 },
  /** Each address given mails a verification link; each link tried is a guess at a token. */
  email: { burst: 10, perMinute: 5 },
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
  /** Reads (GET, HEAD) from one budget, changes from another. */
  const limitSplit = (reads: keyof typeof RATE_LIMITS, writes: keyof typeof RATE_LIMITS): MiddlewareHandler<AppEnv> => {
    const [read, write] = [limit(reads), limit(writes)];
    return (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? read : write)(c, next);
  };

  app.onError(errorHandler(deps.log));
  // Cheapest first: the health check answers before any guard runs.
  app.get('/healthz', (c) => c.json({ ok: true, version: VERSION }));
  app.notFound((c) => c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404));
  // RFC 8058 one-click: a mail client POSTs with no session and no Origin; the token is the key.
  app.post(UNSUBSCRIBE_PATH, oneClickUnsubscribe(deps));

  app.use('*', securityHeaders(config.origin, mapImageOrigins(config)));
  app.use('*', csrf(config.origin));
  app.use('/api/*', loadSession(deps));
  app.use('/api/auth/*', limit('auth'));
  app.use('/api/logbooks/:id/invites', limitSplit('inviteReads', 'invites'));
  app.use('/api/invites/*', limitSplit('inviteReads', 'invites'));
  app.use('/api/sync/*', limit('sync'));
  app.use('/api/push/subscription', limit('subscribe'));
  app.on('PUT', '/api/push/prefs', limit('prefs'));
  app.use('/api/push/test', limit('pushTest'));
  app.on('PUT', '/api/account/email', limit('email'));
  app.on('POST', '/api/account/email/verify', limit('email'));
  // Bodies last: a refused or rate-limited request never has its body read.
  app.use('*', bodyGuard(bodyLimitFor, new Slots(LARGE_BODIES.slots, LARGE_BODIES.maxWaiting)));

  app.route('/', metricsRoutes(deps));
  app.route('/api/auth', authRoutes(deps));
  app.route('/api', logbookRoutes(deps));
  app.route('/api', notifyRoutes(deps));
  app.route('/api', watchRoutes(deps));
  app.route('/api/sync', syncRoutes(deps));
  app.route('/api', pushRoutes(deps));
  app.route('/api', mapRoutes(deps));
  app.route('/api', emailRoutes(deps));
  app.get(UNSUBSCRIBE_PATH, unsubscribePage(deps));
  app.route('/api', broadcastRoutes(deps));
  app.all('/api/*', () => {
    throw new AppError(404, 'not_found', 'no such API route');
  });
  app.route('/', staticRoutes(deps));
  return app;
}
