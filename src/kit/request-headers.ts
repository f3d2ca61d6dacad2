// Request headers and cookies read from Node's own parsed request when Node serves it: asking
// the web Request instead makes @hono/node-server build a whole `Headers` from every raw
// header, which cost more than a signed-in `GET /api/logbooks` does with its two queries.
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { parse } from 'hono/utils/cookie';

/** The Node request behind c, when served by node:http (not under app.request(), whose env may hold a bare socket). */
export function nodeIncoming(c: Context): IncomingMessage | undefined {
  const incoming = (c.env as { incoming?: Partial<IncomingMessage> } | undefined)?.incoming;
  return incoming?.headers && typeof incoming.on === 'function' ? (incoming as IncomingMessage) : undefined;
}

/** One request header by its lower-case name; repeated ones joined as Node joins them. */
export function requestHeader(c: Context, name: string): string | undefined {
  const incoming = nodeIncoming(c);
  if (!incoming) return c.req.header(name);
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** One cookie's value from a Cookie header, as hono/cookie's getCookie reads it. */
export function cookieIn(header: string | undefined, name: string): string | undefined {
  return header ? parse(header, name)[name] : undefined;
}
