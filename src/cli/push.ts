// `crewbell push test`: queues a test notification for each chosen device in the outbox and
// runs the outbox worker in this process until they are answered (the one delivery path the
// server uses too), printing one line per device: ok, gone (removed) or failed: reason.
import type { Command } from './command.ts';
import { CommandFailed } from './command.ts';
import { parseArgs } from './args.ts';
import { dataDirFlag, effectiveOrigin, serveConfig, serveFlags, UsageError } from '../config.ts';
import { databasePath, openDatabase, transaction } from '../db.ts';
import { findUserByName } from '../auth/users.ts';
import { systemClock } from '../clock.ts';
import { createLogger, silentLogger, truncateEndpoint } from '../log.ts';
import { testMessage } from '../push/messages.ts';
import { declarative } from '../push/declarative.ts';
import { badgeOf } from '../push/badges.ts';
import { createVapidSigner } from '../push/authorization.ts';
import { deleteJob, queueForDevice } from '../push/outbox.ts';
import { allSubscriptions, type Subscription } from '../push/subscriptions.ts';
import { createTransport, type SendOutcome } from '../push/transport.ts';
import { loadSecretKey, loadVapidKeys, PLACEHOLDER_VAPID_SUBJECT, readVapidSubject } from '../push/vapid.ts';
import { createOutboxWorker } from '../push/worker.ts';
import { broadcastCommand } from './broadcast.ts';
import { progress } from './progress.ts';

const CONCURRENCY = 8;

type Device = Subscription & { username: string };

function resultText(outcome: SendOutcome): string {
  if (outcome.kind === 'success') return 'ok';
  if (outcome.kind === 'gone') return 'gone (removed)';
  return `failed: ${outcome.reason}${outcome.kind === 'retry' ? ' (temporary; try again later)' : ''}`;
}

export const pushCommands: Command[] = [
  {
    name: 'push test',
    summary: "send a test notification now to a user's devices (--user NAME) or to every device (--all)",
    flags: [
      dataDirFlag,
      { name: 'user', kind: 'string', help: 'the user whose devices get it' },
      { name: 'all', kind: 'boolean', help: 'every subscribed device' },
      { name: 'title', kind: 'string', help: 'notification title (default "crewbell")' },
      { name: 'body', kind: 'string', help: "notification text (default: a test text in the device's language)" },
      { name: 'push-timeout', kind: 'duration', default: '10s', help: 'timeout of one push request' },
      {
        name: 'push-allow-insecure',
        kind: 'boolean',
        help: 'allow http: and private or loopback push endpoints (tests, LANs)',
      },
    ],
    async run(args, io) {
      const username = args.values.user as string | undefined;
      const all = args.values.all as boolean;
      if ((username === undefined) === !all) throw new UsageError('give either --user NAME or --all');
      const title = args.values.title as string | undefined;
      const body = args.values.body as string | undefined;
      if ((title?.length ?? 0) > 200 || (body?.length ?? 0) > 1000)
        throw new UsageError('--title at most 200 and --body at most 1000 characters');
      // Other notifications the worker finds waiting get the server's own retry policy and TTL.
      const policy = serveConfig(parseArgs([], serveFlags, io.env).values);
      const dataDir = args.values['data-dir'] as string;
      const db = openDatabase(databasePath(dataDir));
      const transport = createTransport({
        timeoutMs: args.values['push-timeout'] as number,
        allowInsecure: args.values['push-allow-insecure'] as boolean,
      });
      try {
        const keys = loadVapidKeys(db, loadSecretKey(dataDir, io.env, false));
        if (!keys) throw new CommandFailed('no VAPID keys yet: run "crewbell vapid generate" or start serve once');
        const signer = createVapidSigner(keys, readVapidSubject(db) ?? PLACEHOLDER_VAPID_SUBJECT, systemClock);
        let devices: Device[] = allSubscriptions(db);
        if (username !== undefined) {
          const userId = findUserByName(db, username)?.id;
          if (!userId) throw new CommandFailed(`no user named "${username}"`);
          devices = devices.filter((d) => d.userId === userId);
        }
        if (devices.length === 0)
          throw new CommandFailed(
            username !== undefined ? `${username} has no subscribed devices` : 'no subscribed devices',
          );

        const now = systemClock.now();
        const waiting = transaction(
          db,
          () =>
            new Map(
              devices.map((d) => [
                queueForDevice(
                  db,
                  d.id,
                  JSON.stringify(declarative(testMessage(d.locale, title, body), d.locale, badgeOf(db, d.userId))),
                  now,
                ),
                d,
              ]),
            ),
        );
        let failed = 0;
        let done = 0;
        const report = (device: Device, result: string, ok: boolean) => {
          if (!ok) failed++;
          done++;
          if (io.isTTY) io.write('\r\x1b[K');
          io.out(`${device.username} ${truncateEndpoint(device.endpoint)} ${result}`);
          progress(io, done, devices.length);
        };
        progress(io, 0, devices.length);
        const worker = createOutboxWorker(
          {
            db,
            clock: systemClock,
            // The result lines say what happened to each device; only trouble with the database goes to stderr.
            log: { ...silentLogger, error: createLogger((line) => io.err(line)).error },
            transport,
            signer: () => signer,
            // The server's origin as its settings (CREWBELL_ORIGIN, CREWBELL_PORT) say.
            origin: () => effectiveOrigin(policy, policy.port),
            onRecorded(job, outcome) {
              const device = waiting.get(job.id);
              if (!device) return;
              waiting.delete(job.id);
              // A test is now or never: the worker would try a temporary failure again later.
              if (outcome.kind === 'retry') deleteJob(db, job.id);
              report(device, resultText(outcome), outcome.kind === 'success' || outcome.kind === 'gone');
            },
          },
          {
            concurrency: CONCURRENCY,
            retries: policy.pushRetries,
            retryBaseMs: policy.pushRetryBaseMs,
            ttlSeconds: Math.round(policy.pushTtlMs / 1000),
          },
        );
        worker.kick();
        await worker.idle();
        await worker.stop();
        // Only a running server's worker, which shares the outbox, can have taken a job from under this one.
        for (const [id, device] of waiting) {
          deleteJob(db, id);
          report(device, 'failed: taken by the running server (its log has the answer)', false);
        }
        if (io.isTTY) io.write('\r\x1b[K');
        return failed > 0 ? 1 : 0;
      } finally {
        transport.close();
        db.close();
      }
    },
  },
  broadcastCommand,
];
