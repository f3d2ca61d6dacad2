// GET /metrics: the Prometheus text of the server's registry (src/metrics.ts), for loopback
// scrapers or, with --metrics-token, exactly that bearer token.
import { timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../kit/deps.ts';
import { forbidden, unauthenticated } from '../kit/errors.ts';
import { clientAddress } from '../kit/middleware.ts';

/** Loopback clients only, unless a token is configured: then exactly that bearer token. */
function metricsAllowed(address: string, authorization: string | undefined, token: string | undefined): boolean {
  if (token) {
    const given = Buffer.from(authorization ?? '');
    const wanted = Buffer.from(`Bearer ${token}`);
    return given.length === wanted.length && timingSafeEqual(given, wanted);
  }
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1' || /^127\./.test(address) || /^::ffff:127\./.test(address);
}

export function metricsRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/metrics', async (c) => {
    const metrics = deps.metrics;
    if (!metricsAllowed(clientAddress(c, deps.config.trustProxy), c.req.header('authorization'), deps.config.metricsToken)) {
      throw deps.config.metricsToken ? unauthenticated() : forbidden('metrics are served to loopback clients only (or set --metrics-token)');
    }
    return c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType });
  });
  return app;
}
