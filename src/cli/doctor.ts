// Placeholder until doctor lands.
import type { Command } from './command.ts';
export const doctorCommands: Command[] = [];
