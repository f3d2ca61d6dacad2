// `crewbell push test`: sends a test notification now, straight from this process (not via
// the server's outbox), and prints one line per device: ok, gone (removed) or failed: reason.
import type { Command, Io } from './command.ts';
import { CommandFailed } from './command.ts';
import { dataDirFlag, UsageError } from '../config.ts';
import { databasePath, openDatabase } from '../db.ts';
import { findUserByName } from '../auth/users.ts';
import { systemClock } from '../clock.ts';
import { truncateEndpoint } from '../log.ts';
import { testMessage } from '../push/messages.ts';
import { createVapidSigner } from '../push/authorization.ts';
import { sendToDevice } from '../push/deliver.ts';
import { allSubscriptions, removeGoneSubscription, markDelivered, countFailure, type Subscription } from '../push/subscriptions.ts';
import { createTransport } from '../push/transport.ts';
import { loadSecretKey, loadVapidKeys, PLACEHOLDER_VAPID_SUBJECT, readVapidSubject } from '../push/vapid.ts';

const CONCURRENCY = 8;

function progress(io: Io, done: number, total: number): void {
  if (!io.isTTY) return;
  const width = 24;
  const filled = Math.round((done / total) * width);
  io.write(`\r\x1b[K[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}`);
}

export const pushCommands: Command[] = [
  {
    name: 'push test',
    summary: 'send a test notification now to a user\'s devices (--user NAME) or to every device (--all)',
    flags: [
      dataDirFlag,
      { name: 'user', kind: 'string', help: 'the user whose devices get it' },
      { name: 'all', kind: 'boolean', help: 'every subscribed device' },
      { name: 'title', kind: 'string', help: 'notification title (default "crewbell")' },
      { name: 'body', kind: 'string', help: 'notification text (default: a test text in the device\'s language)' },
      { name: 'push-timeout', kind: 'duration', default: '10s', help: 'timeout of one push request' },
      { name: 'push-allow-insecure', kind: 'boolean', help: 'allow http: and private or loopback push endpoints (tests, LANs)' },
    ],
    async run(args, io) {
      const username = args.values['user'] as string | undefined;
      const all = args.values['all'] as boolean;
      if ((username === undefined) === !all) throw new UsageError('give either --user NAME or --all');
      const title = args.values['title'] as string | undefined;
      const body = args.values['body'] as string | undefined;
      if ((title?.length ?? 0) > 200 || (body?.length ?? 0) > 1000) throw new UsageError('--title at most 200 and --body at most 1000 characters');
      const dataDir = args.values['data-dir'] as string;
      const db = openDatabase(databasePath(dataDir));
      const transport = createTransport({ timeoutMs: args.values['push-timeout'] as number, allowInsecure: args.values['push-allow-insecure'] as boolean });
      try {
        const keys = loadVapidKeys(db, loadSecretKey(dataDir, io.env, false));
        if (!keys) throw new CommandFailed('no VAPID keys yet: run "crewbell vapid generate" or start serve once');
        const signer = createVapidSigner(keys, readVapidSubject(db) ?? PLACEHOLDER_VAPID_SUBJECT, systemClock);
        let devices: (Subscription & { username: string })[] = allSubscriptions(db);
        if (username !== undefined) {
          const userId = findUserByName(db, username)?.id;
          if (!userId) throw new CommandFailed(`no user named "${username}"`);
          devices = devices.filter((d) => d.userId === userId);
        }
        if (devices.length === 0) throw new CommandFailed(username !== undefined ? `${username} has no subscribed devices` : 'no subscribed devices');

        let failed = 0;
        let done = 0;
        let next = 0;
        progress(io, 0, devices.length);
        const worker = async () => {
          while (next < devices.length) {
            const device = devices[next++]!;
            const payload = JSON.stringify(testMessage(device.locale, title, body));
            const outcome = await sendToDevice(transport, signer, device, payload, { ttlSeconds: 3600, urgency: 'normal', now: Date.now() });
            let result: string;
            if (outcome.kind === 'success') {
              markDelivered(db, device.id, Date.now());
              result = 'ok';
            } else if (outcome.kind === 'gone') {
              removeGoneSubscription(db, device.id);
              result = 'gone (removed)';
            } else {
              countFailure(db, device.id);
              failed++;
              result = `failed: ${outcome.reason}${outcome.kind === 'retry' ? ' (temporary; try again later)' : ''}`;
            }
            done++;
            if (io.isTTY) io.write('\r\x1b[K');
            io.out(`${device.username} ${truncateEndpoint(device.endpoint)} ${result}`);
            progress(io, done, devices.length);
          }
        };
        await Promise.all(Array.from({ length: Math.min(CONCURRENCY, devices.length) }, worker));
        if (io.isTTY) io.write('\r\x1b[K');
        return failed > 0 ? 1 : 0;
      } finally {
        transport.close();
        db.close();
      }
    },
  },
];
