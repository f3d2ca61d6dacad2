// Sends one encrypted message to one push endpoint over keep-alive connections, with a
// timeout, and sorts the answer into what the outbox does next (RFC 8030 semantics).
import http from 'node:http';
import https from 'node:https';
import http2 from 'node:http2';
import tls from 'node:tls';
import type { LookupFunction } from 'node:net';
import { createH2Sessions } from './http2-sessions.ts';
import { BlockedAddressError, endpointProblem, guardedLookup, type Lookup } from './endpoint-guard.ts';

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

export type SendOutcome =
  | { kind: 'success'; status: number }
  | { kind: 'gone'; status: number }
  | { kind: 'retry'; status?: number; retryAfterMs?: number; reason: string }
  | { kind: 'failed'; status?: number; reason: string };

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

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** What an HTTP status from a push service means for this message. */
export function classifyStatus(status: number, retryAfter: string | undefined, now: number): SendOutcome {
  if (status >= 200 && status < 300) return { kind: 'success', status };
  if (status === 404 || status === 410) return { kind: 'gone', status };
  if (status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(retryAfter, now);
    return { kind: 'retry', status, reason: `HTTP ${status}`, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  return { kind: 'failed', status, reason: `HTTP ${status}` };
}

const RETRYABLE_NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'ERR_PUSH_TIMEOUT',
]);

function classifyError(err: NodeJS.ErrnoException): SendOutcome {
  if (err instanceof BlockedAddressError)
    return { kind: 'failed', reason: 'endpoint resolves to a non-public address' };
  const code = err.code ?? '';
  if (code === 'ENOTFOUND') return { kind: 'retry', reason: 'host not found' };
  if (RETRYABLE_NETWORK.has(code)) return { kind: 'retry', reason: code === 'ERR_PUSH_TIMEOUT' ? 'timed out' : code };
  // A certificate that does not verify will not verify in a few seconds either.
  if (/^ERR_(TLS|SSL)|CERT|VERIFY|SIGNATURE/.test(code)) return { kind: 'failed', reason: `TLS: ${code}` };
  return { kind: 'retry', reason: code || err.message };
}

export function createTransport(options: TransportOptions): Transport {
  const agentOptions = {
    keepAlive: true,
    keepAliveMsecs: 30_000,
    maxSockets: options.maxSockets ?? 64,
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
      let settled = false;
      let status = 0;
      let retryAfter: string | undefined;
      let timedOut = false;
      const finish = (outcome: SendOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      let stream: http2.ClientHttp2Stream;
      try {
        stream = session.request({ ':method': 'POST', ':path': url.pathname + url.search, ...headers });
      } catch (err) {
        // A session that cannot open streams (going away, out of stream ids) is retired;
        // the next message gets a fresh one.
        if (!session.closed) session.close();
        return resolve({ kind: 'retry', reason: (err as NodeJS.ErrnoException).code ?? 'HTTP/2 session closed' });
      }
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
      stream.on('error', (err: NodeJS.ErrnoException) => {
        if (!status) finish(timedOut ? { kind: 'retry', reason: 'timed out' } : classifyError(err));
      });
      stream.on('close', () => {
        if (timedOut && !status) finish({ kind: 'retry', reason: 'timed out' });
        else if (status) finish(classifyStatus(status, retryAfter, now));
        else finish({ kind: 'retry', reason: `HTTP/2 stream closed (code ${stream.rstCode ?? 0})` });
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
      let settled = false;
      const finish = (outcome: SendOutcome) => {
        if (settled) return;
        settled = true;
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
          res.on('error', () => finish(classifyStatus(res.statusCode ?? 0, undefined, now)));
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
