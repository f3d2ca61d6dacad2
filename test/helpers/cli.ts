// `crewbell <args>` run in this process through run(argv, io), the function main.ts calls: the
// same exit code and output as runCli's process, without the ~0.3 s start. What stays a real
// process: main.ts's own work (umask 077, exit codes) and reading standard input.
import { run } from '../../src/cli/index.ts';
import type { Io } from '../../src/cli/command.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion in this process; env adds to this process's environment, as runCli's does. */
export async function cli(
  args: string[],
  options: { env?: Record<string, string>; isTTY?: boolean } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    out: (line) => void (stdout += `${line}\n`),
    err: (line) => void (stderr += `${line}\n`),
    write: (text) => void (stdout += text),
    isTTY: options.isTTY ?? false,
    env: { ...process.env, ...options.env },
  };
  const code = await run(args, io);
  return { code, stdout, stderr };
}
