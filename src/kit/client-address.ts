// The true client behind a reverse proxy: X-Forwarded-For is read from the right, and only
// hops appended by a trusted proxy (loopback, or a --trusted-proxies range) are skipped.
import { isIP } from 'node:net';
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { addressValue, inCidr, parseCidr, type Cidr } from '../cidr.ts';
import { requestHeader } from './request-headers.ts';

const LOOPBACK = [parseCidr('127.0.0.0/8')!, parseCidr('::1/128')!];

export function isLoopback(address: string): boolean {
  return LOOPBACK.some((c) => inCidr(address, c));
}

/** A proxy whose X-Forwarded-For hop is believed: loopback always, plus the configured ranges. */
export function isTrustedProxy(address: string, trusted: readonly Cidr[]): boolean {
  return isLoopback(address) || trusted.some((c) => inCidr(address, c));
}

/**
 * The client's address. Without trust-proxy, the socket's. With it, walk X-Forwarded-For from
 * the right while the hop in hand is a trusted proxy: the first untrusted hop is the client.
 * A hop that is not an IP address stops the walk at the last believed one.
 */
export function trueClient(
  socketAddress: string,
  forwardedFor: string | undefined,
  trustProxy: boolean,
  trusted: readonly Cidr[],
): string {
  if (!trustProxy || !forwardedFor || !isTrustedProxy(socketAddress, trusted)) return socketAddress;
  const hops = forwardedFor.split(',').map((h) => h.trim());
  let client = socketAddress;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (!isIP(hop)) break;
    client = hop;
    if (!isTrustedProxy(hop, trusted)) break;
  }
  return client;
}

/** The rate-limit key of an address: IPv6 clients by their /64 (one home network or phone). */
export function clientKey(address: string): string {
  const parsed = addressValue(address);
  if (!parsed) return address;
  if (parsed.family === 4) return [24n, 16n, 8n, 0n].map((s) => (parsed.value >> s) & 0xffn).join('.');
  const prefix = parsed.value >> 64n;
  return `${[48n, 32n, 16n, 0n].map((s) => ((prefix >> s) & 0xffffn).toString(16)).join(':')}::/64`;
}

/** The socket's address, or the true client behind trusted proxies (see trueClient). */
export function clientAddress(c: Context, config: { trustProxy: boolean; trustedProxies: readonly Cidr[] }): string {
  let socket = 'unknown';
  try {
    socket = getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // not served by node:http (app.request() in tests): no socket
  }
  return trueClient(socket, requestHeader(c, 'x-forwarded-for'), config.trustProxy, config.trustedProxies);
}
