// HTTP/2 to push services that speak it (FCM, Mozilla, Apple do): one TLS connection per
// push service carries many messages at once, so a fan-out costs far fewer TLS records
// and system calls than one HTTP/1.1 request per connection turn. ALPN decides per
// origin; a service that answers http/1.1 is remembered and gets the HTTP/1.1 agent.
import http2 from 'node:http2';
import tls from 'node:tls';
import type { LookupFunction } from 'node:net';

export interface H2Options {
  /** The guarded name lookup (undefined with --push-allow-insecure). */
  lookup?: LookupFunction | undefined;
  /** Extra trusted CA certificates (tests). */
  ca?: string | Buffer | undefined;
  connectTimeoutMs: number;
}

export interface H2Sessions {
  /** A ready session for the origin, or undefined when it speaks only HTTP/1.1. */
  session(url: URL): Promise<http2.ClientHttp2Session | undefined>;
  close(): void;
}

/** Sessions idle this long are closed. */
const IDLE_MS = 60_000;

export function createH2Sessions(options: H2Options): H2Sessions {
  const ready = new Map<string, http2.ClientHttp2Session>();
  const connecting = new Map<string, Promise<http2.ClientHttp2Session | undefined>>();
  const http1Only = new Set<string>();
  const open = new Set<http2.ClientHttp2Session>();

  function connect(url: URL): Promise<http2.ClientHttp2Session | undefined> {
    const origin = url.origin;
    return new Promise((resolve, reject) => {
      const socket = tls.connect({
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: Number(url.port || 443),
        servername: /^[\d.]+$|:/.test(url.hostname) ? undefined : url.hostname,
        ALPNProtocols: ['h2', 'http/1.1'],
        ...(options.lookup ? { lookup: options.lookup } : {}),
        ...(options.ca ? { ca: [...tls.rootCertificates, options.ca.toString()] } : {}),
      });
      const timer = setTimeout(
        () => socket.destroy(Object.assign(new Error('push connection timed out'), { code: 'ERR_PUSH_TIMEOUT' })),
        options.connectTimeoutMs,
      );
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        if (socket.alpnProtocol !== 'h2') {
          http1Only.add(origin);
          socket.destroy();
          return resolve(undefined);
        }
        const session = http2.connect(origin, { createConnection: () => socket, settings: { enablePush: false } });
        open.add(session);
        ready.set(origin, session);
        const forget = () => {
          open.delete(session);
          if (ready.get(origin) === session) ready.delete(origin);
        };
        session.on('error', forget);
        session.on('goaway', forget);
        session.on('close', forget);
        session.setTimeout(IDLE_MS, () => session.close());
        session.unref();
        resolve(session);
      });
    });
  }

  return {
    session(url) {
      const origin = url.origin;
      if (http1Only.has(origin)) return Promise.resolve(undefined);
      const live = ready.get(origin);
      if (live && !live.closed && !live.destroyed) return Promise.resolve(live);
      let pending = connecting.get(origin);
      if (!pending) {
        // Messages that arrive while connecting share the one connection attempt; a failed
        // attempt is forgotten, so the next message tries again.
        pending = connect(url).finally(() => connecting.delete(origin));
        connecting.set(origin, pending);
      }
      return pending;
    },
    close() {
      for (const s of open) s.destroy();
      open.clear();
      ready.clear();
    },
  };
}
