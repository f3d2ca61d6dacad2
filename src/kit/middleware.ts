// Request guards shared by every route: CSRF origin check, signed-in and re-verified checks,
// rate limits. Part of kit/, the bottom of the HTTP side: it imports nothing from the domains.
import type { Context, MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { AppError, rateLimited, unauthenticated } from './errors.ts';
import type { AppEnv } from './deps.ts';
import type { Session, User } from '../auth/sessions.ts';
import type { Clock } from '../clock.ts';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** State-changing requests must come from the configured origin (browsers always send Origin on them). */
export function csrf(origin: string): MiddlewareHandler {
  return async (c, next) => {
    if (UNSAFE.has(c.req.method) && c.req.header('origin') !== origin) {
      throw new AppError(403, 'csrf', `requests that change data must come from ${origin}`);
    }
    await next();
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
  if (!isReverified(session, now)) throw new AppError(403, 'reauth_required', `confirm with your passkey first, then ${what} (re-verification lasts 5 minutes)`);
}

/** The client's address: the socket's, or the first X-Forwarded-For hop behind a trusted proxy. */
export function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export interface RateLimit {
  /** Requests allowed in a burst. */
  burst: number;
  /** Tokens refilled per minute. */
  perMinute: number;
}

/** In-memory token buckets per client address (and per user once signed in). */
export function rateLimit(limit: RateLimit, clock: Clock, trustProxy: boolean): MiddlewareHandler<AppEnv> {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return async (c, next) => {
    const now = clock.now();
    const key = c.get('user')?.id ?? clientAddress(c, trustProxy);
    const b = buckets.get(key) ?? { tokens: limit.burst, at: now };
    b.tokens = Math.min(limit.burst, b.tokens + ((now - b.at) / 60_000) * limit.perMinute);
    b.at = now;
    if (b.tokens < 1) {
      throw rateLimited(Math.max(1, Math.ceil(((1 - b.tokens) * 60) / limit.perMinute)));
    }
    b.tokens -= 1;
    buckets.set(key, b);
    if (buckets.size > 10_000) {
      for (const [k, v] of buckets) if (now - v.at > 10 * 60_000) buckets.delete(k);
    }
    await next();
  };
}
