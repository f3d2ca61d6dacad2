// `crewbell subscriptions list|prune`: the devices that get notifications (endpoints
// truncated: they identify a device).
import type { Command } from './command.ts';
import { CommandFailed } from './command.ts';
import { dataDirFlag } from '../config.ts';
import { formatDuration } from './args.ts';
import { databasePath, openDatabase } from '../db.ts';
import { findUserByName } from '../auth/users.ts';
import { listSubscriptions, pruneSubscriptions } from '../push/subscriptions.ts';

const time = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z'));

export const subscriptionCommands: Command[] = [
  {
    name: 'subscriptions list',
    summary: 'list push subscriptions (endpoints truncated)',
    flags: [dataDirFlag, { name: 'user', kind: 'string', help: "only this user's devices" }],
    async run(args, io) {
      const db = openDatabase(databasePath(args.values['data-dir'] as string));
      try {
        const username = args.values.user as string | undefined;
        let userId: string | undefined;
        if (username !== undefined) {
          userId = findUserByName(db, username)?.id;
          if (!userId) throw new CommandFailed(`no user named "${username}"`);
        }
        const rows = listSubscriptions(db, userId);
        if (rows.length === 0) {
          io.err('no subscriptions');
          return 0;
        }
        const table = [
          ['ID', 'USER', 'ENDPOINT', 'CREATED', 'LAST USED', 'FAILURES'],
          ...rows.map((r) => [r.id, r.username, r.endpoint, time(r.createdAt), time(r.lastUsedAt), String(r.failures)]),
        ];
        const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
        for (const row of table)
          io.out(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
        return 0;
      } finally {
        db.close();
      }
    },
  },
  {
    name: 'subscriptions prune',
    summary: 'delete subscriptions unused for a while (serve also does this daily)',
    flags: [
      dataDirFlag,
      { name: 'older-than', kind: 'duration', default: '60d', help: 'remove subscriptions not used for this long' },
    ],
    async run(args, io) {
      const db = openDatabase(databasePath(args.values['data-dir'] as string));
      try {
        const age = args.values['older-than'] as number;
        const removed = pruneSubscriptions(db, Date.now(), age);
        io.out(`removed ${removed} subscription${removed === 1 ? '' : 's'} unused for ${formatDuration(age)}`);
        return 0;
      } finally {
        db.close();
      }
    },
  },
];
