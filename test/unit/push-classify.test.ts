// Every answer and error a push request can end in, sorted into what the outbox does next
// (src/push/outcome.ts, which transport.ts uses and re-exports): only the push service's own
// refusals count against a device, everything else is transient, with the reason in words.
// Exact outcomes, one row each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  classifyError,
  classifyStatus,
  parseRetryAfter,
  streamClosedOutcome,
  type SendOutcome,
} from '../../src/push/outcome.ts';
import { BlockedAddressError } from '../../src/push/endpoint-guard.ts';

const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
const httpDate = (ms: number) => new Date(ms).toUTCString();

test('every HTTP status class: 2xx delivered, 404/410 gone, 400/403/413 refused, the rest retried', () => {
  const rows: [number, string | undefined, SendOutcome][] = [
    [200, undefined, { kind: 'success', status: 200 }],
    [201, undefined, { kind: 'success', status: 201 }],
    [202, undefined, { kind: 'success', status: 202 }],
    [299, undefined, { kind: 'success', status: 299 }],
    [404, undefined, { kind: 'gone', status: 404 }],
    [410, undefined, { kind: 'gone', status: 410 }],
    [
      400,
      undefined,
      { kind: 'failed', status: 400, reason: 'the push service refused the message as malformed (HTTP 400)' },
    ],
    [
      403,
      undefined,
      { kind: 'failed', status: 403, reason: 'the push service refused the VAPID signature or key (HTTP 403)' },
    ],
    [
      413,
      undefined,
      { kind: 'failed', status: 413, reason: 'the push service refused the message as too large (HTTP 413)' },
    ],
    // A refusal ignores Retry-After: it is not coming back.
    [
      403,
      '60',
      { kind: 'failed', status: 403, reason: 'the push service refused the VAPID signature or key (HTTP 403)' },
    ],
    [429, undefined, { kind: 'retry', status: 429, reason: 'the push service asks to slow down (HTTP 429)' }],
    [500, undefined, { kind: 'retry', status: 500, reason: 'the push service had trouble (HTTP 500)' }],
    [502, undefined, { kind: 'retry', status: 502, reason: 'the push service had trouble (HTTP 502)' }],
    [503, undefined, { kind: 'retry', status: 503, reason: 'the push service had trouble (HTTP 503)' }],
    [599, undefined, { kind: 'retry', status: 599, reason: 'the push service had trouble (HTTP 599)' }],
    [499, undefined, { kind: 'retry', status: 499, reason: 'unexpected answer from the push service (HTTP 499)' }],
    [428, undefined, { kind: 'retry', status: 428, reason: 'unexpected answer from the push service (HTTP 428)' }],
    [430, undefined, { kind: 'retry', status: 430, reason: 'unexpected answer from the push service (HTTP 430)' }],
    [402, undefined, { kind: 'retry', status: 402, reason: 'unexpected answer from the push service (HTTP 402)' }],
    [409, undefined, { kind: 'retry', status: 409, reason: 'unexpected answer from the push service (HTTP 409)' }],
    [412, undefined, { kind: 'retry', status: 412, reason: 'unexpected answer from the push service (HTTP 412)' }],
    [414, undefined, { kind: 'retry', status: 414, reason: 'unexpected answer from the push service (HTTP 414)' }],
    // Neither gone nor a refusal of the message: transient, the device is kept.
    [401, undefined, { kind: 'retry', status: 401, reason: 'unexpected answer from the push service (HTTP 401)' }],
    [408, undefined, { kind: 'retry', status: 408, reason: 'unexpected answer from the push service (HTTP 408)' }],
    [405, undefined, { kind: 'retry', status: 405, reason: 'unexpected answer from the push service (HTTP 405)' }],
    [411, undefined, { kind: 'retry', status: 411, reason: 'unexpected answer from the push service (HTTP 411)' }],
    [301, undefined, { kind: 'retry', status: 301, reason: 'unexpected answer from the push service (HTTP 301)' }],
    [100, undefined, { kind: 'retry', status: 100, reason: 'unexpected answer from the push service (HTTP 100)' }],
    [0, undefined, { kind: 'retry', status: 0, reason: 'unexpected answer from the push service (HTTP 0)' }],
    [300, undefined, { kind: 'retry', status: 300, reason: 'unexpected answer from the push service (HTTP 300)' }],
    [199, undefined, { kind: 'retry', status: 199, reason: 'unexpected answer from the push service (HTTP 199)' }],
    [
      405,
      '5',
      { kind: 'retry', status: 405, reason: 'unexpected answer from the push service (HTTP 405)', retryAfterMs: 5_000 },
    ],
  ];
  for (const [status, retryAfter, expected] of rows)
    assert.deepEqual(classifyStatus(status, retryAfter, NOW), expected, `HTTP ${status} Retry-After ${retryAfter}`);
});

test('Retry-After on a retry: seconds (one digit, many digits, zero) or an HTTP date; nonsense is left out', () => {
  const retry429 = { kind: 'retry', status: 429, reason: 'the push service asks to slow down (HTTP 429)' } as const;
  const retry503 = { kind: 'retry', status: 503, reason: 'the push service had trouble (HTTP 503)' } as const;
  const rows: [number, string, SendOutcome][] = [
    [429, '7', { ...retry429, retryAfterMs: 7_000 }],
    [429, '120', { ...retry429, retryAfterMs: 120_000 }],
    [429, '86400', { ...retry429, retryAfterMs: 86_400_000 }],
    [429, ' 30 ', { ...retry429, retryAfterMs: 30_000 }],
    [429, '0', { ...retry429, retryAfterMs: 0 }],
    [503, '120', { ...retry503, retryAfterMs: 120_000 }],
    [503, httpDate(NOW + 90_000), { ...retry503, retryAfterMs: 90_000 }],
    [429, httpDate(NOW + 3_600_000), { ...retry429, retryAfterMs: 3_600_000 }],
    // A date already past means "now", never a negative wait.
    [503, httpDate(NOW - 60_000), { ...retry503, retryAfterMs: 0 }],
    [429, 'soon', retry429],
    [429, '', retry429],
    [429, '-5', retry429],
    [429, '1.5', retry429],
    [429, '120 GMT', retry429],
    [429, 'Sun, 06 Dec 2026 12:01:00', retry429],
    [429, 'Sun, 06 Dec 2026 14:00:00 GMT+0200', retry429],
    [429, 'Sunday 06 Dec 2026 12:01:00 GMT', retry429],
    // Words before the weekday: not an HTTP date, though Date.parse would read one.
    [429, 'x Sun, 06 Dec 2026 12:01:00 GMT', retry429],
    [429, 'Sun, 06 Dec 2026 12:01:00 GMT', { ...retry429, retryAfterMs: 60_000 }],
    [503, 'Sun, 06 Dec 2026 12:00:00 GMT', { ...retry503, retryAfterMs: 0 }],
    [503, 'Sun, 06 Dec 2026 11:00:00 GMT', { ...retry503, retryAfterMs: 0 }],
  ];
  for (const [status, retryAfter, expected] of rows)
    assert.deepEqual(classifyStatus(status, retryAfter, NOW), expected, `HTTP ${status} Retry-After "${retryAfter}"`);
  assert.equal(parseRetryAfter(undefined, NOW), undefined);
  assert.equal(parseRetryAfter('120', NOW), 120_000);
  assert.equal(parseRetryAfter(httpDate(NOW + 2_000), NOW), 2_000);
});

function errorWith(code: string | undefined, message = 'boom'): NodeJS.ErrnoException {
  const err = new Error(message) as NodeJS.ErrnoException;
  if (code !== undefined) err.code = code;
  return err;
}

test('every connection error is transient, with the reason in words: DNS, blocked address, TLS, timeouts, resets, unknown', () => {
  const rows: [NodeJS.ErrnoException, string][] = [
    [
      new BlockedAddressError('push.example.org resolves to 10.0.0.1'),
      'the push service name resolved to a private address — a captive portal or a local DNS?',
    ],
    [errorWith('ENOTFOUND'), 'the push service host was not found — is DNS working?'],
    [errorWith('EAI_AGAIN'), 'name lookup failed for now — is the network up?'],
    [errorWith('ECONNREFUSED'), 'the push service refused the connection'],
    [errorWith('ECONNRESET'), 'the connection was reset'],
    [errorWith('ECONNABORTED'), 'the connection was aborted'],
    [errorWith('EPIPE'), 'the connection was closed while sending'],
    [errorWith('UND_ERR_SOCKET'), 'the connection was closed while sending'],
    [errorWith('ETIMEDOUT'), 'the connection timed out'],
    [errorWith('ENETUNREACH'), 'network unreachable — is the network up?'],
    [errorWith('EHOSTUNREACH'), 'host unreachable — is the network up?'],
    [errorWith('ERR_PUSH_TIMEOUT'), 'timed out'],
    ...[
      'CERT_NOT_YET_VALID',
      'CERT_HAS_EXPIRED',
      'CRL_NOT_YET_VALID',
      'CRL_HAS_EXPIRED',
      'ERROR_IN_CERT_NOT_BEFORE_FIELD',
      'ERROR_IN_CERT_NOT_AFTER_FIELD',
    ].map((code): [NodeJS.ErrnoException, string] => [
      errorWith(code),
      `certificate not trusted — is the clock right? (${code})`,
    ]),
    ...[
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
    ].map((code): [NodeJS.ErrnoException, string] => [
      errorWith(code),
      `certificate not trusted — is the clock right, or a proxy in between? (${code})`,
    ]),
    [errorWith('EPROTO'), 'TLS handshake failed (EPROTO)'],
    [errorWith('ERR_SSL_WRONG_VERSION_NUMBER'), 'TLS handshake failed (ERR_SSL_WRONG_VERSION_NUMBER)'],
    [errorWith('ERR_TLS_HANDSHAKE_TIMEOUT'), 'TLS handshake failed (ERR_TLS_HANDSHAKE_TIMEOUT)'],
    [errorWith('ERR_HTTP2_STREAM_ERROR'), 'HTTP/2 stream or session closed (ERR_HTTP2_STREAM_ERROR)'],
    [errorWith('ERR_HTTP2_GOAWAY_SESSION'), 'HTTP/2 stream or session closed (ERR_HTTP2_GOAWAY_SESSION)'],
    [errorWith('ERR_SOMETHING_NEW'), 'unexpected error: ERR_SOMETHING_NEW'],
    // Near misses of the patterns above stay unknown.
    [errorWith('ERR_TLSX'), 'unexpected error: ERR_TLSX'],
    [errorWith('X_ERR_TLS_Y'), 'unexpected error: X_ERR_TLS_Y'],
    [errorWith('X_ERR_HTTP2_Y'), 'unexpected error: X_ERR_HTTP2_Y'],
    [errorWith('CERT_SOMETHING_NEW'), 'unexpected error: CERT_SOMETHING_NEW'],
    [errorWith('ENOTFOUNDX'), 'unexpected error: ENOTFOUNDX'],
    [errorWith(undefined, 'socket hang up'), 'unexpected error: socket hang up'],
    [errorWith(undefined, ''), 'unexpected error: unknown'],
    [errorWith('', 'odd'), 'unexpected error: odd'],
  ];
  for (const [err, reason] of rows)
    assert.deepEqual(classifyError(err), { kind: 'retry', reason }, `${err.code ?? err.name}: ${err.message}`);
});

test('an HTTP/2 stream closed with no response is a transient reset, naming its code', () => {
  assert.deepEqual(streamClosedOutcome(2), { kind: 'retry', reason: 'HTTP/2 stream reset (code 2)' });
  assert.deepEqual(streamClosedOutcome(8), { kind: 'retry', reason: 'HTTP/2 stream reset (code 8)' });
  assert.deepEqual(streamClosedOutcome(undefined), { kind: 'retry', reason: 'HTTP/2 stream reset (code 0)' });
});
