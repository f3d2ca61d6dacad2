import type { Command } from './command.ts';
import { VERSION } from '../version.ts';

export const versionCommands: Command[] = [
  {
    name: 'version',
    summary: 'print the crewbell version',
    flags: [],
    async run(_args, io) {
      io.out(`crewbell ${VERSION} (node ${process.versions.node}, sqlite ${process.versions.sqlite ?? 'unknown'})`);
      return 0;
    },
  },
];
