// What a push service's answer, or a failed request, means for one message and its device
// (RFC 8030): delivered, gone, refused (counted toward dropping the device), or transient
// (retried, the device kept and marked failing), each with the reason in words.
import { BlockedAddressError } from './endpoint-guard.ts';

export type SendOutcome =
  | { kind: 'success'; status: number }
  | { kind: 'gone'; status: number }
  | { kind: 'retry'; status?: number; retryAfterMs?: number; reason: string }
  | { kind: 'failed'; status?: number; reason: string };

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
