// Sends one encrypted message to one push endpoint over keep-alive connections, with a
// timeout, and sorts the answer into what the outbox does next (outcome.ts, RFC 8030).
import http from 'node:http';
import https from 'node:https';
import http2 from 'node:http2';
import tls from 'node:tls';
import type { LookupFunction } from 'node:net';
import { createH2Sessions } from './http2-sessions.ts';
import { endpointProblem, guardedLookup, type Lookup } from './endpoint-guard.ts';
import { classifyError, classifyStatus, streamClosedOutcome, type SendOutcome } from './outcome.ts';

// What an answer or an error means lives in outcome.ts; imported from here as before.
export { classifyError, classifyStatus, parseRetryAfter, streamClosedOutcome, type SendOutcome } from './outcome.ts';

export type Urgency = 'very-low' | 'low' | 'normal' | 'high';

export interface PushRequest {
  endpoint: string;
  /** The aes128gcm body. */
  body: Buffer;
  authorization: string;
  ttlSeconds: number;
  urgency: Urgency;
  /** Replaces an undelivered message with the same topic (≤ 32 base64url characters). */
  topic?: string | undefined;
}

export interface TransportOptions {
  timeoutMs: number;
  allowInsecure: boolean;
  /** Sockets per push-service origin. */
  maxSockets?: number;
  /** Name resolution under the address guard (tests stand in a lying DNS here). */
  resolve?: Lookup;
  /** HTTP/2 where the push service offers it (default on Node; Deno uses HTTP/1.1). */
  http2?: boolean;
  /** Extra trusted CA certificate for https endpoints (tests). */
  ca?: string | Buffer;
}

export interface Transport {
  send(request: PushRequest, now?: number): Promise<SendOutcome>;
  /** Closes idle keep-alive sockets. */
  close(): void;
}

export function createTransport(options: TransportOptions): Transport {
  const agentOptions = {
    keepAlive: true,
    keepAliveMsecs: 30_000,
    maxSockets: options.maxSockets ?? 64,
    // Stryker disable next-line LogicalOperator: never more free sockets than sockets, and those are maxSockets
    maxFreeSockets: options.maxSockets ?? 64,
    scheduling: 'lifo' as const,
    // The guard sits in the connection's own name lookup (skipped only with --push-allow-insecure).
    ...(options.allowInsecure ? {} : { lookup: guardedLookup(options.resolve) as never }),
  };
  const httpsAgent = new https.Agent({
    ...agentOptions,
    ...(options.ca ? { ca: [...tls.rootCertificates, options.ca.toString()] } : {}),
  });
  const httpAgent = new http.Agent(agentOptions);
  const useHttp2 = options.http2 ?? !process.versions.deno;
  const h2 = useHttp2
    ? createH2Sessions({
        lookup: agentOptions.lookup as LookupFunction | undefined,
        ca: options.ca,
        connectTimeoutMs: options.timeoutMs,
      })
    : undefined;

  function sendHttp2(
    session: http2.ClientHttp2Session,
    url: URL,
    headers: Record<string, string | number>,
    body: Buffer,
    now: number,
  ): Promise<SendOutcome> {
    return new Promise((resolve) => {
      let status = 0;
      let retryAfter: string | undefined;
      let timedOut = false;
      // The first outcome settles the promise; a later call only clears the cleared timer.
      const finish = (outcome: SendOutcome) => {
        clearTimeout(timer);
        resolve(outcome);
      };
      let stream: http2.ClientHttp2Stream;
      // request() throws only for a closed or destroyed session (which sessions.session() never
      // hands out) or connection-specific headers (never built here): no test can reach the catch.
      // Emptying the try block is left out with it (a failing mutant: no stream).
      // Stryker disable BlockStatement: the catch is unreachable, see above
      try {
        stream = session.request({ ':method': 'POST', ':path': url.pathname + url.search, ...headers });
      } catch (err) {
        // A session that cannot open streams (going away, out of stream ids) is retired;
        // the next message gets a fresh one.
        // Stryker disable next-line all: unreachable, see above
        if (!session.closed) session.close();
        return resolve(classifyError(err as NodeJS.ErrnoException));
      }
      // Stryker restore BlockStatement
      const timer = setTimeout(() => {
        timedOut = true;
        stream.close(http2.constants.NGHTTP2_CANCEL);
      }, options.timeoutMs);
      stream.on('response', (h) => {
        status = Number(h[':status']);
        const r = h['retry-after'];
        retryAfter = Array.isArray(r) ? r[0] : r;
      });
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > 64 * 1024) stream.close(http2.constants.NGHTTP2_CANCEL);
      });
      // A stream this side closed at the timeout (CANCEL) ends without an 'error'; this is the
      // push service's or a proxy's reset, and without a listener it would crash the process.
      stream.on('error', (err: NodeJS.ErrnoException) => {
        if (!status) finish(classifyError(err));
      });
      stream.on('close', () => {
        if (timedOut && !status) finish({ kind: 'retry', reason: 'timed out' });
        else if (status) finish(classifyStatus(status, retryAfter, now));
        else finish(streamClosedOutcome(stream.rstCode));
      });
      stream.end(body);
    });
  }

  return {
    send(request, now = Date.now()) {
      let url: URL;
      try {
        url = new URL(request.endpoint);
      } catch {
        return Promise.resolve({ kind: 'failed', reason: 'endpoint must be a URL' });
      }
      const problem = endpointProblem(url, options.allowInsecure);
      if (problem) return Promise.resolve({ kind: 'failed', reason: `endpoint ${problem}` });
      const secure = url.protocol === 'https:';
      const headers: Record<string, string | number> = {
        'content-type': 'application/octet-stream',
        'content-encoding': 'aes128gcm',
        'content-length': request.body.length,
        ttl: request.ttlSeconds,
        urgency: request.urgency,
        authorization: request.authorization,
      };
      if (request.topic) headers.topic = request.topic;
      if (secure && h2) {
        return h2.session(url).then(
          (session) =>
            session
              ? sendHttp2(session, url, headers, request.body, now)
              : sendHttp1(url, secure, headers, request.body, now),
          (err: NodeJS.ErrnoException) => classifyError(err),
        );
      }
      return sendHttp1(url, secure, headers, request.body, now);
    },
    close() {
      h2?.close();
      httpsAgent.destroy();
      httpAgent.destroy();
    },
  };

  function sendHttp1(
    url: URL,
    secure: boolean,
    headers: Record<string, string | number>,
    body: Buffer,
    now: number,
  ): Promise<SendOutcome> {
    return new Promise<SendOutcome>((resolve) => {
      // The first outcome settles the promise ('end' or 'error', then 'close'); a later call only clears the cleared timer.
      const finish = (outcome: SendOutcome) => {
        clearTimeout(timer);
        resolve(outcome);
      };
      const req = (secure ? https : http).request(
        url,
        { method: 'POST', headers, agent: secure ? httpsAgent : httpAgent },
        (res) => {
          // Drain a small answer so the socket goes back to the pool; cut off a big one.
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > 64 * 1024) res.destroy();
          });
          res.on('end', () => {
            const retryAfter = res.headers['retry-after'];
            finish(classifyStatus(res.statusCode ?? 0, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, now));
          });
          // An answer cut off ends here: an IncomingMessage emits 'error' only to a listener, then 'close'.
          res.on('close', () => finish(classifyStatus(res.statusCode ?? 0, undefined, now)));
        },
      );
      const timer = setTimeout(() => {
        const err = new Error('push request timed out') as NodeJS.ErrnoException;
        err.code = 'ERR_PUSH_TIMEOUT';
        req.destroy(err);
      }, options.timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => finish(classifyError(err)));
      req.end(body);
    });
  }
}
