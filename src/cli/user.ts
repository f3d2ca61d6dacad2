// `crewbell user invite|list|delete`: the admin's way to let people aboard without opening
// registration to everyone, to see who has an account, and to remove one.
import * as v from 'valibot';
import QRCode from 'qrcode';
import { CommandFailed, type Command, type Io } from './command.ts';
import { dataDirFlag, OriginSchema, UsageError, type FlagSpec, type ParsedArgs } from '../config.ts';
import { databasePath, openDatabase, type Db } from '../db.ts';
import { createSignupToken, deleteUser, findUserByName, listUsers, Username, usernameTaken } from '../auth/users.ts';

function openData(args: ParsedArgs): Db {
  return openDatabase(databasePath(args.values['data-dir'] as string));
}

/** The one NAME argument, checked like a sign-up username. */
function usernameArg(args: ParsedArgs): string {
  const [name, ...extra] = args.positionals;
  if (name === undefined) throw new UsageError('needs a username (NAME)');
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const r = v.safeParse(Username, name);
  if (!r.success) throw new UsageError(`username "${name}" ${r.issues[0].message}`);
  return r.output;
}

function noArgs(args: ParsedArgs): void {
  if (args.positionals.length) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
}

async function printQr(io: Io, link: string): Promise<void> {
  const qr = await QRCode.toString(link, { type: 'terminal', small: true });
  // The renderer ends with a dangling colour sequence and no newline: keep the link line clean.
  io.write(qr.replace(/\n(\x1b\[[0-9;]*m)*$/, '') + '\x1b[0m\n');
}

const originFlag: FlagSpec = {
  name: 'origin',
  kind: 'string',
  default: 'http://localhost:8080',
  help: 'the public URL the link points to (the server\'s --origin)',
};

export const userCommands: Command[] = [
  {
    name: 'user invite',
    args: 'NAME',
    summary: 'print a one-time, 7-day sign-up link for username NAME',
    flags: [dataDirFlag, { name: 'admin', kind: 'boolean', help: 'the new account is an admin' }, originFlag],
    async run(args, io) {
      const username = usernameArg(args);
      const parsedOrigin = v.safeParse(OriginSchema, args.values['origin'] as string);
      if (!parsedOrigin.success) throw new UsageError(`--origin: ${parsedOrigin.issues[0].message}`);
      const isAdmin = args.values['admin'] as boolean;
      const db = openData(args);
      try {
        if (usernameTaken(db, username)) throw new CommandFailed(`the username "${username}" is taken`);
        const now = Date.now();
        const { token, expiresAt } = createSignupToken(db, username, isAdmin, now);
        const link = `${parsedOrigin.output}/signup?token=${token}`;
        io.out(`Sign-up link for ${username}${isAdmin ? ' (admin)' : ''}: single use, valid until ${new Date(expiresAt).toISOString()}`);
        if (io.isTTY) await printQr(io, link);
        io.out(link);
        return 0;
      } finally {
        db.close();
      }
    },
  },
  {
    name: 'user list',
    summary: 'list the accounts: username, admin, passkeys, created',
    flags: [dataDirFlag],
    async run(args, io) {
      noArgs(args);
      const db = openData(args);
      try {
        const rows = listUsers(db).map((u) => [u.username, u.isAdmin ? 'yes' : 'no', String(u.passkeys), new Date(u.createdAt).toISOString().slice(0, 16).replace('T', ' ')]);
        const table = [['USERNAME', 'ADMIN', 'PASSKEYS', 'CREATED (UTC)'], ...rows];
        const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
        for (const row of table) io.out(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
        if (!rows.length) io.err('no accounts yet (create one with: crewbell user invite NAME --admin)');
        return 0;
      } finally {
        db.close();
      }
    },
  },
  {
    name: 'user delete',
    args: 'NAME',
    summary: 'delete the account NAME with its passkeys, sessions, devices and the logbooks it owns',
    flags: [dataDirFlag],
    async run(args, io) {
      const username = usernameArg(args);
      const db = openData(args);
      try {
        const user = findUserByName(db, username);
        if (!user) {
          io.err(`warning: no user named "${username}"; nothing to delete`);
          return 0;
        }
        deleteUser(db, user.id);
        io.out(`deleted user ${user.username}`);
        return 0;
      } finally {
        db.close();
      }
    },
  },
];
