// The VAPID Authorization header (RFC 8292): an ES256 JWT per push-service origin, signed
// once and reused until shortly before it expires, instead of one signature per message.
import { sign } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { VapidKeys } from './vapid.ts';

/**
 * How long a token is valid. Push services refuse an `exp` in the past or more than 24 h
 * ahead by their clock, so 12 h sits in the middle: a clock up to about 10 h off either way
 * still gets through (a day off cannot; doctor and the log warn about that).
 */
export const JWT_LIFETIME_MS = 12 * 3_600_000;
/** A cached token is used for its first 2 hours only, so it always has 10 h or more left. */
export const JWT_REUSE_MS = 2 * 3_600_000;

function b64(text: string): string {
  return Buffer.from(text).toString('base64url');
}

function signVapidJwt(keys: VapidKeys, audience: string, subject: string, expiresAtSeconds: number): string {
  const unsigned = `${b64('{"typ":"JWT","alg":"ES256"}')}.${b64(JSON.stringify({ aud: audience, exp: expiresAtSeconds, sub: subject }))}`;
  const signature = sign('sha256', Buffer.from(unsigned), { key: keys.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${unsigned}.${signature.toString('base64url')}`;
}

export interface VapidSigner {
  /** The header value for a request to endpoint. */
  authorization(endpoint: string): string;
  readonly publicKey: string;
}

export function createVapidSigner(keys: VapidKeys, subject: string, clock: Clock): VapidSigner {
  const cache = new Map<string, { header: string; renewAt: number }>();
  return {
    publicKey: keys.publicKey,
    authorization(endpoint) {
      // Cached by the endpoint's text up to its path; the audience itself is the URL origin.
      const slash = endpoint.indexOf('/', endpoint.indexOf('//') + 2);
      const key = slash === -1 ? endpoint : endpoint.slice(0, slash);
      const now = clock.now();
      const hit = cache.get(key);
      if (hit && now < hit.renewAt) return hit.header;
      const audience = new URL(endpoint).origin;
      const exp = Math.floor((now + JWT_LIFETIME_MS) / 1000);
      const header = `vapid t=${signVapidJwt(keys, audience, subject, exp)}, k=${keys.publicKey}`;
      if (cache.size > 1000) cache.clear();
      cache.set(key, { header, renewAt: now + JWT_REUSE_MS });
      return header;
    },
  };
}

/**
 * The signer for the keys in the database. `vapid generate --force` may replace them while
 * the server runs, so the public key is looked at again now and then (cheap), and the
 * private key is opened again only when it changed.
 */
export function createSignerSource(
  load: () => VapidKeys,
  currentPublicKey: () => string | undefined,
  subject: string,
  clock: Clock,
  recheckMs = 10_000,
): () => VapidSigner {
  let signer = createVapidSigner(load(), subject, clock);
  let checkedAt = clock.now();
  return () => {
    const now = clock.now();
    if (now - checkedAt >= recheckMs) {
      checkedAt = now;
      const current = currentPublicKey();
      if (current && current !== signer.publicKey) signer = createVapidSigner(load(), subject, clock);
    }
    return signer;
  };
}
