// The security headers on every answer but /healthz. Set on Node's response before the app
// runs (Node merges them into whatever the route answers), not on the web Response after it:
// that made @hono/node-server turn every answer's plain header object into a `Headers` and
// back, twelve `set` calls and a sort per request.
import type { ServerResponse } from 'node:http';
import type { MiddlewareHandler } from 'hono';

/** `imageOrigins`: the map tile servers the admin allows (--map-tiles, --map-seamarks). */
const contentSecurityPolicy = (imageOrigins: readonly string[]) =>
  [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data: blob:${imageOrigins.map((o) => ` ${o}`).join('')}`,
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; ');

/** The headers, and Strict-Transport-Security when the public origin is https. */
export function securityHeaderList(
  origin: string,
  imageOrigins: readonly string[] = [],
): ReadonlyArray<readonly [string, string]> {
  return [
    ['Content-Security-Policy', contentSecurityPolicy(imageOrigins)],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ['Cross-Origin-Resource-Policy', 'same-origin'],
    ['Origin-Agent-Cluster', '?1'],
    ['Referrer-Policy', 'no-referrer'],
    ...(origin.startsWith('https:') ? [['Strict-Transport-Security', 'max-age=31536000'] as const] : []),
    ['X-Content-Type-Options', 'nosniff'],
    ['X-DNS-Prefetch-Control', 'off'],
    ['X-Download-Options', 'noopen'],
    ['X-Frame-Options', 'SAMEORIGIN'],
    ['X-Permitted-Cross-Domain-Policies', 'none'],
    ['X-XSS-Protection', '0'],
  ];
}

export function securityHeaders(origin: string, imageOrigins: readonly string[] = []): MiddlewareHandler {
  const headers = securityHeaderList(origin, imageOrigins);
  const onWebResponse: MiddlewareHandler = async (c, next) => {
    await next();
    for (const [name, value] of headers) c.res.headers.set(name, value);
  };
  // Not async on Node's path: next()'s promise is handed on as it is.
  return (c, next) => {
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
    if (outgoing && !outgoing.headersSent) {
      for (const [name, value] of headers) outgoing.setHeader(name, value);
      return next();
    }
    // app.request() (tests) has no Node response: the same headers on the web one.
    return onWebResponse(c, next);
  };
}
