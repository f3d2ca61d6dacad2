#!/usr/bin/env node
// crewbell's entry point: `crewbell <command> [flags]` (see src/cli/).
import { run } from './cli/index.ts';

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`crewbell: ${(err as Error)?.stack ?? err}\n`);
    process.exitCode = 1;
  },
);
