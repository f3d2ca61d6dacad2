// Listening and draining. @hono/node-server serves the app on Node and on Deno (node:http).
import { serve, type ServerType } from '@hono/node-server';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { readableEarlyAnswers } from '../kit/early-answers.ts';
import { dropStalledBodies, paceServerOptions, type UploadPace } from '../kit/upload-pace.ts';
import { VERSION } from '../version.ts';
import type { FastRead } from './fast-reads.ts';

const HEALTHZ = JSON.stringify({ ok: true, version: VERSION });
const HEALTHZ_HEADERS = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(HEALTHZ) };

/**
 * `GET /healthz` straight from Node's request, before Hono and @hono/node-server: the same
 * answer as the app's own route (app.ts, which app.request() still reaches), at the cost of a
 * bare node:http server. Then the fast reads, once the app is made; everything else goes to the app.
 */
function answersFirst(app: RequestListener, fast: () => FastRead | undefined): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/healthz' && req.method === 'GET') res.writeHead(200, HEALTHZ_HEADERS).end(HEALTHZ);
    else if (!fast()?.(req, res)) app(req, res);
  };
}

export interface RunningServer {
  port: number;
  /** Stops accepting, lets in-flight requests finish (up to graceMs), then resolves. */
  close(graceMs?: number): Promise<void>;
}

export type FetchHandler = (request: Request, env: unknown) => Response | Promise<Response>;

/** `fast`: the fast reads (fast-reads.ts), asked per request since the app is made after listening. */
export function listen(
  fetch: FetchHandler,
  host: string,
  port: number,
  pace: UploadPace,
  fast: () => FastRead | undefined = () => undefined,
): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    let server: ServerType;
    const onError = (err: Error) => reject(err);
    // Slow but moving uploads may take minutes; stalled ones and slow headers are cut (upload-pace.ts).
    const options = {
      fetch,
      hostname: host,
      port,
      serverOptions: paceServerOptions(pace),
      createServer: (opts: object, listener: RequestListener) => createServer(opts, answersFirst(listener, fast)),
    };
    server = serve(options as Parameters<typeof serve>[0], (info) => {
      server.off('error', onError);
      const http = server as Server;
      readableEarlyAnswers(http);
      dropStalledBodies(http, pace);
      resolve({
        port: info.port,
        close: (graceMs = 10_000) =>
          new Promise<void>((done) => {
            const force = setTimeout(() => {
              http.closeAllConnections?.();
              done();
            }, graceMs);
            force.unref();
            http.close(() => {
              clearTimeout(force);
              done();
            });
            http.closeIdleConnections?.();
          }),
      });
    });
    server.once('error', onError);
  });
}
