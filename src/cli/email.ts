// `crewbell email test --user NAME` sends a test email to the user's verified address now,
// through the relay serve would use; and doctor's SMTP check, which connects, says EHLO (and
// logs in when the URL has a user) and sends nothing.
import type { Command } from './command.ts';
import { CommandFailed } from './command.ts';
import { dataDirFlag, defaultMailFrom, MailFromSchema, SmtpUrlSchema, UsageError, type FlagValue } from '../config.ts';
import * as v from 'valibot';
import { databasePath, openDatabase } from '../db.ts';
import { findUserByName } from '../auth/users.ts';
import { addressOf, unsubscribePath } from '../email/addresses.ts';
import { composeEmail } from '../email/compose.ts';
import { createRelay, relayError } from '../email/relay.ts';

/** The relay's host and port as shown (never the password). */
export function relayName(smtpUrl: string): string {
  const u = new URL(smtpUrl);
  return `${u.protocol}//${u.hostname}:${u.port || (u.protocol === 'smtps:' ? '465' : '587')}`;
}

/** An address as printed: the first letter and the domain. */
const masked = (address: string) => address.replace(/^(.)[^@]*@/, '$1***@');

export interface SmtpCheck {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

/** doctor: undefined when no --smtp-url is given (email is optional). */
export async function checkSmtp(values: Record<string, FlagValue>): Promise<SmtpCheck | undefined> {
  const url = values['smtp-url'] as string | undefined;
  if (url === undefined) return undefined;
  if (!v.safeParse(SmtpUrlSchema, url).success)
    return {
      name: 'smtp',
      ok: false,
      detail: '--smtp-url is not an smtp:// or smtps:// URL',
      fix: 'see crewbell serve --help',
    };
  const relay = createRelay({
    smtpUrl: url,
    from: 'crewbell <doctor@localhost>',
    timeoutMs: (values['email-timeout'] as number) ?? 30_000,
  });
  try {
    await relay.verify();
    return {
      name: 'smtp',
      ok: true,
      detail: `${relayName(url)} answered EHLO${new URL(url).username ? ' and took the login' : ''} (nothing sent)`,
    };
  } catch (err) {
    return {
      name: 'smtp',
      ok: false,
      detail: `${relayName(url)}: ${relayError(err)}`,
      fix: 'check the host, port, user and password in --smtp-url, and that this machine may reach the relay',
    };
  } finally {
    relay.close();
  }
}

export const emailCommands: Command[] = [
  {
    name: 'email test',
    summary: "send a test email now to a user's verified address (--user NAME)",
    flags: [
      dataDirFlag,
      { name: 'user', kind: 'string', help: 'the user who gets it' },
      { name: 'smtp-url', kind: 'string', help: 'the relay, as for serve (smtp://user:pass@host:587)' },
      { name: 'mail-from', kind: 'string', help: 'the From (default crewbell <crewbell@ORIGIN-HOST>)' },
      { name: 'origin', kind: 'string', default: 'http://localhost:8080', help: 'the public URL the email links to' },
      { name: 'email-timeout', kind: 'duration', default: '30s', help: 'each step of talking to the relay, at most' },
    ],
    async run(args, io) {
      const username = args.values.user as string | undefined;
      if (!username) throw new UsageError('give --user NAME');
      const smtpUrl = args.values['smtp-url'] as string | undefined;
      if (!smtpUrl) throw new UsageError('give --smtp-url (or CREWBELL_SMTP_URL), as serve has it');
      if (!v.safeParse(SmtpUrlSchema, smtpUrl).success)
        throw new UsageError('--smtp-url: must be smtp://user:pass@host:587 or smtps://user:pass@host:465');
      const from = args.values['mail-from'] as string | undefined;
      if (from !== undefined && !v.safeParse(MailFromSchema, from).success)
        throw new UsageError('--mail-from: must be an address, or a name and <address>');
      const origin = new URL(args.values.origin as string).origin;
      const db = openDatabase(databasePath(args.values['data-dir'] as string));
      let to: ReturnType<typeof addressOf>;
      try {
        const user = findUserByName(db, username);
        if (!user) throw new CommandFailed(`no user named ${username}`);
        to = addressOf(db, user.id);
        if (!to?.verified) throw new CommandFailed(`${username} has no verified email address`);
      } finally {
        db.close();
      }
      const relay = createRelay({
        smtpUrl,
        from: from ?? defaultMailFrom(origin),
        timeoutMs: args.values['email-timeout'] as number,
      });
      try {
        await relay.send(
          to.address,
          composeEmail('test', to.locale, origin, '/settings', `${origin}${unsubscribePath(to.unsubscribeToken)}`),
        );
        io.out(`ok: sent to ${masked(to.address)} through ${relayName(smtpUrl)}`);
        return 0;
      } catch (err) {
        throw new CommandFailed(`failed: ${relayError(err)}`);
      } finally {
        relay.close();
      }
    },
  },
];
