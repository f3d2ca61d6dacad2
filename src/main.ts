#!/usr/bin/env node
// crewbell's entry point: `crewbell <command> [flags]` (see src/cli/).
import { setFlagsFromString } from 'node:v8';
import { run } from './cli/index.ts';

// A heap sized for a 512 MB Pi, however crewbell is started (from source, under Deno, or the
// binary): the old generation grows by 10 % before its next collection, not by V8's default
// factor, so a flood of requests for unknown 8 KB paths leaves no lasting growth behind
// (test/attack-network.test.ts). The young generation is kept small by the node flag
// `--max-semi-space-size=1` (the binary's execArgv, `make run`), which cannot be set from
// here. `--optimize-for-size` kept memory as flat but doubled the CPU of a sync upload.
setFlagsFromString('--heap-growing-percent=10');

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
