// `crewbell user invite|recover|list|delete`: the admin's way to let people aboard without
// opening registration to everyone, to give someone who lost their passkey a way back in, to
// see who has an account, and to remove one.
import * as v from 'valibot';
import { CommandFailed, type Command, type Io } from './command.ts';
import { printQr } from './qr.ts';
import { dataDirFlag, OriginSchema, UsageError, type FlagSpec } from '../config.ts';
import type { ParsedArgs } from './args.ts';
import { databasePath, openDatabase, transaction, type Db } from '../db.ts';
import {
  createSignupToken,
  deleteUser,
  findUserByName,
  listUsers,
  Username,
  usernameTaken,
  type SignupPurpose,
} from '../auth/users.ts';
import { invalidateUserSessions } from '../auth/sessions.ts';
import { deleteUserPasskeys } from '../auth/passkeys.ts';
import { dropUserDevices } from '../push/subscriptions.ts';

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

const originFlag: FlagSpec = {
  name: 'origin',
  kind: 'string',
  default: 'http://localhost:8080',
  help: "the public URL the link points to (the server's --origin)",
};

function originArg(args: ParsedArgs): string {
  const parsed = v.safeParse(OriginSchema, args.values.origin as string);
  if (!parsed.success) throw new UsageError(`--origin: ${parsed.issues[0].message}`);
  return parsed.output;
}

/** Makes the link's token and prints what it does, a QR code on a terminal, and the link as the last line. */
async function printLink(
  io: Io,
  db: Db,
  link: { username: string; isAdmin: boolean; purpose: SignupPurpose; origin: string },
): Promise<void> {
  const { token, expiresAt } = createSignupToken(db, link.username, link.isAdmin, Date.now(), link.purpose);
  const url = `${link.origin}/${link.purpose === 'recover' ? 'recover' : 'signup'}?token=${token}`;
  const what =
    link.purpose === 'recover'
      ? `Recovery link for ${link.username} (a new passkey on the device that opens it)`
      : `Sign-up link for ${link.username}${link.isAdmin ? ' (admin)' : ''}`;
  io.out(`${what}: single use, valid until ${new Date(expiresAt).toISOString()}`);
  if (io.isTTY) await printQr(io, url);
  io.out(url);
}

export const userCommands: Command[] = [
  {
    name: 'user invite',
    args: 'NAME',
    summary: 'print a one-time, 7-day sign-up link for username NAME',
    flags: [dataDirFlag, { name: 'admin', kind: 'boolean', help: 'the new account is an admin' }, originFlag],
    async run(args, io) {
      const username = usernameArg(args);
      const origin = originArg(args);
      const isAdmin = args.values.admin as boolean;
      const db = openData(args);
      try {
        if (usernameTaken(db, username))
          throw new CommandFailed(
            `the username "${username}" is taken (to give ${username} a new passkey: crewbell user recover ${username})`,
          );
        await printLink(io, db, { username, isAdmin, purpose: 'signup', origin });
        return 0;
      } finally {
        db.close();
      }
    },
  },
  {
    name: 'user recover',
    args: 'NAME',
    summary: 'for a lost passkey: sign NAME out everywhere and print a one-time, 24-hour link to make a new passkey',
    flags: [
      dataDirFlag,
      originFlag,
      { name: 'remove-passkeys', kind: 'boolean', help: "also remove the account's passkeys now (a stolen phone)" },
    ],
    async run(args, io) {
      const username = usernameArg(args);
      const origin = originArg(args);
      const db = openData(args);
      try {
        const user = findUserByName(db, username);
        if (!user) throw new CommandFailed(`no user named "${username}"`);
        const removed = transaction(db, () => ({
          sessions: invalidateUserSessions(db, user.id),
          passkeys: args.values['remove-passkeys'] ? deleteUserPasskeys(db, user.id) : 0,
          // A stolen phone keeps no push device: it would go on showing the owner's changes.
          devices: args.values['remove-passkeys'] ? dropUserDevices(db, user.id) : 0,
        }));
        io.out(
          `${user.username} is signed out on every device (${removed.sessions} session${removed.sessions === 1 ? '' : 's'} ended)${args.values['remove-passkeys'] ? ` and has no passkeys left (${removed.passkeys} removed) and no push devices (${removed.devices} removed)` : ''}.`,
        );
        await printLink(io, db, { username: user.username, isAdmin: user.isAdmin, purpose: 'recover', origin });
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
        const rows = listUsers(db).map((u) => [
          u.username,
          u.isAdmin ? 'yes' : 'no',
          String(u.passkeys),
          new Date(u.createdAt).toISOString().slice(0, 16).replace('T', ' '),
        ]);
        const table = [['USERNAME', 'ADMIN', 'PASSKEYS', 'CREATED (UTC)'], ...rows];
        const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
        for (const row of table)
          io.out(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
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
    summary: 'delete the account NAME with its passkeys, sessions, devices, email address and the logbooks it owns',
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
