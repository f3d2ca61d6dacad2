#!/usr/bin/env node
// crewbell's entry point: `crewbell <command> [flags]` (see src/cli/).
import { run } from './cli/index.ts';

// Whatever a command creates (data folder, database, keys, backups) is the service user's
// alone: folders 0700, files 0600.
try {
  process.umask(0o077);
} catch {
  // a runtime without umask (the systemd unit sets UMask=0077 as well)
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`crewbell: ${(err as Error)?.stack ?? err}\n`);
    process.exitCode = 1;
  },
);
