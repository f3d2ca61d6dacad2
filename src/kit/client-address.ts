// The true client behind a reverse proxy: X-Forwarded-For is read from the right, and only
// hops appended by a trusted proxy (loopback, or a --trusted-proxies range) are skipped.
// Ranges are node:net BlockLists (IPv4-mapped IPv6 addresses match their IPv4 ranges).
import { BlockList, isIP } from 'node:net';
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { requestHeader } from './request-headers.ts';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** An address as written in a socket or a header: `[::1]` and a zone (`%eth0`) are dropped. */
function plain(address: string): string {
  const bare = address.replace(/^\[|\]$/g, '');
  const zone = bare.indexOf('%');
  return zone === -1 ? bare : bare.slice(0, zone);
}

function inList(address: string, list: BlockList): boolean {
  const text = plain(address);
  // BlockList.check answers false for anything that is not an address of the family named.
  // (Its IPv6 check also takes "" for the family name: that mutant of 'ipv6' is equivalent.)
  return list.check(text, isIP(text) === 6 ? 'ipv6' : 'ipv4');
}

export function isLoopback(address: string): boolean {
  return inList(address, LOOPBACK);
}

/** A proxy whose X-Forwarded-For hop is believed: loopback always, plus the configured ranges. */
export function isTrustedProxy(address: string, trusted: BlockList): boolean {
  return isLoopback(address) || inList(address, trusted);
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
  trusted: BlockList,
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
  const text = plain(address);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text)?.[1];
  const family = isIP(mapped ?? text);
  if (family === 4) return mapped ?? text;
  if (family !== 6) return address;
  // The URL parser writes IPv6 in its short form, an embedded IPv4 tail in hex: expand the `::`.
  const short = new URL(`http://[${text}]`).hostname.slice(1, -1);
  const [head, tail] = short.split('::') as [string, string?];
  const left = head ? head.split(':') : [];
  // Stryker disable next-line ArrayDeclaration: with a `::` at the end, a group put right lands in the eighth, outside the /64
  const right = tail ? tail.split(':') : [];
  // Without a `::` the short form has all 8 groups: nothing to fill.
  const groups = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/** The socket's address, or the true client behind trusted proxies (see trueClient). */
export function clientAddress(c: Context, config: { trustProxy: boolean; trustedProxies: BlockList }): string {
  let socket = 'unknown';
  try {
    socket = getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // not served by node:http (app.request() in tests): no socket
  }
  return trueClient(socket, requestHeader(c, 'x-forwarded-for'), config.trustProxy, config.trustedProxies);
}
