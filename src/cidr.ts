// Address ranges (CIDR) for IPv4 and IPv6, as numbers: what --trusted-proxies is made of.
// Plain arithmetic over node:net's isIP; IPv4-mapped IPv6 addresses count as IPv4.
import { isIP } from 'node:net';

/** One address range, e.g. 10.0.0.0/8 or fd7a:115c:a1e0::/48, as numbers for matching. */
export interface Cidr {
  family: 4 | 6;
  base: bigint;
  bits: number;
}

/** An address as a number (IPv4-mapped IPv6 counts as IPv4); undefined when it is not one. */
export function addressValue(address: string): { family: 4 | 6; value: bigint } | undefined {
  const plain = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(plain);
  const text = mapped ? mapped[1]! : plain;
  const family = isIP(text);
  if (family === 4) {
    return { family: 4, value: text.split('.').reduce((n, part) => (n << 8n) | BigInt(Number(part)), 0n) };
  }
  if (family !== 6) return undefined;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let body = text;
  if (tail) {
    const v4 = addressValue(tail[1]!)!.value;
    body = `${text.slice(0, -tail[1]!.length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, rest] = body.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const groups = rest === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return { family: 6, value: groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

/** Parses `10.0.0.0/8`, `::1` or `fd00::/8`; undefined when it is not a range. */
export function parseCidr(text: string): Cidr | undefined {
  const [address, prefix, extra] = text.trim().split('/');
  if (extra !== undefined || !address) return undefined;
  const parsed = addressValue(address);
  if (!parsed) return undefined;
  const max = parsed.family === 4 ? 32 : 128;
  if (prefix !== undefined && !/^\d{1,3}$/.test(prefix)) return undefined;
  const bits = prefix === undefined ? max : Number(prefix);
  if (bits > max) return undefined;
  const shift = BigInt(max - bits);
  return { family: parsed.family, base: (parsed.value >> shift) << shift, bits };
}

export function inCidr(address: string, cidr: Cidr): boolean {
  const parsed = addressValue(address);
  if (!parsed || parsed.family !== cidr.family) return false;
  const shift = BigInt((cidr.family === 4 ? 32 : 128) - cidr.bits);
  return (parsed.value >> shift) << shift === cidr.base;
}
