// Test processes a mutant left running: when a mutant makes a test loop for ever, Stryker ends
// that run at its timeout by killing its own worker, but `node --test` and the test file it
// started live on, orphaned (parent pid 1), at full CPU, and every later mutant is slower for
// it. The reaper kills such orphans every few seconds: only processes that carry this run's
// compile-cache path in their environment (set by the command, so no other process has it) and
// whose parent is gone. Linux only (/proc); elsewhere it does nothing.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

function parentOf(pid: string): number | undefined {
  try {
    // The command name may hold spaces and parentheses: the fields after the last ')' are fixed.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function carries(pid: string, marker: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(marker);
  } catch {
    return false;
  }
}

/** Kills the orphans with `marker` (NAME=value) in their environment; returns how many. */
export function reapOrphans(marker: string): number {
  if (!existsSync('/proc/self/stat')) return 0;
  let killed = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    if (parentOf(pid) !== 1 || !carries(pid, marker)) continue;
    try {
      process.kill(Number(pid), 'SIGKILL');
      killed++;
    } catch {
      // Gone already.
    }
  }
  return killed;
}

/** Reaps every `everyMs` until stopped; returns the stop function and the count so far. */
export function startReaper(marker: string, everyMs = 2_000): { stop(): number } {
  let total = 0;
  const timer = setInterval(() => (total += reapOrphans(marker)), everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      return total + reapOrphans(marker);
    },
  };
}
