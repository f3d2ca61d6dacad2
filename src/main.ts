#!/usr/bin/env node
// crewbell's entry point: `crewbell <command> [flags]` (see src/cli/).
import { setFlagsFromString } from 'node:v8';
import { run } from './cli/index.ts';

// A heap sized for a 512 MB Pi, however crewbell is started (from source, under Deno, or the
// binary, whose execArgv says the same): V8 otherwise lets its young generation grow to 128 MB
// and the old one fill with dead requests before collecting, so 4,000 requests for unknown
// 8 KB paths kept 84 MB more resident (test/attack-network.test.ts); with it, about none.
setFlagsFromString('--optimize-for-size');

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
