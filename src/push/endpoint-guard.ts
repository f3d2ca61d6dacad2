// Push endpoints come from browsers and the server POSTs to them, so an endpoint must not
// point into the server's own network: https only, and every address actually connected to
// must be public. The name check alone is not enough (DNS may answer 127.0.0.1), so the
// connection's own lookup is guarded too. --push-allow-insecure lifts both for tests/LANs.
import { BlockList, isIP } from 'node:net';
import dns from 'node:dns';

export const MAX_ENDPOINT_LENGTH = 2048;

const blocked = new BlockList();
// The IANA IPv4 and IPv6 special-purpose address registries (RFC 6890 and later), whole:
// none of these is a push service on the public internet.
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.31.196.0', 24],
  ['192.52.193.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['192.175.48.0', 24],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(net, prefix, 'ipv4');
// 2001::/23 holds Teredo (2001::/32, which tunnels to any IPv4 address), benchmarking,
// ORCHID and AMT; 2002::/16 (6to4) and 64:ff9b::/96 (NAT64) embed an IPv4 address that may
// be private; 3fff::/20 and 2001:db8::/32 are documentation; 5f00::/16 is SRv6.
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['::', 96],
  ['::ffff:0:0:0', 96],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['2620:4f:8000::', 48],
  ['3fff::', 20],
  ['5f00::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  blocked.addSubnet(net, prefix, 'ipv6');

/** True for an address on the public internet (not private, loopback, link-local, reserved…). */
export function isPublicAddress(address: string): boolean {
  let a = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const zone = a.indexOf('%');
  if (zone !== -1) a = a.slice(0, zone);
  const family = isIP(a);
  if (family === 0) return false;
  if (family === 6) {
    // IPv4-mapped (::ffff:a.b.c.d) is judged by its IPv4 address.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
    if (mapped) return isPublicAddress(mapped[1]!);
    if (/^::ffff:/i.test(a)) return false;
    return !blocked.check(a, 'ipv6');
  }
  return !blocked.check(a, 'ipv4');
}

/** Why an endpoint is refused before any connection, or undefined when it may be used. */
export function endpointProblem(endpoint: string | URL, allowInsecure: boolean): string | undefined {
  if (endpoint.toString().length > MAX_ENDPOINT_LENGTH) return `at most ${MAX_ENDPOINT_LENGTH} characters`;
  let url: URL;
  try {
    url = typeof endpoint === 'string' ? new URL(endpoint) : endpoint;
  } catch {
    return 'must be a URL';
  }
  if (url.username || url.password) return 'must not carry credentials';
  if (allowInsecure) {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL';
    return undefined;
  }
  if (url.protocol !== 'https:') return 'must be an https: URL';
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (isIP(host)) return isPublicAddress(host) ? undefined : 'must point to a public address';
  if (!host.includes('.') || /(^|\.)(localhost|local|internal|lan|home\.arpa)$/i.test(host))
    return 'must point to a public host';
  return undefined;
}

export class BlockedAddressError extends Error {
  override name = 'BlockedAddressError';
  readonly code = 'ERR_PUSH_ADDRESS_BLOCKED';
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | dns.LookupAddress[],
  family?: number,
) => void;

export type Lookup = (
  hostname: string,
  options: dns.LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
) => void;

const systemLookup: Lookup = (hostname, options, callback) => dns.lookup(hostname, options, callback);

/**
 * A drop-in for dns.lookup for the push agent: it resolves as usual (or with `resolve`,
 * for tests of a lying DNS) and refuses non-public answers, so the address the socket
 * connects to is the one checked.
 */
export function guardedLookup(resolve: Lookup = systemLookup) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    resolve(hostname, { ...options, all: true }, (err, list) => {
      if (err) return callback(err, '');
      const bad = list.find((a) => !isPublicAddress(a.address));
      if (bad || list.length === 0) {
        return callback(new BlockedAddressError(`push endpoint host ${hostname} resolves to a non-public address`), '');
      }
      if (options.all) callback(null, list);
      else callback(null, list[0]!.address, list[0]!.family);
    });
  };
}
