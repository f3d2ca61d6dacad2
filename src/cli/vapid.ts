// `crewbell vapid generate|show`: the server's push identity. The private key never
// leaves the database (sealed) and is never printed.
import type { Command } from './command.ts';
import { CommandFailed } from './command.ts';
import { dataDirFlag } from '../config.ts';
import { databasePath, openDatabase } from '../db.ts';
import { generateVapidKeys, loadSecretKey, loadVapidKeys, readVapidPublicKey } from '../push/vapid.ts';

export const vapidCommands: Command[] = [
  {
    name: 'vapid generate',
    summary: 'create the VAPID key pair for Web Push (refuses to replace one without --force)',
    flags: [
      dataDirFlag,
      { name: 'force', kind: 'boolean', help: 'replace existing keys (every browser must subscribe again)' },
    ],
    async run(args, io) {
      const dataDir = args.values['data-dir'] as string;
      const db = openDatabase(databasePath(dataDir));
      try {
        const secret = loadSecretKey(dataDir, io.env, true);
        const force = args.values.force as boolean;
        const existing = readVapidPublicKey(db);
        if (existing && !force) {
          throw new CommandFailed(`VAPID keys exist already (public key ${existing}); use --force to replace them`);
        }
        const result = generateVapidKeys(db, secret, Date.now(), force);
        if (existing)
          io.err(
            'replaced the VAPID keys: browsers subscribed with the old key must subscribe again (the app does this when it next opens)',
          );
        io.out(result.publicKey);
        return 0;
      } finally {
        db.close();
      }
    },
  },
  {
    name: 'vapid show',
    summary: 'print the VAPID public key (what browsers subscribe with)',
    flags: [dataDirFlag],
    async run(args, io) {
      const dataDir = args.values['data-dir'] as string;
      const db = openDatabase(databasePath(dataDir));
      try {
        const publicKey = readVapidPublicKey(db);
        if (!publicKey)
          throw new CommandFailed(
            'no VAPID keys yet: run "crewbell vapid generate" (serve also creates them on first start)',
          );
        // Proves the secret key still opens the private key, without showing it.
        loadVapidKeys(db, loadSecretKey(dataDir, io.env, false));
        io.out(publicKey);
        return 0;
      } finally {
        db.close();
      }
    },
  },
];
