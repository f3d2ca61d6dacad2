// Who the client is behind a reverse proxy, as pure functions and through a Hono context:
// X-Forwarded-For walked from the right past trusted hops only, loopback always trusted,
// and the rate-limit key (IPv4 by address, IPv6 by its /64).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { BlockList } from 'node:net';
import { clientAddress, clientKey, isLoopback, isTrustedProxy, trueClient } from '../../src/kit/client-address.ts';

/** Ranges as --trusted-proxies makes them (node:net BlockList). */
function ranges(...cidrs: string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address, prefix] = cidr.split('/') as [string, string];
    list.addSubnet(address, Number(prefix), address.includes(':') ? 'ipv6' : 'ipv4');
  }
  return list;
}
const OFFICE = ranges('10.0.0.0/8', 'fd7a:115c:a1e0::/48');
const NONE = ranges();

test('loopback is 127.0.0.0/8 and ::1, nothing else', () => {
  for (const address of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1'])
    assert.equal(isLoopback(address), true);
  for (const address of ['128.0.0.1', '10.0.0.1', '::2', 'fe80::1', 'localhost'])
    assert.equal(isLoopback(address), false);
});

test('a trusted proxy is loopback or inside a configured range', () => {
  assert.equal(isTrustedProxy('127.0.0.1', NONE), true);
  assert.equal(isTrustedProxy('10.1.2.3', NONE), false);
  assert.equal(isTrustedProxy('10.1.2.3', OFFICE), true);
  assert.equal(isTrustedProxy('fd7a:115c:a1e0:5::9', OFFICE), true);
  assert.equal(isTrustedProxy('11.1.2.3', OFFICE), false);
});

test('without trust-proxy, or without X-Forwarded-For, or from an untrusted socket, the socket is the client', () => {
  assert.equal(trueClient('127.0.0.1', '203.0.113.7', false, NONE), '127.0.0.1');
  assert.equal(trueClient('127.0.0.1', undefined, true, NONE), '127.0.0.1');
  assert.equal(trueClient('127.0.0.1', '', true, NONE), '127.0.0.1');
  assert.equal(trueClient('198.51.100.4', '203.0.113.7', true, NONE), '198.51.100.4');
});

test('X-Forwarded-For is walked from the right: trusted hops are skipped, the first untrusted one is the client', () => {
  assert.equal(trueClient('127.0.0.1', '203.0.113.7', true, NONE), '203.0.113.7');
  // The left-most value is whatever the client sent: never believed past an untrusted hop.
  assert.equal(trueClient('127.0.0.1', '6.6.6.6, 203.0.113.7', true, NONE), '203.0.113.7');
  assert.equal(trueClient('127.0.0.1', ' 203.0.113.7 , 10.0.0.2 ', true, OFFICE), '203.0.113.7');
  assert.equal(trueClient('10.0.0.1', '6.6.6.6,203.0.113.7,10.9.9.9,127.0.0.1', true, OFFICE), '203.0.113.7');
  // Only trusted hops: the left-most of them is the nearest to the client that is known.
  assert.equal(trueClient('127.0.0.1', '10.0.0.3, 10.0.0.2', true, OFFICE), '10.0.0.3');
});

test('a hop that is not an IP address stops the walk at the last believed one', () => {
  assert.equal(trueClient('127.0.0.1', 'unknown', true, NONE), '127.0.0.1');
  assert.equal(trueClient('127.0.0.1', '203.0.113.7, _hidden, 10.0.0.2', true, OFFICE), '10.0.0.2');
});

test('the rate-limit key is an IPv4 address itself and an IPv6 address its /64', () => {
  assert.equal(clientKey('203.0.113.7'), '203.0.113.7');
  assert.equal(clientKey('::ffff:203.0.113.7'), '203.0.113.7');
  assert.equal(clientKey('2001:db8:aa:bb:1:2:3:4'), '2001:db8:aa:bb::/64');
  assert.equal(clientKey('2001:db8:aa:bb::9'), '2001:db8:aa:bb::/64');
  assert.equal(clientKey('fe80:0:0:12::1'), 'fe80:0:0:12::/64');
  assert.equal(clientKey('unknown'), 'unknown');
});

test('the /64 of every short form: zeros filled in where `::` stands, on either side and with groups after it', () => {
  assert.equal(clientKey('2001:db8::9'), '2001:db8:0:0::/64');
  assert.equal(clientKey('::9'), '0:0:0:0::/64');
  assert.equal(clientKey('2001:db8::1:2:3'), '2001:db8:0:0::/64');
  assert.equal(clientKey('1::2:3:4:5:6'), '1:0:0:2::/64');
  assert.equal(clientKey('2001:db8:aa:bb:cc:dd:ee:ff'), '2001:db8:aa:bb::/64');
  // An IPv4 tail elsewhere than ::ffff: is an IPv6 address like any other.
  assert.equal(clientKey('1::ffff:203.0.113.7'), '1:0:0:0::/64');
});

test('brackets and a zone are dropped, only where they belong: [addr] and addr%zone', () => {
  assert.equal(clientKey('[2001:db8:aa:bb::9]'), '2001:db8:aa:bb::/64');
  assert.equal(clientKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
  assert.equal(isLoopback('[::1]'), true);
  assert.equal(isLoopback('127.0.0.1['), false, 'a bracket at the end is not one around the address');
  assert.equal(isLoopback('127.0.]0.1'), false, 'nor one inside it');
  // IPv4-mapped addresses with octets of any length are their IPv4 address; anything after them is not an address.
  assert.equal(clientKey('::ffff:198.51.100.42'), '198.51.100.42');
  assert.equal(clientKey('::ffff:203.0.113.7x'), '::ffff:203.0.113.7x');
});

/** What clientAddress gives for a request, with the socket address a Node server would pass. */
async function addressOf(
  socket: string | undefined,
  headers: Record<string, string>,
  config: Parameters<typeof clientAddress>[1],
): Promise<string> {
  const app = new Hono();
  app.get('/', (c) => c.text(clientAddress(c, config)));
  const env = socket === undefined ? undefined : { incoming: { socket: { remoteAddress: socket } } };
  return (await app.request('/', { headers }, env)).text();
}

test("clientAddress reads the socket's address, and X-Forwarded-For only behind a trusted proxy", async () => {
  const none = { trustProxy: false, trustedProxies: NONE };
  const proxied = { trustProxy: true, trustedProxies: OFFICE };
  assert.equal(await addressOf('198.51.100.4', {}, none), '198.51.100.4');
  assert.equal(await addressOf('198.51.100.4', { 'x-forwarded-for': '203.0.113.7' }, none), '198.51.100.4');
  assert.equal(await addressOf('10.0.0.1', { 'x-forwarded-for': '203.0.113.7' }, proxied), '203.0.113.7');
  assert.equal(await addressOf('198.51.100.4', { 'x-forwarded-for': '203.0.113.7' }, proxied), '198.51.100.4');
});

test('clientAddress without a socket (app.request) or its address is "unknown", whatever X-Forwarded-For says', async () => {
  const proxied = { trustProxy: true, trustedProxies: OFFICE };
  assert.equal(await addressOf(undefined, { 'x-forwarded-for': '203.0.113.7' }, proxied), 'unknown');
  // A socket already closed has no remote address.
  const app = new Hono();
  app.get('/', (c) => c.text(clientAddress(c, proxied)));
  const closed = await app.request(
    '/',
    { headers: { 'x-forwarded-for': '203.0.113.7' } },
    { incoming: { socket: {} } },
  );
  assert.equal(await closed.text(), 'unknown');
});
