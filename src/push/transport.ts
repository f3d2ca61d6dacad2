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

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date (RFC 9110: GMT, starting with the weekday). */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // An HTTP date starts with the weekday and ends in GMT; Date.parse would also take "-5" or "1.5" as dates.
  if (!/^[A-Za-z]{3}, /.test(v) || !v.endsWith(' GMT')) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * What an HTTP status from a push service means for this message. Only the push service's
 * own refusals count against the device: 404/410 gone, 400/403/413 refused (dropped only when
 * repeated, see countPermanentFailure). Every other status is transient and retried, with
 * the service's Retry-After when it gives one.
 */
export function classifyStatus(status: number, retryAfter: string | undefined, now: number): SendOutcome {
  if (status >= 200 && status < 300) return { kind: 'success', status };
  if (status === 404 || status === 410) return { kind: 'gone', status };
  if (status === 400 || status === 403 || status === 413)
    return { kind: 'failed', status, reason: `${REFUSAL[status]} (HTTP ${status})` };
  const retryAfterMs = parseRetryAfter(retryAfter, now);
  return {
    kind: 'retry',
    status,
    reason: statusReason(status),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
}

const REFUSAL: Record<number, string> = {
  400: 'the push service refused the message as malformed',
  403: 'the push service refused the VAPID signature or key',
  413: 'the push service refused the message as too large',
};

function statusReason(status: number): string {
  if (status === 429) return 'the push service asks to slow down (HTTP 429)';
  if (status >= 500) return `the push service had trouble (HTTP ${status})`;
  return `unexpected answer from the push service (HTTP ${status})`;
}

/** Errors of a certificate that may well be valid, seen from a clock that is wrong. */
const CLOCK_CERT_ERRORS = new Set([
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CRL_NOT_YET_VALID',
  'CRL_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
]);

/** Node's other certificate verification errors (OpenSSL's X509_V_ERR_* names) and its name check. */
const CERT_ERRORS = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_SIGNATURE_FAILURE',
  'CRL_SIGNATURE_FAILURE',
  'ERROR_IN_CRL_LAST_UPDATE_FIELD',
  'ERROR_IN_CRL_NEXT_UPDATE_FIELD',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const NETWORK_REASONS: Record<string, string> = {
  ENOTFOUND: 'the push service host was not found — is DNS working?',
  EAI_AGAIN: 'name lookup failed for now — is the network up?',
  ECONNREFUSED: 'the push service refused the connection',
  ECONNRESET: 'the connection was reset',
  ECONNABORTED: 'the connection was aborted',
  EPIPE: 'the connection was closed while sending',
  UND_ERR_SOCKET: 'the connection was closed while sending',
  ETIMEDOUT: 'the connection timed out',
  ENETUNREACH: 'network unreachable — is the network up?',
  EHOSTUNREACH: 'host unreachable — is the network up?',
  ERR_PUSH_TIMEOUT: 'timed out',
};

/**
 * What a failed connection or request means. None of these is the push service's own
 * answer, so every one is transient: the message is retried and the device kept (marked
 * failing, with the reason in words for the log, the settings page and doctor).
 */
export function classifyError(err: NodeJS.ErrnoException): SendOutcome {
  if (err instanceof BlockedAddressError)
    return {
      kind: 'retry',
      reason: 'the push service name resolved to a private address — a captive portal or a local DNS?',
    };
  const code = err.code ?? '';
  const network = NETWORK_REASONS[code];
  if (network) return { kind: 'retry', reason: network };
  if (CLOCK_CERT_ERRORS.has(code))
    return { kind: 'retry', reason: `certificate not trusted — is the clock right? (${code})` };
  if (CERT_ERRORS.has(code))
    return { kind: 'retry', reason: `certificate not trusted — is the clock right, or a proxy in between? (${code})` };
  if (code === 'EPROTO' || /^ERR_(TLS|SSL)_/.test(code))
    return { kind: 'retry', reason: `TLS handshake failed (${code})` };
  if (/^ERR_HTTP2/.test(code)) return { kind: 'retry', reason: `HTTP/2 stream or session closed (${code})` };
  return { kind: 'retry', reason: `unexpected error: ${code || err.message || 'unknown'}` };
}

/** An HTTP/2 stream that closed without a response: reset by the push service or a proxy. */
export function streamClosedOutcome(rstCode: number | undefined): SendOutcome {
  return { kind: 'retry', reason: `HTTP/2 stream reset (code ${rstCode ?? 0})` };
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
        return resolve(classifyError(err as NodeJS.ErrnoException));
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
