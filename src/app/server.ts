// Listening and draining. @hono/node-server serves the app on Node and on Deno (node:http).
import { serve, type ServerType } from '@hono/node-server';
import type { Server } from 'node:http';
import { readableEarlyAnswers } from '../kit/early-answers.ts';
import { dropStalledBodies, paceServerOptions, type UploadPace } from '../kit/upload-pace.ts';

export interface RunningServer {
  port: number;
  /** Stops accepting, lets in-flight requests finish (up to graceMs), then resolves. */
  close(graceMs?: number): Promise<void>;
}

export type FetchHandler = (request: Request, env: unknown) => Response | Promise<Response>;

export function listen(fetch: FetchHandler, host: string, port: number, pace: UploadPace): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    let server: ServerType;
    const onError = (err: Error) => reject(err);
    // Slow but moving uploads may take minutes; stalled ones and slow headers are cut (upload-pace.ts).
    server = serve({ fetch, hostname: host, port, serverOptions: paceServerOptions(pace) }, (info) => {
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
