// `crewbell backup FILE`: a consistent copy of the database while serve keeps running.
// SQLite's online backup copies every page in a single step, inside one read transaction,
// so the copy is the database as of one moment even while the server commits; it is
// checked, then renamed into place, so FILE is never a half-written copy.
import { backup, DatabaseSync } from 'node:sqlite';
import { chmodSync, existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Command } from './command.ts';
import { CommandFailed } from './command.ts';
import { dataDirFlag, UsageError } from '../config.ts';
import { databasePath, userVersion } from '../db.ts';

/** Pages per backup step: all of them, so that writes by the server cannot restart it. */
const ALL_PAGES = 2 ** 31 - 1;

export interface BackupResult {
  file: string;
  pages: number;
  schemaVersion: number;
}

/**
 * Copies the database at `source` to `target` (which must not exist unless `force`).
 * The source is opened as it is: no migration, so an old server may keep running on it.
 */
async function backupDatabase(source: string, target: string, force = false): Promise<BackupResult> {
  if (!existsSync(source)) throw new CommandFailed(`no database at ${source} (check --data-dir)`);
  if (existsSync(target) && !force) throw new CommandFailed(`${target} exists; pass --force to replace it`);
  const partial = path.join(path.dirname(path.resolve(target)), `.${path.basename(target)}.partial-${process.pid}`);
  const db = new DatabaseSync(source);
  try {
    db.exec('PRAGMA busy_timeout = 5000');
    const pages = await backup(db, partial, { rate: ALL_PAGES });
    const copy = new DatabaseSync(partial);
    let schemaVersion: number;
    try {
      const check = copy.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[];
      if (check.length !== 1 || check[0]!.integrity_check !== 'ok') {
        throw new CommandFailed(
          `the copy failed its integrity check: ${check.map((r) => r.integrity_check).join('; ')}`,
        );
      }
      schemaVersion = userVersion(copy);
    } finally {
      copy.close();
    }
    // It holds session hashes and the sealed VAPID key: for crewbell's user only.
    chmodSync(partial, 0o600);
    renameSync(partial, target);
    return { file: target, pages, schemaVersion };
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  } finally {
    db.close();
  }
}

export const backupCommands: Command[] = [
  {
    name: 'backup',
    args: 'FILE',
    summary: 'consistent online copy of the database (safe while serve runs)',
    flags: [dataDirFlag, { name: 'force', kind: 'boolean', help: 'replace FILE if it exists' }],
    async run(args, io) {
      if (args.positionals.length !== 1) throw new UsageError('needs exactly one FILE to write the copy to');
      const dataDir = args.values['data-dir'] as string;
      const result = await backupDatabase(databasePath(dataDir), args.positionals[0]!, args.values.force as boolean);
      io.out(`backup ${result.file}: ${result.pages} pages, schema step ${result.schemaVersion}, integrity ok`);
      if (!io.env.CREWBELL_SECRET_KEY) {
        io.out(
          `keep ${path.join(dataDir, 'secret.key')} safe too: the VAPID private key in the copy is sealed with it`,
        );
      }
      return 0;
    },
  },
];
