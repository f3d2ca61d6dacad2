// GET /metrics: the Prometheus text of the server's registry (src/metrics.ts), for loopback
// scrapers or, with --metrics-token, exactly that bearer token (only the token with --trust-proxy).
import { timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../kit/deps.ts';
import { forbidden, unauthenticated } from '../kit/errors.ts';
import { clientAddress, isLoopback } from '../kit/client-address.ts';

/**
 * Loopback clients only, unless a token is configured: then exactly that bearer token. Behind
 * a proxy (trustProxy) every request may arrive from loopback, so only the token counts.
 */
function metricsAllowed(
  address: string,
  authorization: string | undefined,
  token: string | undefined,
  trustProxy: boolean,
): boolean {
  if (token) {
    const given = Buffer.from(authorization ?? '');
    const wanted = Buffer.from(`Bearer ${token}`);
    return given.length === wanted.length && timingSafeEqual(given, wanted);
  }
  return !trustProxy && isLoopback(address);
}

export function metricsRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { config } = deps;
  app.get('/metrics', async (c) => {
    const metrics = deps.metrics;
    if (
      !metricsAllowed(clientAddress(c, config), c.req.header('authorization'), config.metricsToken, config.trustProxy)
    ) {
      if (config.metricsToken) throw unauthenticated();
      throw forbidden(
        config.trustProxy
          ? 'behind a proxy (--trust-proxy) metrics need --metrics-token'
          : 'metrics are served to loopback clients only (or set --metrics-token)',
      );
    }
    return c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType });
  });
  return app;
}
