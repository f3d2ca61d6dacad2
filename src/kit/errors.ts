// One error type for the whole API and one handler that renders the contract's JSON:
// {"error": {"code": "snake_case", "message": "…"}}. Routes throw; they never build error bodies.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from '../log.ts';

export class AppError extends Error {
  override name = 'AppError';
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly headers: Record<string, string>;
  constructor(status: ContentfulStatusCode, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

export const unauthenticated = () => new AppError(401, 'unauthenticated', 'sign in first');
export const forbidden = (message = 'you are not allowed to do that') => new AppError(403, 'forbidden', message);
export const notFound = (what: string) => new AppError(404, 'not_found', `${what} not found`);
export const invalidRequest = (message: string) => new AppError(400, 'invalid_request', message);
export const tooLarge = (limit: number) =>
  new AppError(413, 'payload_too_large', `the request body is larger than ${limit} bytes`);
export const rateLimited = (retryAfterSeconds: number) =>
  new AppError(429, 'rate_limited', `too many requests; try again in ${retryAfterSeconds} s`, {
    'Retry-After': String(retryAfterSeconds),
  });

export function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

/** Hono's onError: AppErrors as they are, anything else as a logged 500 with no details. */
export function errorHandler(log: Logger) {
  return (err: Error, c: Context) => {
    if (err instanceof AppError) {
      for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
      return c.json(errorBody(err.code, err.message), err.status);
    }
    // A malformed percent-encoding in the path or query is the client's mistake, not a crash.
    if (err instanceof URIError)
      return c.json(errorBody('invalid_request', 'the URL has a malformed percent-encoding'), 400);
    // Hono's own HTTPException (e.g. from a helper) keeps its status.
    const status = (err as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return c.json(errorBody('invalid_request', err.message || 'bad request'), status as ContentfulStatusCode);
    }
    log.error('request failed', { method: c.req.method, path: c.req.path, error: err.stack ?? String(err) });
    return c.json(errorBody('internal', 'something went wrong on the server'), 500);
  };
}
