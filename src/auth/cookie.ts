// The session cookie: set, cleared, and read into c.var on every API request (renewed when
// the session's expiry moved). app/app.ts mounts loadSession; auth/routes.ts sets and clears.
import type { Context, MiddlewareHandler } from 'hono';
import { setCookie, deleteCookie } from 'hono/cookie';
import { cookieIn, requestHeader } from '../kit/request-headers.ts';
import type { AppDeps, AppEnv } from '../kit/deps.ts';
import { SESSION_COOKIE, validateSessionToken } from './sessions.ts';

export function sessionCookieOptions(secure: boolean) {
  return { httpOnly: true, sameSite: 'Lax' as const, path: '/', secure };
}

export function setSessionCookie(c: Context, deps: AppDeps, token: string, expiresAt: number): void {
  setCookie(c, SESSION_COOKIE, token, {
    ...sessionCookieOptions(deps.config.origin.startsWith('https:')),
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(c: Context, deps: AppDeps): void {
  deleteCookie(c, SESSION_COOKIE, sessionCookieOptions(deps.config.origin.startsWith('https:')));
}

/** The session token in a Cookie header, when there is one that could be a token (43 characters). */
export function sessionToken(cookieHeader: string | undefined): string | undefined {
  const token = cookieIn(cookieHeader, SESSION_COOKIE);
  return token && token.length <= 64 ? token : undefined;
}

/**
 * Loads the session from its cookie into c.var; renews the cookie when the expiry moved.
 * A renewal the database refused is logged once per process, not once per request.
 */
export function loadSession(deps: AppDeps): MiddlewareHandler<AppEnv> {
  let renewalFailureLogged = false;
  // Not async: next()'s promise is handed on as it is. Without a session, user and session stay unset (undefined).
  return (c, next) => {
    const token = sessionToken(requestHeader(c, 'cookie'));
    if (token) {
      const found = validateSessionToken(deps.db, token, deps.clock.now());
      if (found) {
        c.set('user', found.user);
        c.set('session', found.session);
        if (found.renewed) setSessionCookie(c, deps, token, found.session.expiresAt);
        if (found.renewalError && !renewalFailureLogged) {
          renewalFailureLogged = true;
          deps.log.error(
            'session renewal not written; sessions keep working and renew once the database takes writes again',
            {
              error: found.renewalError instanceof Error ? found.renewalError.message : String(found.renewalError),
            },
          );
        }
      } else {
        clearSessionCookie(c, deps);
      }
    }
    return next();
  };
}
