// Settings: flags win over CREWBELL_* environment twins, which win over defaults. Every
// value is checked with valibot; a bad one is a UsageError (exit 2) naming the flag.
import * as v from 'valibot';

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

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `5s`, `3m`, `250ms`, `24h`, `60d` → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!m) throw new UsageError(`"${text}" is not a duration (use ms, s, m, h or d, e.g. 5s)`);
  return Math.round(Number(m[1]) * DURATION_UNITS[m[2]!]!);
}

export function formatDuration(ms: number): string {
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

export function envName(flag: string): string {
  return `CREWBELL_${flag.replace(/-/g, '_').toUpperCase()}`;
}

const Integer = v.pipe(v.string(), v.regex(/^\d+$/, 'must be a whole number'), v.transform(Number), v.safeInteger());
const Bool = v.pipe(
  v.string(),
  v.transform((s) => s.toLowerCase()),
  v.picklist(['1', 'true', 'yes', 'on', '0', 'false', 'no', 'off', ''], 'must be true or false'),
  v.transform((s) => ['1', 'true', 'yes', 'on'].includes(s)),
);

function convert(spec: FlagSpec, raw: string, source: string): FlagValue {
  switch (spec.kind) {
    case 'string':
      return raw;
    case 'duration':
      try {
        return parseDuration(raw);
      } catch (err) {
        throw new UsageError(`${source}: ${(err as Error).message}`);
      }
    case 'integer':
    case 'boolean': {
      const result = v.safeParse(spec.kind === 'integer' ? Integer : Bool, raw);
      if (!result.success) throw new UsageError(`${source}: "${raw}" ${result.issues[0].message}`);
      return result.output;
    }
  }
}

export interface ParsedArgs {
  values: Record<string, FlagValue>;
  positionals: string[];
  help: boolean;
}

/** Parses argv (after the command words) against the command's flags. */
export function parseArgs(argv: string[], specs: FlagSpec[], env: Record<string, string | undefined> = process.env): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const given = new Map<string, string>();
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = byName.get(name);
    if (!spec) throw new UsageError(`unknown flag --${name}`);
    if (spec.kind === 'boolean') {
      given.set(name, eq === -1 ? 'true' : arg.slice(eq + 1));
    } else if (eq !== -1) {
      given.set(name, arg.slice(eq + 1));
    } else {
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`--${name} needs a value`);
      given.set(name, next);
    }
  }
  const values: Record<string, FlagValue> = {};
  for (const spec of specs) {
    const fromFlag = given.get(spec.name);
    const fromEnv = env[envName(spec.name)];
    if (fromFlag !== undefined) values[spec.name] = convert(spec, fromFlag, `--${spec.name}`);
    else if (fromEnv !== undefined && fromEnv !== '') values[spec.name] = convert(spec, fromEnv, envName(spec.name));
    else if (spec.default !== undefined) values[spec.name] = convert(spec, spec.default, `--${spec.name}`);
    else values[spec.name] = spec.kind === 'boolean' ? false : undefined;
  }
  return { values, positionals, help };
}

export const dataDirFlag: FlagSpec = {
  name: 'data-dir',
  kind: 'string',
  default: './data',
  help: 'folder of the SQLite database crewbell.db and secret.key',
};

export const serveFlags: FlagSpec[] = [
  { name: 'host', kind: 'string', default: '127.0.0.1', help: 'listen address' },
  { name: 'port', kind: 'integer', default: '8080', help: 'listen port (0 = any free port)' },
  { name: 'origin', kind: 'string', help: 'the public URL users open (default http://localhost:<port>); the passkey RP id is its hostname' },
  dataDirFlag,
  { name: 'vapid-subject', kind: 'string', help: 'mailto: or https: contact for push services; required when the origin is https' },
  { name: 'notify-debounce', kind: 'duration', default: '5s', help: 'wait after the first crew change before notifying' },
  { name: 'notify-throttle', kind: 'duration', default: '3m', help: 'least time between two notifications for one logbook' },
  { name: 'push-ttl', kind: 'duration', default: '24h', help: 'how long a push service keeps an undelivered message (TTL header)' },
  { name: 'push-retries', kind: 'integer', default: '3', help: 'retries after the first attempt' },
  { name: 'push-retry-base', kind: 'duration', default: '2s', help: 'first backoff; doubles each retry, with jitter' },
  { name: 'push-timeout', kind: 'duration', default: '10s', help: 'timeout of one push request' },
  { name: 'push-allow-insecure', kind: 'boolean', help: 'allow http: and private or loopback push endpoints (tests, LANs)' },
  { name: 'open-registration', kind: 'boolean', help: 'anyone may sign up; otherwise an invite token is needed' },
  { name: 'metrics-token', kind: 'string', help: '/metrics needs "Authorization: Bearer <token>"; without one only loopback clients get it' },
  { name: 'trust-proxy', kind: 'boolean', help: 'take the client address from X-Forwarded-For (behind a reverse proxy such as Caddy)' },
  { name: 'subscription-max-age', kind: 'duration', default: '60d', help: 'subscriptions unused this long are removed (daily)' },
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
}

export const OriginSchema = v.pipe(
  v.string(),
  v.url('must be a URL like https://logbook.example.org'),
  v.check((s) => {
    const u = new URL(s);
    return (u.protocol === 'https:' || u.protocol === 'http:') && (u.pathname === '/' || u.pathname === '') && !u.search && !u.hash;
  }, 'must be an http(s) URL with no path, e.g. https://logbook.example.org'),
  v.transform((s) => new URL(s).origin),
);

/** A VAPID subject push services accept: mailto: or https:, and not @localhost (Apple refuses it). */
export const VapidSubjectSchema = v.pipe(
  v.string(),
  v.check((s) => /^mailto:[^@\s]+@[^@\s]+$/.test(s) || /^https:\/\/[^\s]+$/.test(s), 'must be a mailto: address or an https: URL'),
  v.check((s) => !/@localhost\b/i.test(s) && !/^https:\/\/localhost\b/i.test(s), 'must not be @localhost (Apple\'s push service rejects it)'),
);

function check<T>(schema: v.GenericSchema<string, T>, value: string, flag: string): T {
  const r = v.safeParse(schema, value);
  if (!r.success) throw new UsageError(`--${flag}: ${r.issues[0].message}`);
  return r.output;
}

export function serveConfig(values: Record<string, FlagValue>): ServeConfig {
  const port = values['port'] as number;
  if (port > 65535) throw new UsageError('--port: must be between 0 and 65535');
  const origin = values['origin'] === undefined ? undefined : check(OriginSchema, values['origin'] as string, 'origin');
  const vapidSubject = values['vapid-subject'] === undefined ? undefined : check(VapidSubjectSchema, values['vapid-subject'] as string, 'vapid-subject');
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
  return {
    host: values['host'] as string,
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
  };
}

/** The default origin once the real port is known. */
export function effectiveOrigin(config: ServeConfig, port: number): string {
  return config.origin ?? `http://localhost:${port}`;
}

/** `crewbell <command> --help`: usage, summary and every flag with its default and env twin. */
export function helpText(usage: string, summary: string, specs: FlagSpec[]): string {
  const lines = [`usage: ${usage}`, '', summary, ''];
  if (specs.length) {
    lines.push('flags (each also read from its CREWBELL_* environment twin; flags win):');
    const width = Math.max(...specs.map((s) => s.name.length + (s.kind === 'boolean' ? 0 : 8))) + 4;
    for (const s of specs) {
      const left = `  --${s.name}${s.kind === 'boolean' ? '' : ' <' + (s.kind === 'duration' ? 'dur' : s.kind === 'integer' ? 'n' : 'value') + '>'}`;
      const def = s.default !== undefined ? ` (default ${s.default})` : '';
      lines.push(`${left.padEnd(width)} ${s.help}${def}  [${envName(s.name)}]`);
    }
  }
  lines.push('  --help  show this help');
  return lines.join('\n');
}
