// The shape of a CLI command: `crewbell <noun> [verb] [args] [flags]`.
import type { FlagSpec } from '../config.ts';
import type { ParsedArgs } from './args.ts';

export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** Raw write to stdout (progress bars, QR codes). */
  write(text: string): void;
  isTTY: boolean;
  env: Record<string, string | undefined>;
}

export interface Command {
  /** The words that select it: "serve", "user invite". */
  name: string;
  /** Positional arguments for the usage line, e.g. "NAME". */
  args?: string;
  summary: string;
  flags: FlagSpec[];
  /** Resolves to the exit code (0 ok, 1 runtime failure). Usage problems throw UsageError. */
  run(args: ParsedArgs, io: Io): Promise<number>;
}

export const processIo: Io = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
  write: (text) => void process.stdout.write(text),
  isTTY: Boolean(process.stdout.isTTY),
  env: process.env,
};

export class CommandFailed extends Error {
  override name = 'CommandFailed';
}
