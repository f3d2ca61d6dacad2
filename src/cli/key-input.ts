// Where an admin command reads a secret key from: standard input (`-`, or nothing) or a file,
// never the command line itself, which `ps` and sudo's log see. A key typed there is
// refused with the form to use instead.
import { existsSync, readFileSync } from 'node:fs';
import { CommandFailed } from './command.ts';
import { UsageError } from '../config.ts';

/** Looks like a key itself (base64url of 32 bytes, or 64 hex digits), not a file name. */
const KEY_SHAPED = /^(?:[A-Za-z0-9_-]{43}=?|[0-9a-fA-F]{64})$/;

/**
 * The key text from `given`: `-` (or undefined) reads standard input, anything else is a
 * file. `how` is the command's own form for the message, e.g. "crewbell secret import".
 */
export function readKeyInput(given: string | undefined, how: string): string {
  if (given === undefined || given === '-') return readFileSync(0, 'utf8');
  if (!existsSync(given)) {
    if (KEY_SHAPED.test(given.trim())) {
      throw new UsageError(
        `the key is never taken from the command line (ps and sudo's log would show it): ` +
          `${how} - (then paste it and press Ctrl-D), or ${how} FILE`,
      );
    }
    throw new CommandFailed(`${given}: no such file (${how} - reads the key from standard input)`);
  }
  return readFileSync(given, 'utf8');
}
