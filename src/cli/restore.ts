// `crewbell restore`: one command that puts a Litestream replica onto a fresh SD card, with
// the secret key given back from its paper or password-manager copy (README "When the SD
// card dies").
import type { Command } from './command.ts';
import { CommandFailed } from './command.ts';
import { readKeyInput } from './key-input.ts';
import { dataDirFlag, UsageError, type FlagSpec } from '../config.ts';
import { findLitestream, litestreamConfig, DEFAULT_LITESTREAM_CONFIG } from '../replication/litestream.ts';
import { RestoreRefused, restoreFromReplica } from '../replication/restore.ts';
import { SECRET_KEY_ENV } from '../push/vapid.ts';

export const litestreamConfigFlag: FlagSpec = {
  name: 'litestream-config',
  kind: 'string',
  help: `Litestream's config file naming this database and its replicas (default ${DEFAULT_LITESTREAM_CONFIG} when it exists)`,
};

export const litestreamFlag: FlagSpec = {
  name: 'litestream',
  kind: 'string',
  help: 'the litestream binary (default: litestream on PATH)',
};

export const restoreCommands: Command[] = [
  {
    name: 'restore',
    summary: 'put the newest Litestream replica in place as the database (a fresh SD card), then check it',
    flags: [
      dataDirFlag,
      litestreamConfigFlag,
      {
        name: 'replica-url',
        kind: 'string',
        help: 'restore from this replica URL instead of a config (file:///media/usb/crewbell, sftp://user@host/path, s3://bucket/path)',
      },
      litestreamFlag,
      {
        name: 'secret-key',
        kind: 'string',
        help: `a file holding the secret key from your paper or password-manager copy, or - to read it from stdin (never the key itself: ps and sudo's log see the command line); saved as data-dir/secret.key (its env twin is ${SECRET_KEY_ENV}, used as it is)`,
      },
      {
        name: 'new-keys',
        kind: 'boolean',
        help: 'no secret key left: make a new one and new push keys (every phone must subscribe again)',
      },
      {
        name: 'force',
        kind: 'boolean',
        help: 'replace an existing database (stop crewbell first) or a different secret.key',
      },
    ],
    async run(args, io) {
      if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
      const dataDir = args.values['data-dir'] as string;
      const url = args.values['replica-url'] as string | undefined;
      const config = litestreamConfig(args.values['litestream-config'] as string | undefined);
      if (url === undefined && config === undefined) {
        throw new UsageError(
          `needs --litestream-config FILE or --replica-url URL (${DEFAULT_LITESTREAM_CONFIG} does not exist)`,
        );
      }
      const litestream = findLitestream(args.values.litestream as string | undefined, io.env);
      if (!litestream) {
        throw new CommandFailed(
          'litestream not found: install it (README "When the SD card dies") or pass --litestream PATH',
        );
      }
      // The env twin is the server's own key setting: use it, do not copy it into a file.
      const given = args.values['secret-key'] as string | undefined;
      const secretKey =
        given === undefined || given === io.env[SECRET_KEY_ENV]
          ? undefined
          : readKeyInput(given, 'crewbell restore … --secret-key');
      try {
        const result = restoreFromReplica({
          dataDir,
          litestream,
          source: url !== undefined ? { url } : { config: config! },
          secretKey,
          newKeys: args.values['new-keys'] as boolean,
          force: args.values.force as boolean,
          env: io.env,
          now: Date.now(),
        });
        io.out(
          `restored ${result.file} in ${(result.elapsedMs / 1000).toFixed(1)} s: integrity ok, schema step ${result.schema.to}${result.schema.from !== result.schema.to ? ` (from ${result.schema.from})` : ''}`,
        );
        if (result.cutShortAt) {
          io.err(
            `warning: the replica's newest WAL segment was cut short (a crash during its upload): restored up to ${result.cutShortAt}, the second before it`,
          );
        }
        if (result.key === 'new') {
          io.err(
            'warning: made a new secret key and new push keys; every phone must subscribe again (the app does when it next opens)',
          );
          io.out(`new secret key saved in the data dir: copy it now with crewbell secret show --qr`);
        } else {
          io.out(
            `push keys open with the secret key (${result.key === 'env' ? SECRET_KEY_ENV : 'secret.key'}): phones keep their subscriptions`,
          );
        }
        io.out('next: start crewbell (systemctl start crewbell), then Litestream (systemctl start litestream)');
        return 0;
      } catch (err) {
        if (err instanceof RestoreRefused) throw new CommandFailed(err.message);
        throw err;
      }
    },
  },
];
