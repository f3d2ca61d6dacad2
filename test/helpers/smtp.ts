// A real SMTP relay on 127.0.0.1 for tests (npm smtp-server): it asks for STARTTLS and AUTH as
// a provider's submission port does, and can be told to take mail, refuse it (451, transient)
// or hang after the greeting. Every email taken is parsed back with mailparser.
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { makeTestCertificates, type TestCertificates } from './tls.ts';
import { tempDir } from './server.ts';

export type RelayMode = 'accept' | 'refuse' | 'hang';

export interface ReceivedEmail {
  to: string[];
  from: string;
  raw: string;
  mail: ParsedMail;
}

export interface TestRelay {
  port: number;
  /** smtp://crewbell:secret@127.0.0.1:PORT, trusting the test CA through tls.ca in-process is not possible: use `urlInsecure` or NODE_EXTRA_CA_CERTS. */
  url: string;
  /** The same, with nodemailer's `tls.rejectUnauthorized=false` (in-process tests that cannot set a CA). */
  urlInsecure: string;
  certs: TestCertificates;
  mode: RelayMode;
  received: ReceivedEmail[];
  /** Sessions that got as far as AUTH (a doctor check logs in, sends nothing). */
  authenticated: number;
  /** Connections that upgraded with STARTTLS. */
  secured: number;
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedEmail[]>;
  close(): Promise<void>;
}

export const RELAY_USER = 'crewbell';
export const RELAY_PASSWORD = 's3cret-relay';

export async function startRelay(options: { port?: number; certs?: TestCertificates } = {}): Promise<TestRelay> {
  const certs = options.certs ?? makeTestCertificates(tempDir('crewbell-smtp-'));
  const hanging = new Set<() => void>();
  const relay: TestRelay = {
    port: 0,
    url: '',
    urlInsecure: '',
    certs,
    mode: 'accept',
    received: [],
    authenticated: 0,
    secured: 0,
    async waitFor(n, timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      while (relay.received.length < n) {
        if (Date.now() > until) throw new Error(`relay: ${relay.received.length} of ${n} emails after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return relay.received.slice(0, n);
    },
    close: async () => {},
  };
  const server = new SMTPServer({
    key: certs.key,
    cert: certs.cert,
    authMethods: ['PLAIN', 'LOGIN'],
    // Like a submission port: no AUTH before STARTTLS, no mail before AUTH.
    allowInsecureAuth: false,
    authOptional: false,
    logger: false,
    onConnect(_session, callback) {
      if (relay.mode === 'hang') {
        hanging.add(() => callback(new Error('closing')));
        return;
      }
      callback();
    },
    onSecure(_socket, _session, callback) {
      relay.secured++;
      callback();
    },
    onAuth(auth, _session, callback) {
      if (auth.username !== RELAY_USER || auth.password !== RELAY_PASSWORD)
        return callback(new Error('Invalid username or password'));
      relay.authenticated++;
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        if (relay.mode === 'refuse') {
          const err = new Error('Try again later') as Error & { responseCode: number };
          err.responseCode = 451;
          return callback(err);
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        relay.received.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          raw,
          mail: await simpleParser(raw),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  relay.port = (server.server.address() as AddressInfo).port;
  relay.url = `smtp://${RELAY_USER}:${RELAY_PASSWORD}@127.0.0.1:${relay.port}`;
  relay.urlInsecure = `${relay.url}?tls.rejectUnauthorized=false`;
  relay.close = () =>
    new Promise<void>((resolve) => {
      for (const release of hanging) release();
      server.close(() => resolve());
    });
  return relay;
}
