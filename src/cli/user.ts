// Placeholder until the auth issue's user commands land.
import type { Command } from './command.ts';
export const userCommands: Command[] = [];
