// What a command that sends pushes itself runs (`push test`, `push broadcast`): the data dir's
// database, a transport with the command's --push-timeout and --push-allow-insecure, the VAPID
// signer, and an outbox worker with serve's retry policy, TTL and origin (from the serve
// settings in the environment), whose log sends only trouble with the database to stderr.
import { CommandFailed, type Io } from './command.ts';
import { parseArgs, type ParsedArgs } from './args.ts';
import { effectiveOrigin, serveConfig, serveFlags, type ServeConfig } from '../config.ts';
import { databasePath, openDatabase, type Db } from '../db.ts';
import { systemClock } from '../clock.ts';
import { createLogger, silentLogger } from '../log.ts';
import { createVapidSigner } from '../push/authorization.ts';
import { createTransport } from '../push/transport.ts';
import { loadSecretKey, loadVapidKeys, PLACEHOLDER_VAPID_SUBJECT, readVapidSubject } from '../push/vapid.ts';
import { createOutboxWorker, type OutboxWorker, type WorkerDeps } from '../push/worker.ts';

export interface CliOutbox {
  db: Db;
  /** serve's settings, as CREWBELL_* in the environment give them. */
  policy: ServeConfig;
  /** A worker on the outbox, answering each job it records to onRecorded. */
  worker(concurrency: number, onRecorded: WorkerDeps['onRecorded']): OutboxWorker;
  close(): void;
}

/** Opens what a sending command needs; fails (and closes what it opened) without VAPID keys. */
export function openCliOutbox(args: ParsedArgs, io: Io): CliOutbox {
  const policy = serveConfig(parseArgs([], serveFlags, io.env).values);
  const dataDir = args.values['data-dir'] as string;
  const db = openDatabase(databasePath(dataDir));
  const transport = createTransport({
    timeoutMs: args.values['push-timeout'] as number,
    allowInsecure: args.values['push-allow-insecure'] as boolean,
  });
  const close = () => {
    transport.close();
    db.close();
  };
  try {
    const keys = loadVapidKeys(db, loadSecretKey(dataDir, io.env, false));
    if (!keys) throw new CommandFailed('no VAPID keys yet: run "crewbell vapid generate" or start serve once');
    const signer = createVapidSigner(keys, readVapidSubject(db) ?? PLACEHOLDER_VAPID_SUBJECT, systemClock);
    return {
      db,
      policy,
      worker: (concurrency, onRecorded) =>
        createOutboxWorker(
          {
            db,
            clock: systemClock,
            log: { ...silentLogger, error: createLogger((line) => io.err(line)).error },
            transport,
            signer: () => signer,
            // The server's origin as its settings (CREWBELL_ORIGIN, CREWBELL_PORT) say: a message's navigate is made absolute on it.
            origin: () => effectiveOrigin(policy, policy.port),
            onRecorded,
          },
          {
            concurrency,
            retries: policy.pushRetries,
            retryBaseMs: policy.pushRetryBaseMs,
            ttlSeconds: Math.round(policy.pushTtlMs / 1000),
          },
        ),
      close,
    };
  } catch (err) {
    close();
    throw err;
  }
}
