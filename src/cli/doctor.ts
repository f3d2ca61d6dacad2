// `crewbell doctor`: checks what a running crewbell depends on (settings, https origin,
// VAPID subject and keys, secret key, database, clock, failing push devices) with the same flags as serve, and
// prints one line per check: `ok` or `problem` with a plain fix. Exit 1 on any problem.
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import * as v from 'valibot';
import type { Command, Io } from './command.ts';
import { serveConfig, serveFlags, UsageError, VapidSubjectSchema, type FlagValue } from '../config.ts';
import {
  databasePath,
  latestSchemaVersion,
  openDatabase,
  probeWrite,
  quickCheck,
  userVersion,
  type Db,
} from '../db.ts';
import { checkVapid, readVapidPublicKey } from '../push/vapid.ts';
import { clockSkew } from '../app/clock-check.ts';
import { failingSummary } from '../push/device-health.ts';
import { checkReplication } from '../replication/status.ts';
import { lastCommitTime } from '../replication/litestream.ts';
import { litestreamConfigFlag, litestreamFlag } from './restore.ts';
import { checkSmtp } from './email.ts';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do about a problem. */
  fix?: string;
}

const ok = (name: string, detail: string): Check => ({ name, ok: true, detail });
const problem = (name: string, detail: string, fix: string): Check => ({ name, ok: false, detail, fix });

function isLocalHost(hostname: string): boolean {
  return (
    hostname === 'localhost' || hostname.endsWith('.localhost') || hostname === '127.0.0.1' || hostname === '[::1]'
  );
}

function checkSettings(values: Record<string, FlagValue>): Check[] {
  const checks: Check[] = [];
  try {
    serveConfig(values);
    checks.push(ok('config', 'settings are valid'));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    checks.push(
      problem('config', err.message, 'correct the flag or its CREWBELL_* variable (see crewbell serve --help)'),
    );
  }

  const originText = values.origin as string | undefined;
  let https = false;
  if (originText === undefined) {
    checks.push(ok('origin', `not set: http://localhost:${values.port}, for use on this machine only`));
  } else {
    let url: URL | undefined;
    try {
      url = new URL(originText);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      checks.push(
        problem(
          'origin',
          `"${originText}" is not an http(s) URL`,
          'set --origin to the https URL people open, e.g. https://logbook.example.org',
        ),
      );
    } else if (url.protocol === 'https:') {
      https = true;
      checks.push(ok('origin', `${url.origin} (https)`));
    } else if (isLocalHost(url.hostname)) {
      checks.push(ok('origin', `${url.origin}, for use on this machine only`));
    } else {
      checks.push(
        problem(
          'origin',
          `${url.origin} is not https: phones refuse passkeys and push there`,
          'put crewbell behind an https reverse proxy or tunnel (README "HTTPS") and set --origin https://…',
        ),
      );
    }
  }

  const subject = values['vapid-subject'] as string | undefined;
  if (subject !== undefined) {
    const result = v.safeParse(VapidSubjectSchema, subject);
    checks.push(
      result.success
        ? ok('subject', `${subject}`)
        : problem(
            'subject',
            `"${subject}" ${result.issues[0].message}`,
            'set --vapid-subject to mailto:you@your-domain or an https: page of yours',
          ),
    );
  } else if (https) {
    checks.push(
      problem(
        'subject',
        'not set, but push services need a contact with an https origin',
        'set --vapid-subject mailto:you@your-domain',
      ),
    );
  } else {
    checks.push(ok('subject', 'not set (needed once the origin is https)'));
  }
  return checks;
}

/** The data dir must belong to whoever runs crewbell, or SQLite leaves files serve cannot write. */
function checkDataDir(dataDir: string): Check {
  if (!existsSync(dataDir)) {
    return problem(
      'data-dir',
      `${dataDir} does not exist`,
      'start crewbell serve once, or point --data-dir at the right folder',
    );
  }
  const stat = statSync(dataDir);
  if (!stat.isDirectory()) return problem('data-dir', `${dataDir} is not a folder`, 'point --data-dir at a folder');
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) {
    return problem(
      'data-dir',
      `${dataDir} belongs to uid ${stat.uid}, but this runs as uid ${uid}`,
      `run crewbell commands as the service user, e.g. sudo -u crewbell crewbell doctor --data-dir ${dataDir}`,
    );
  }
  try {
    accessSync(dataDir, constants.W_OK);
  } catch {
    return problem('data-dir', `${dataDir} is not writable`, 'give the crewbell user write access to it');
  }
  return ok('data-dir', path.resolve(dataDir));
}

/** Opens (and migrates) the database, proves it takes a write, and checks its pages. */
function checkDatabase(file: string): { check: Check; db?: Db } {
  if (!existsSync(file)) {
    return {
      check: problem(
        'database',
        `no database at ${file} yet`,
        'start crewbell serve once (or run crewbell vapid generate), or check --data-dir',
      ),
    };
  }
  let db: Db | undefined;
  try {
    db = openDatabase(file);
    const integrity = quickCheck(db);
    if (integrity !== 'ok') {
      return {
        check: problem(
          'database',
          `${file} is damaged: ${integrity}`,
          'stop crewbell and restore your latest backup (README "Backups")',
        ),
        db,
      };
    }
    // A real committed write, which is what serve needs (a read-only file or a full disk fails here).
    probeWrite(db);
    return {
      check: ok('database', `${file}, schema step ${userVersion(db)} of ${latestSchemaVersion()}, writable`),
      db,
    };
  } catch (err) {
    if (db?.isTransaction) db.exec('ROLLBACK');
    const message = (err as Error).message;
    const fix = /newer than this crewbell/.test(message)
      ? 'install the crewbell release that wrote it, or a newer one'
      : 'check the file and folder permissions and free disk space';
    return { check: problem('database', `${file}: ${message}`, fix), db };
  }
}

function checkVapidKeys(db: Db | undefined, dataDir: string, env: Io['env']): Check {
  if (!db) return problem('vapid-keys', 'cannot look without a database', 'fix the database first');
  const publicKey = readVapidPublicKey(db);
  if (!publicKey)
    return problem('vapid-keys', 'none yet', 'run crewbell vapid generate (serve also makes them on its first start)');
  // The push module knows how the private key is sealed, so it proves the secret key opens
  // it. A loose secret.key mode is the secret-key line's business.
  const problems = checkVapid(db, dataDir, env).filter((p) => !p.includes('readable by other users'));
  if (problems.length) {
    return problem(
      'vapid-keys',
      problems.join('; '),
      'put back the secret.key (or CREWBELL_SECRET_KEY) kept with this database, or run crewbell vapid generate --force (phones then subscribe again)',
    );
  }
  return ok('vapid-keys', `public key ${publicKey.slice(0, 12)}…, opened with the secret key`);
}

function checkSecretKey(dataDir: string, env: Io['env'], keysStored: boolean): Check {
  if (env.CREWBELL_SECRET_KEY) return ok('secret-key', 'from CREWBELL_SECRET_KEY');
  const file = path.join(dataDir, 'secret.key');
  if (!existsSync(file) && !keysStored)
    return problem('secret-key', `${file} is missing`, 'run crewbell vapid generate (it makes the key)');
  if (!existsSync(file)) {
    return problem(
      'secret-key',
      `${file} is missing, so the VAPID private key cannot be unsealed`,
      'restore secret.key from your backup, or run crewbell vapid generate --force',
    );
  }
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) {
    return problem(
      'secret-key',
      `${file} has mode ${mode.toString(8).padStart(4, '0')}, readable by others`,
      `chmod 600 ${file}`,
    );
  }
  return ok('secret-key', `${file} (mode 0600)`);
}

function checkClock(now: number, db: Db | undefined): Check {
  const skew = clockSkew(now, db);
  if (skew)
    return problem(
      'clock',
      skew,
      'let the system set the time over the network (timedatectl set-ntp true), then check with timedatectl',
    );
  return ok('clock', new Date(now).toISOString());
}

/** Devices the push service cannot be reached for, and why in words (the same reasons the log gives). */
function checkPushDevices(db: Db | undefined, now: number): Check {
  if (!db) return problem('push', 'cannot look without a database', 'fix the database first');
  const { devices, failing, reasons, since } = failingSummary(db);
  if (failing === 0)
    return ok('push', devices ? `${devices} device${devices === 1 ? '' : 's'}, none failing` : 'no devices yet');
  const hours = since === null ? 0 : Math.floor((now - since) / 3_600_000);
  const why = reasons.map(([reason, n]) => `${reason} (${n})`).join('; ');
  return problem(
    'push',
    `${failing} of ${devices} devices failing${hours ? ` for ${hours} h` : ''}: ${why}`,
    /clock/.test(why)
      ? 'check the clock (timedatectl), then wait for the next retry; the devices are kept'
      : 'check that this machine reaches the push services (DNS, firewall, proxy); the devices are kept and retried',
  );
}

function runChecks(values: Record<string, FlagValue>, env: Io['env'], now = Date.now()): Check[] {
  const dataDir = values['data-dir'] as string;
  const checks = checkSettings(values);
  const dir = checkDataDir(dataDir);
  checks.push(dir);
  const lastCommit = lastCommitTime(databasePath(dataDir));
  // Not as a foreign user: SQLite would leave -wal/-shm files the service cannot write.
  const { check, db } = dir.ok
    ? checkDatabase(databasePath(dataDir))
    : { check: problem('database', 'not opened', 'fix the data dir first'), db: undefined };
  try {
    checks.push(check);
    const keys = checkVapidKeys(db, dataDir, env);
    checks.push(keys);
    checks.push(checkSecretKey(dataDir, env, keys.ok));
    checks.push(checkClock(now, db));
    checks.push(checkPushDevices(db, now));
    if (dir.ok) {
      const given = {
        config: values['litestream-config'] as string | undefined,
        litestream: values.litestream as string | undefined,
      };
      checks.push({ name: 'replication', ...checkReplication(dataDir, databasePath(dataDir), given, env, lastCommit) });
    }
  } finally {
    db?.close();
  }
  return checks;
}

function formatCheck(check: Check): string {
  const line = `${(check.ok ? 'ok' : 'problem').padEnd(8)} ${check.name.padEnd(11)} ${check.detail}`;
  return check.ok ? line : `${line}; fix: ${check.fix}`;
}

export const doctorCommands: Command[] = [
  {
    name: 'doctor',
    summary:
      'check settings, https origin, keys, database, clock, push devices, replication and the SMTP relay; exit 1 on a problem',
    flags: [...serveFlags, litestreamConfigFlag, litestreamFlag],
    async run(args, io) {
      const checks = runChecks(args.values, io.env);
      const smtp = await checkSmtp(args.values);
      if (smtp) checks.push(smtp);
      for (const check of checks) io.out(formatCheck(check));
      const problems = checks.filter((c) => !c.ok).length;
      io.out(
        problems ? `doctor: ${problems} problem${problems === 1 ? '' : 's'}` : `doctor: all ${checks.length} checks ok`,
      );
      return problems ? 1 : 0;
    },
  },
];
