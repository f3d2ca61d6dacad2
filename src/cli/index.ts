// Finds the command in argv, parses its flags, runs it, and turns failures into exit codes:
// 0 ok, 1 runtime failure, 2 bad usage or invalid configuration (one line on stderr).
import { UsageError } from '../config.ts';
import { helpText, parseArgs } from './args.ts';
import { CommandFailed, processIo, type Command, type Io } from './command.ts';
import { VERSION } from '../version.ts';

/**
 * Each command's first word and the file that holds its commands, in the order help lists
 * them. A command loads only its own file: from source, `crewbell user list` then starts
 * without the server's code (about 0.3 s instead of 0.5 s).
 */
const NOUNS: Record<string, () => Promise<Command[]>> = {
  serve: async () => (await import('./serve.ts')).serveCommands,
  vapid: async () => (await import('./vapid.ts')).vapidCommands,
  push: async () => (await import('./push.ts')).pushCommands,
  email: async () => (await import('./email.ts')).emailCommands,
  user: async () => (await import('./user.ts')).userCommands,
  subscriptions: async () => (await import('./subscriptions.ts')).subscriptionCommands,
  backup: async () => (await import('./backup.ts')).backupCommands,
  restore: async () => (await import('./restore.ts')).restoreCommands,
  secret: async () => (await import('./secret.ts')).secretCommands,
  doctor: async () => (await import('./doctor.ts')).doctorCommands,
  version: async () => (await import('./version.ts')).versionCommands,
};

/** Every command, in help's order. */
export async function allCommands(): Promise<Command[]> {
  return (await Promise.all(Object.values(NOUNS).map((load) => load()))).flat();
}

function usageLine(cmd: Command): string {
  return `crewbell ${cmd.name}${cmd.args ? ` ${cmd.args}` : ''} [flags]`;
}

function topHelp(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => (c.name + (c.args ? ` ${c.args}` : '')).length)) + 2;
  return [
    `crewbell ${VERSION}: push notifications for a zero-knowledge sailing logbook`,
    '',
    'usage: crewbell <command> [flags]',
    '',
    'commands:',
    ...commands.map((c) => `  ${(c.name + (c.args ? ` ${c.args}` : '')).padEnd(width)}${c.summary}`),
    '',
    'Run "crewbell <command> --help" for its flags.',
  ].join('\n');
}

function findCommand(commands: Command[], argv: string[]): { command: Command; rest: string[] } | undefined {
  let best: { command: Command; rest: string[] } | undefined;
  for (const command of commands) {
    const words = command.name.split(' ');
    if (words.every((w, i) => argv[i] === w) && (!best || words.length > best.command.name.split(' ').length)) {
      best = { command, rest: argv.slice(words.length) };
    }
  }
  return best;
}

export async function run(argv: string[], io: Io = processIo): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(topHelp(await allCommands()));
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version') argv = ['version'];
  const load = Object.hasOwn(NOUNS, argv[0]!) ? NOUNS[argv[0]!] : undefined;
  const nouns = load ? await load() : [];
  const found = findCommand(nouns, argv);
  if (!found) {
    if (nouns.length) {
      io.err(
        `crewbell ${argv[0]}: ${argv[1] === undefined ? 'needs' : `unknown subcommand "${argv[1]}"; use`} one of: ${nouns.map((c) => c.name.split(' ')[1]).join(', ')}`,
      );
    } else {
      io.err(`crewbell: unknown command "${argv[0]}" (see crewbell --help)`);
    }
    return 2;
  }
  const { command, rest } = found;
  try {
    const args = parseArgs(rest, command.flags, io.env);
    if (args.help) {
      io.out(helpText(usageLine(command), command.summary, command.flags));
      return 0;
    }
    return await command.run(args, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`crewbell ${command.name}: ${err.message}`);
      return 2;
    }
    if (err instanceof CommandFailed) {
      io.err(`crewbell ${command.name}: ${err.message}`);
      return 1;
    }
    io.err(`crewbell ${command.name}: ${(err as Error).message ?? String(err)}`);
    return 1;
  }
}
