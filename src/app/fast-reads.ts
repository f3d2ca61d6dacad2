// GET /api/logbooks, which the PWA asks at every start and every sync, answered straight from
// Node's request in its common case: a session in the first half of its life. The answer is
// the app's own (the same function makes the body, the same list of security headers goes on
// it; test/api/fast-reads.test.ts compares the two); every other case goes to the app.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppDeps } from '../kit/deps.ts';
import { securityHeaderList } from '../kit/security-headers.ts';
import { sessionToken } from '../auth/cookie.ts';
import { currentSessionUser } from '../auth/sessions.ts';
import { logbookList } from '../logbooks/routes.ts';
import { mapImageOrigins } from './map.ts';

/** Answers the request and returns true, or returns false having written nothing: then the app answers. */
export type FastRead = (req: IncomingMessage, res: ServerResponse) => boolean;

export function fastReads(deps: AppDeps): FastRead {
  // One flat list handed to writeHead: no header object made per answer.
  const headers = securityHeaderList(deps.config.origin, mapImageOrigins(deps.config)).flat();
  return (req, res) => {
    if (req.method !== 'GET' || req.url !== '/api/logbooks') return false;
    const token = sessionToken(req.headers.cookie);
    if (!token) return false;
    let body: string;
    try {
      const userId = currentSessionUser(deps.db, token, deps.clock.now());
      if (!userId) return false;
      body = JSON.stringify(logbookList(deps.db, userId));
    } catch {
      // A busy or failing database: the app answers with its error handling and logging.
      return false;
    }
    res.writeHead(200, [
      ...headers,
      'content-type',
      'application/json',
      'content-length',
      String(Buffer.byteLength(body)),
    ]);
    res.end(body);
    return true;
  };
}
