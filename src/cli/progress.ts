// The progress bar `push test` and `push broadcast` draw on a terminal (nothing when piped):
// redrawn in place on its line; a result line clears it first.
import type { Io } from './command.ts';

export function progress(io: Io, done: number, total: number): void {
  if (!io.isTTY) return;
  const width = 24;
  const filled = Math.round((done / total) * width);
  io.write(`\r\x1b[K[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}`);
}
