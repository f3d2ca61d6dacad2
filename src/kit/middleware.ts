// Request guards shared by every route: CSRF origin check, signed-in and re-verified checks,
// rate limits. Part of kit/, the bottom of the HTTP side: it imports nothing from the domains.
import type { Context, MiddlewareHandler } from 'hono';
import { AppError, rateLimited, unauthenticated } from './errors.ts';
import type { AppConfig, AppEnv } from './deps.ts';
import { clientAddress, clientKey } from './client-address.ts';
import { requestHeader } from './request-headers.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { Session, User } from '../auth/sessions.ts';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** State-changing requests must come from the configured origin (browsers always send Origin on them). */
export function csrf(origin: string): MiddlewareHandler {
  // Not async: handing on next()'s promise saves a promise and a suspension per request.
  return (c, next) => {
    if (UNSAFE.has(c.req.method) && requestHeader(c, 'origin') !== origin) {
      throw new AppError(403, 'csrf', `requests that change data must come from ${origin}`);
    }
    return next();
  };
}

export function requireUser(c: Context<AppEnv>): { user: User; session: Session } {
  const user = c.get('user');
  const session = c.get('session');
  if (!user || !session) throw unauthenticated();
  return { user, session };
}

/** How long a passkey confirmation counts for destructive changes. */
export const REVERIFY_WINDOW_MS = 5 * 60_000;

function isReverified(session: Session, now: number): boolean {
  return session.reverifiedAt !== null && now - session.reverifiedAt <= REVERIFY_WINDOW_MS;
}

/** Destructive changes need a passkey confirmation in the last 5 minutes. */
export function requireReverified(session: Session, now: number, what: string): void {
  if (!isReverified(session, now))
    throw new AppError(
      403,
      'reauth_required',
      `confirm with your passkey first, then ${what} (re-verification lasts 5 minutes)`,
    );
}

/** One token per request from the limiter: keyed by the user once signed in, else by client (IPv6 by /64). */
export function rateLimit(
  limiter: RateLimiter,
  config: Pick<AppConfig, 'trustProxy' | 'trustedProxies'>,
): MiddlewareHandler<AppEnv> {
  return (c, next) => {
    const userId = c.get('user')?.id;
    const retryAfter = limiter.take(userId ? `user:${userId}` : clientKey(clientAddress(c, config)));
    if (retryAfter > 0) throw rateLimited(retryAfter);
    return next();
  };
}
