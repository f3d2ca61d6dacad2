// Settings: the serve flags and what they become (ServeConfig), checked with valibot; a bad
// value is a UsageError (exit 2) naming the flag. Reading argv and --help is cli/args.ts.
import * as v from 'valibot';
import { BlockList, isIP } from 'node:net';

export class UsageError extends Error {
  override name = 'UsageError';
}

export type FlagKind = 'string' | 'boolean' | 'duration' | 'integer';

export interface FlagSpec {
  name: string;
  kind: FlagKind;
  /** Shown in --help; undefined means "none". */
  default?: string;
  help: string;
}

export type FlagValue = string | number | boolean | undefined;

export const dataDirFlag: FlagSpec = {
  name: 'data-dir',
  kind: 'string',
  default: './data',
  help: 'folder of the SQLite database crewbell.db and secret.key',
};

export const serveFlags: FlagSpec[] = [
  { name: 'host', kind: 'string', default: '127.0.0.1', help: 'listen address' },
  { name: 'port', kind: 'integer', default: '8080', help: 'listen port (0 = any free port)' },
  {
    name: 'origin',
    kind: 'string',
    help: 'the public URL users open (default http://localhost:<port>); the passkey RP id is its hostname',
  },
  dataDirFlag,
  {
    name: 'vapid-subject',
    kind: 'string',
    help: 'mailto: or https: contact for push services; required when the origin is https',
  },
  {
    name: 'notify-debounce',
    kind: 'duration',
    default: '5s',
    help: 'wait after the first crew change before notifying',
  },
  {
    name: 'notify-throttle',
    kind: 'duration',
    default: '3m',
    help: 'least time between two notifications for one logbook',
  },
  {
    name: 'push-ttl',
    kind: 'duration',
    default: '24h',
    help: 'how long a push service keeps an undelivered message (TTL header)',
  },
  { name: 'push-retries', kind: 'integer', default: '3', help: 'retries after the first attempt' },
  { name: 'push-retry-base', kind: 'duration', default: '2s', help: 'first backoff; doubles each retry, with jitter' },
  { name: 'push-timeout', kind: 'duration', default: '10s', help: 'timeout of one push request' },
  {
    name: 'push-allow-insecure',
    kind: 'boolean',
    help: 'allow http: and private or loopback push endpoints (tests, LANs)',
  },
  { name: 'open-registration', kind: 'boolean', help: 'anyone may sign up; otherwise an invite token is needed' },
  {
    name: 'metrics-token',
    kind: 'string',
    help: '/metrics needs "Authorization: Bearer <token>"; without one only loopback clients get it',
  },
  {
    name: 'trust-proxy',
    kind: 'boolean',
    help: 'take the client address from X-Forwarded-For hops appended by trusted proxies (loopback and --trusted-proxies); /metrics then needs --metrics-token',
  },
  {
    name: 'trusted-proxies',
    kind: 'string',
    help: 'comma-separated proxy addresses or CIDR ranges besides loopback whose X-Forwarded-For hop is believed, e.g. 100.64.0.0/10,fd7a:115c:a1e0::/48',
  },
  {
    name: 'upload-stall-timeout',
    kind: 'duration',
    default: '30s',
    help: 'a request body that moves less than 1 KiB in this long is dropped; headers must arrive within it (at most 15s)',
  },
  {
    name: 'upload-timeout',
    kind: 'duration',
    default: '15m',
    help: 'longest time a request body may take in all (a 4 MiB sync upload at 5 KB/s fits)',
  },
  {
    name: 'subscription-max-age',
    kind: 'duration',
    default: '60d',
    help: 'subscriptions unused this long are removed (daily)',
  },
  { name: 'quota-logbooks', kind: 'integer', default: '100', help: 'logbooks one account may own' },
  {
    name: 'quota-entries',
    kind: 'integer',
    default: '100000',
    help: 'entries (deleted ones included) in the logbooks one account owns',
  },
  {
    name: 'quota-mib',
    kind: 'integer',
    default: '256',
    help: 'MiB of entry ciphertext, earlier versions kept as history included, in the logbooks one account owns',
  },
  {
    name: 'watches-off',
    kind: 'boolean',
    help: 'no watch plans and no watch or log reminders: the watch routes answer 404 watches_off',
  },
  {
    name: 'map-tiles',
    kind: 'string',
    default: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
    help: 'base map tiles a user may turn on under a passage\'s track ({z}/{x}/{y}); "off" for no tiles for anyone',
  },
  {
    name: 'map-seamarks',
    kind: 'string',
    default: 'https://tiles.openseamap.org/seamark/{z}/{x}/{y}.png',
    help: 'seamark tiles drawn over the base map ({z}/{x}/{y}); "off" for none',
  },
  {
    name: 'smtp-url',
    kind: 'string',
    help: 'smtp://user:pass@host:587 (STARTTLS) or smtps://user:pass@host:465; without it no email is sent',
  },
  { name: 'mail-from', kind: 'string', help: 'the From of every email (default crewbell <crewbell@ORIGIN-HOST>)' },
  {
    name: 'email-throttle',
    kind: 'duration',
    default: '1h',
    help: 'at most one fallback email per recipient and logbook in this time',
  },
  {
    name: 'email-retry-base',
    kind: 'duration',
    default: '30s',
    help: 'first wait before an email the relay refused is tried again; doubles each retry (10 retries)',
  },
  { name: 'email-timeout', kind: 'duration', default: '30s', help: 'each step of talking to the relay, at most' },
  {
    name: 'db-synchronous',
    kind: 'string',
    default: 'full',
    help: 'full: an answered change survives a power cut; normal: faster, a power cut may take back the last seconds',
  },
];

export interface ServeConfig {
  host: string;
  port: number;
  /** Undefined until the server knows its port, when the default is http://localhost:<port>. */
  origin: string | undefined;
  dataDir: string;
  vapidSubject: string | undefined;
  notifyDebounceMs: number;
  notifyThrottleMs: number;
  pushTtlMs: number;
  pushRetries: number;
  pushRetryBaseMs: number;
  pushTimeoutMs: number;
  pushAllowInsecure: boolean;
  openRegistration: boolean;
  metricsToken: string | undefined;
  subscriptionMaxAgeMs: number;
  trustProxy: boolean;
  /** A body moving less than 1 KiB in this long is dropped (a stalled upload or a Slowloris). */
  uploadStallMs: number;
  /** Ceiling on receiving one whole request, however steadily its body moves. */
  uploadTimeoutMs: number;
  /** Proxies besides loopback whose X-Forwarded-For hop is believed (with trustProxy). */
  trustedProxies: BlockList;
  quotas: Quotas;
  dbSynchronous: 'FULL' | 'NORMAL';
  /** No watch plans and no watch bell (src/watch/). */
  watchesOff: boolean;
  /** Tile URL templates the PWA may load once a user turns map tiles on; null: off for everyone. */
  mapTiles: string | null;
  mapSeamarks: string | null;
  /** The relay emails go through; undefined: no email at all. */
  smtpUrl: string | undefined;
  /** undefined: crewbell <crewbell@ORIGIN-HOST>. */
  mailFrom: string | undefined;
  emailThrottleMs: number;
  emailRetryBaseMs: number;
  emailTimeoutMs: number;
}

/** Retries after the first attempt of one email. */
export const EMAIL_RETRIES = 10;

/** Per-account bounds on what the logbooks an account owns may hold (crew writes count for the owner). */
export interface Quotas {
  logbooks: number;
  entries: number;
  bytes: number;
}

export const OriginSchema = v.pipe(
  v.string(),
  v.url('must be a URL like https://logbook.example.org'),
  v.check((s) => {
    const u = new URL(s);
    return (
      (u.protocol === 'https:' || u.protocol === 'http:') &&
      (u.pathname === '/' || u.pathname === '') &&
      !u.search &&
      !u.hash
    );
  }, 'must be an http(s) URL with no path, e.g. https://logbook.example.org'),
  v.transform((s) => new URL(s).origin),
);

/** A VAPID subject push services accept: mailto: or https:, and not @localhost (Apple refuses it). */
export const VapidSubjectSchema = v.pipe(
  v.string(),
  v.check(
    (s) => /^mailto:[^@\s]+@[^@\s]+$/.test(s) || /^https:\/\/[^\s]+$/.test(s),
    'must be a mailto: address or an https: URL',
  ),
  v.check(
    (s) => !/@localhost\b/i.test(s) && !/^https:\/\/localhost\b/i.test(s),
    "must not be @localhost (Apple's push service rejects it)",
  ),
);

/** `10.0.0.0/8, fd00::/8, 192.168.1.2`: addresses or CIDR ranges, IPv4 or IPv6. */
export const TrustedProxiesSchema = v.pipe(
  v.string(),
  v.transform((s) =>
    s
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean),
  ),
  v.check(
    (parts) => parts.every((p) => parseRange(p)),
    'must be IP addresses or CIDR ranges separated by commas, e.g. 10.0.0.0/8,fd00::/8',
  ),
  v.maxLength(100, 'at most 100 ranges'),
  v.transform((parts) => {
    const list = new BlockList();
    for (const part of parts) {
      const range = parseRange(part)!;
      list.addSubnet(range.address, range.prefix, range.family);
    }
    return list;
  }),
);

/** A tile URL template, `https://tile.example.org/{z}/{x}/{y}.png`, or "off". */
export const TileUrlSchema = v.union([
  v.pipe(
    v.literal('off'),
    v.transform(() => null),
  ),
  v.pipe(
    v.string(),
    v.check((s) => /^https?:\/\/[^/\s]+\/\S*$/.test(s) && URL.canParse(s), 'must be an http(s) URL or "off"'),
    v.check((s) => ['{z}', '{x}', '{y}'].every((part) => s.includes(part)), 'must contain {z}, {x} and {y}'),
    v.maxLength(500, 'at most 500 characters'),
  ),
]);

/** `smtp://[user:pass@]host[:port]` or `smtps://…`; nodemailer's query options may follow. */
export const SmtpUrlSchema = v.pipe(
  v.string(),
  v.check((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'smtp:' || u.protocol === 'smtps:') && u.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be smtp://user:pass@host:587 or smtps://user:pass@host:465'),
);

/** `name <address>` or a bare address. */
export const MailFromSchema = v.pipe(
  v.string(),
  v.maxLength(300, 'at most 300 characters'),
  v.regex(/^(?:[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/, 'must be an address, or a name and <address>'),
);

/** The From when --mail-from is not given. */
export function defaultMailFrom(origin: string): string {
  return `crewbell <crewbell@${new URL(origin).hostname}>`;
}

/** `10.0.0.0/8`, `fd00::/8` or one address, as node:net's BlockList takes a subnet; undefined when it is none. */
export function parseRange(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address = '', prefix, extra] = text.trim().split('/');
  const family = isIP(address);
  if (!family || extra !== undefined) return undefined;
  const max = family === 4 ? 32 : 128;
  if (prefix !== undefined && !/^\d{1,3}$/.test(prefix)) return undefined;
  const bits = prefix === undefined ? max : Number(prefix);
  return bits > max ? undefined : { address, prefix: bits, family: family === 4 ? 'ipv4' : 'ipv6' };
}

function check<T>(schema: v.GenericSchema<string, T>, value: string, flag: string): T {
  const r = v.safeParse(schema, value);
  if (!r.success) throw new UsageError(`--${flag}: ${r.issues[0].message}`);
  return r.output;
}

export function serveConfig(values: Record<string, FlagValue>): ServeConfig {
  const port = values.port as number;
  if (port > 65535) throw new UsageError('--port: must be between 0 and 65535');
  const origin = values.origin === undefined ? undefined : check(OriginSchema, values.origin as string, 'origin');
  const vapidSubject =
    values['vapid-subject'] === undefined
      ? undefined
      : check(VapidSubjectSchema, values['vapid-subject'] as string, 'vapid-subject');
  if (origin?.startsWith('https:') && !vapidSubject) {
    throw new UsageError('--vapid-subject is required when the origin is https (e.g. mailto:skipper@example.org)');
  }
  const retries = values['push-retries'] as number;
  if (retries > 20) throw new UsageError('--push-retries: at most 20');
  const positive = (name: string) => {
    const ms = values[name] as number;
    if (ms <= 0) throw new UsageError(`--${name}: must be more than 0`);
    return ms;
  };
  const atLeastOne = (name: string) => {
    const n = values[name] as number;
    if (n < 1) throw new UsageError(`--${name}: must be 1 or more`);
    return n;
  };
  return {
    host: values.host as string,
    port,
    origin,
    dataDir: values['data-dir'] as string,
    vapidSubject,
    notifyDebounceMs: values['notify-debounce'] as number,
    notifyThrottleMs: values['notify-throttle'] as number,
    pushTtlMs: values['push-ttl'] as number,
    pushRetries: retries,
    pushRetryBaseMs: positive('push-retry-base'),
    pushTimeoutMs: positive('push-timeout'),
    pushAllowInsecure: values['push-allow-insecure'] as boolean,
    openRegistration: values['open-registration'] as boolean,
    metricsToken: values['metrics-token'] as string | undefined,
    subscriptionMaxAgeMs: positive('subscription-max-age'),
    trustProxy: values['trust-proxy'] as boolean,
    uploadStallMs: positive('upload-stall-timeout'),
    uploadTimeoutMs: positive('upload-timeout'),
    trustedProxies:
      values['trusted-proxies'] === undefined
        ? new BlockList()
        : check(TrustedProxiesSchema, values['trusted-proxies'] as string, 'trusted-proxies'),
    quotas: {
      logbooks: atLeastOne('quota-logbooks'),
      entries: atLeastOne('quota-entries'),
      bytes: atLeastOne('quota-mib') * 2 ** 20,
    },
    dbSynchronous: synchronous(values['db-synchronous'] as string),
    watchesOff: values['watches-off'] as boolean,
    mapTiles: check(TileUrlSchema, values['map-tiles'] as string, 'map-tiles'),
    mapSeamarks: check(TileUrlSchema, values['map-seamarks'] as string, 'map-seamarks'),
    smtpUrl:
      values['smtp-url'] === undefined ? undefined : check(SmtpUrlSchema, values['smtp-url'] as string, 'smtp-url'),
    mailFrom:
      values['mail-from'] === undefined ? undefined : check(MailFromSchema, values['mail-from'] as string, 'mail-from'),
    emailThrottleMs: values['email-throttle'] as number,
    emailRetryBaseMs: positive('email-retry-base'),
    emailTimeoutMs: positive('email-timeout'),
  };
}

function synchronous(text: string): 'FULL' | 'NORMAL' {
  const upper = text.toUpperCase();
  if (upper !== 'FULL' && upper !== 'NORMAL') throw new UsageError('--db-synchronous: must be full or normal');
  return upper;
}

/** The default origin once the real port is known. */
export function effectiveOrigin(config: ServeConfig, port: number): string {
  return config.origin ?? `http://localhost:${port}`;
}
