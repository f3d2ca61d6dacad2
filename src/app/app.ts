// The Hono app: guards in front, then one router per concern, the PWA behind them. app/ is
// the top of the HTTP side (it imports every domain's router); the shared pieces live in kit/.
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { bodyLimit } from 'hono/body-limit';
import type { AppDeps, AppEnv } from '../kit/deps.ts';
import { AppError, errorBody, errorHandler, tooLarge } from '../kit/errors.ts';
import { csrf, rateLimit, type RateLimit } from '../kit/middleware.ts';
import { loadSession } from '../auth/cookie.ts';
import { authRoutes } from '../auth/routes.ts';
import { logbookRoutes } from '../logbooks/routes.ts';
import { PAYLOAD_MAX_CHARS, UPLOAD_MAX_ITEMS, syncRoutes } from '../sync/routes.ts';
import { staticRoutes } from './static.ts';
import { pushRoutes } from '../push/routes.ts';
import { metricsRoutes } from './metrics.ts';
import { notifyRoutes } from '../notify/routes.ts';
import { VERSION } from '../version.ts';

/**
 * Largest request bodies: everything but sync is small JSON; a sync upload within the
 * contract's limits (500 full items plus their JSON framing) always fits.
 */
const BODY_LIMITS = { default: 64 * 1024, sync: UPLOAD_MAX_ITEMS * (PAYLOAD_MAX_CHARS + 512) + 4096 };

const RATE_LIMITS: Record<'auth' | 'invites' | 'sync' | 'subscribe', RateLimit> = {
  auth: { burst: 60, perMinute: 30 },
  invites: { burst: 30, perMinute: 10 },
  sync: { burst: 300, perMinute: 300 },
  subscribe: { burst: 30, perMinute: 10 },
};

function limitBody(maxSize: number) {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw tooLarge(maxSize);
    },
  });
}

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { clock, config } = deps;
  const limit = (name: keyof typeof RATE_LIMITS) => rateLimit(RATE_LIMITS[name], clock, config.trustProxy);

  app.onError(errorHandler(deps.log));
  app.notFound((c) => c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404));

  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'"],
        workerSrc: ["'self'"],
        manifestSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
      strictTransportSecurity: config.origin.startsWith('https:') ? 'max-age=31536000' : false,
      crossOriginEmbedderPolicy: false,
    }),
  );
  app.use('*', csrf(config.origin));
  app.use('/api/sync/*', limitBody(BODY_LIMITS.sync));
  app.use('/api/*', async (c, next) => {
    if (c.req.path.startsWith('/api/sync/')) return next();
    return limitBody(BODY_LIMITS.default)(c, next);
  });
  app.use('/api/*', loadSession(deps));
  app.use('/api/auth/*', limit('auth'));
  app.use('/api/logbooks/:id/invites', limit('invites'));
  app.use('/api/invites/*', limit('invites'));
  app.use('/api/sync/*', limit('sync'));
  app.use('/api/push/subscription', limit('subscribe'));

  app.get('/healthz', (c) => c.json({ ok: true, version: VERSION }));
  app.route('/', metricsRoutes(deps));
  app.route('/api/auth', authRoutes(deps));
  app.route('/api', logbookRoutes(deps));
  app.route('/api', notifyRoutes(deps));
  app.route('/api/sync', syncRoutes(deps));
  app.route('/api', pushRoutes(deps));
  app.all('/api/*', () => {
    throw new AppError(404, 'not_found', 'no such API route');
  });
  app.route('/', staticRoutes(deps));
  return app;
}
