// `crewbell push broadcast --title T --body B`: queues the admin's message for every device of
// every account (rate limited, push/broadcast.ts) and runs the outbox worker in this process, with
// serve's fairness, until each of its jobs has had an answer; a progress bar on a terminal.
import type { Command } from './command.ts';
import { CommandFailed } from './command.ts';
import { dataDirFlag, UsageError } from '../config.ts';
import { systemClock } from '../clock.ts';
import {
  BroadcastRefused,
  broadcastMessage,
  MAX_BROADCAST_BODY,
  MAX_BROADCAST_TITLE,
  startBroadcast,
} from '../push/broadcast.ts';
import { openCliOutbox } from './outbox-run.ts';
import { progress } from './progress.ts';

/** Pushes in flight at once, as serve. */
const CONCURRENCY = 32;

export const broadcastCommand: Command = {
  name: 'push broadcast',
  summary: 'send a short message to every device of every account (admin; at most 3 a day, one at a time)',
  flags: [
    dataDirFlag,
    { name: 'title', kind: 'string', help: `notification title (at most ${MAX_BROADCAST_TITLE} characters)` },
    { name: 'body', kind: 'string', help: `notification text (at most ${MAX_BROADCAST_BODY} characters)` },
    { name: 'push-timeout', kind: 'duration', default: '10s', help: 'timeout of one push request' },
    {
      name: 'push-allow-insecure',
      kind: 'boolean',
      help: 'allow http: and private or loopback push endpoints (tests, LANs)',
    },
  ],
  async run(args, io) {
    const title = ((args.values.title as string | undefined) ?? '').trim();
    const body = ((args.values.body as string | undefined) ?? '').trim();
    if (!title || !body) throw new UsageError('give --title T and --body B');
    if (title.length > MAX_BROADCAST_TITLE || body.length > MAX_BROADCAST_BODY)
      throw new UsageError(
        `--title at most ${MAX_BROADCAST_TITLE} and --body at most ${MAX_BROADCAST_BODY} characters`,
      );
    const outbox = openCliOutbox(args, io);
    const { db } = outbox;
    try {
      let broadcast: ReturnType<typeof startBroadcast>;
      try {
        broadcast = startBroadcast(db, broadcastMessage(title, body), null, systemClock.now());
      } catch (err) {
        if (err instanceof BroadcastRefused) throw new CommandFailed(`not sent: ${err.message}`);
        throw err;
      }
      if (broadcast.devices === 0) throw new CommandFailed('no subscribed devices');
      const ours = (id: number) => id >= broadcast.firstJob && id <= broadcast.lastJob;
      const answered = new Set<number>();
      const tally = { delivered: 0, gone: 0, failed: 0, retry: 0 };
      progress(io, 0, broadcast.devices);
      const worker = outbox.worker(CONCURRENCY, (job, outcome) => {
        if (!ours(job.id) || answered.has(job.id)) return;
        answered.add(job.id);
        if (outcome.kind === 'success') tally.delivered++;
        else if (outcome.kind === 'gone') tally.gone++;
        else if (outcome.kind === 'retry') tally.retry++;
        else tally.failed++;
        progress(io, answered.size, broadcast.devices);
      });
      worker.kick();
      // Every job due has had its answer; retries stay in the outbox for serve's worker.
      await worker.idle();
      await worker.stop();
      if (io.isTTY) io.write('\r\x1b[K');
      const missing = broadcast.devices - answered.size;
      io.out(
        `broadcast to ${broadcast.devices} devices: ${tally.delivered} delivered, ${tally.gone} gone (removed), ` +
          `${tally.failed} failed, ${tally.retry} to be retried by the server` +
          (missing > 0 ? `, ${missing} taken by the running server` : ''),
      );
      return 0;
    } finally {
      outbox.close();
    }
  },
};
