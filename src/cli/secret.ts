// `crewbell secret show|import`: the secret key that seals the push keys is never replicated
// with the database, so the owner keeps a copy on paper or in a password manager and gives
// it back after a restore.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { readKeyInput } from './key-input.ts';
import { printQr } from './qr.ts';
import type { Command } from './command.ts';
import { CommandFailed } from './command.ts';
import { dataDirFlag, UsageError } from '../config.ts';
import { databasePath, openDatabase } from '../db.ts';
import { decodeSecret, loadSecretKey, loadVapidKeys, SECRET_KEY_FILE } from '../push/vapid.ts';
import { readSecretFile, secretFileExists, writeSecretFile } from '../push/secret-file.ts';

export const secretCommands: Command[] = [
  {
    name: 'secret show',
    summary:
      'print the secret key (the one thing a restore needs besides the replica) to copy on paper or into a password manager',
    flags: [dataDirFlag, { name: 'qr', kind: 'boolean', help: 'also print it as a QR code' }],
    async run(args, io) {
      if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
      const key = loadSecretKey(args.values['data-dir'] as string, io.env, false).toString('base64url');
      io.err('keep this apart from the database and its replicas: with both, anyone can send pushes as this server');
      if (args.values.qr) {
        await printQr(io, key);
      }
      io.out(key);
      return 0;
    },
  },
  {
    name: 'secret import',
    args: '[FILE | -]',
    summary:
      "save a secret key copy as data-dir/secret.key, read from FILE or from stdin (- or nothing; never the key itself on the command line); checked against the database's push keys",
    flags: [
      dataDirFlag,
      {
        name: 'force',
        kind: 'boolean',
        help: "replace a different secret.key, or keep a key the database's push keys do not open",
      },
    ],
    async run(args, io) {
      const [given, ...extra] = args.positionals;
      if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
      const dataDir = args.values['data-dir'] as string;
      const force = args.values.force as boolean;
      const secret = decodeSecret(
        readKeyInput(given, 'crewbell secret import'),
        given && given !== '-' ? given : 'stdin',
      );
      const file = path.join(dataDir, SECRET_KEY_FILE);
      if (secretFileExists(dataDir) && !decodeSecret(readSecretFile(dataDir), file).equals(secret) && !force) {
        throw new CommandFailed(`${file} holds a different key; pass --force to replace it`);
      }
      if (existsSync(databasePath(dataDir))) {
        const db = openDatabase(databasePath(dataDir));
        try {
          loadVapidKeys(db, secret);
        } catch (err) {
          if (!force) throw new CommandFailed(`${(err as Error).message} (pass --force to save it anyway)`);
        } finally {
          db.close();
        }
      }
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      writeSecretFile(dataDir, `${secret.toString('base64url')}\n`, true);
      io.out(`saved ${file}`);
      return 0;
    },
  },
];
