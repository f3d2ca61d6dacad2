// `crewbell push test`: queues a test notification for each chosen device in the outbox and
// runs the outbox worker in this process until they are answered (the one delivery path the
// server uses too), printing one line per device: ok, gone (removed) or failed: reason.
import type { Command } from './command.ts';
import { CommandFailed } from './command.ts';
import { dataDirFlag, UsageError } from '../config.ts';
import { transaction } from '../db.ts';
import { findUserByName } from '../auth/users.ts';
import { systemClock } from '../clock.ts';
import { truncateEndpoint } from '../log.ts';
import { testMessage } from '../push/messages.ts';
import { declarative } from '../push/declarative.ts';
import { badgeOf } from '../push/badges.ts';
import { deleteJob, queueForDevice } from '../push/outbox.ts';
import { allSubscriptions, type Subscription } from '../push/subscriptions.ts';
import type { SendOutcome } from '../push/transport.ts';
import { broadcastCommand } from './broadcast.ts';
import { openCliOutbox } from './outbox-run.ts';
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
      const outbox = openCliOutbox(args, io);
      const { db } = outbox;
      try {
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
        const worker = outbox.worker(CONCURRENCY, (job, outcome) => {
          const device = waiting.get(job.id);
          if (!device) return;
          waiting.delete(job.id);
          // A test is now or never: the worker would try a temporary failure again later.
          if (outcome.kind === 'retry') deleteJob(db, job.id);
          report(device, resultText(outcome), outcome.kind === 'success' || outcome.kind === 'gone');
        });
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
        outbox.close();
      }
    },
  },
  broadcastCommand,
];
