// make mutate's reaper (test/mutation/reaper.ts): an orphaned process that carries the run's
// marker is stopped; one without the marker, or one whose parent lives, is left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { reapOrphans } from '../mutation/reaper.ts';

/** Running (a killed orphan may stay a zombie until pid 1 collects it: that counts as gone). */
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
};

/** Starts a sleeper whose parent shell exits at once: an orphan with env; returns its pid. */
function orphan(env: Record<string, string>): number {
  const out = execFileSync('sh', ['-c', 'sleep 30 >/dev/null 2>&1 & echo $!'], { env: { ...process.env, ...env } });
  return Number(String(out).trim());
}

test('orphans with the marker are killed; without it, or with a living parent, they are not', {
  skip: !existsSync('/proc/self/stat'),
}, async () => {
  const marker = `CREWBELL_REAPER_TEST=${process.pid}-${Date.now()}`;
  const [name, value] = marker.split('=') as [string, string];
  const marked = orphan({ [name]: value });
  const unmarked = orphan({});
  const child = spawn('sleep', ['30'], { env: { ...process.env, [name]: value }, stdio: 'ignore' });
  try {
    assert.equal(reapOrphans(marker), 1);
    for (let i = 0; i < 50 && alive(marked); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(alive(marked), false, 'the marked orphan is gone');
    assert.equal(alive(unmarked), true, 'an orphan without the marker stays');
    assert.equal(alive(child.pid!), true, 'a marked process whose parent lives stays');
  } finally {
    for (const pid of [marked, unmarked, child.pid!]) if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
});
