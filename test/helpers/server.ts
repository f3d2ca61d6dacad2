// Starts a real `crewbell serve` process on a fresh data dir and port 0, and talks to it
// over real HTTP. Tests may also open the same SQLite file to back-date or inspect rows.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseSync } from 'node:sqlite';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const mainTs = path.join(repoRoot, 'src/main.ts');

export interface StartOptions {
  /** Extra `serve` flags, e.g. ['--open-registration']. */
  flags?: string[];
  env?: Record<string, string>;
  /** Reuse a data dir (restart tests). */
  dataDir?: string;
  /** Command to run instead of `node src/main.ts` (e.g. the binary or deno). */
  command?: string[];
  /** Working directory of the process (default: the test's). */
  cwd?: string;
}

export interface TestServer {
  url: string;
  /** Real HTTP (global fetch); an in-process app (helpers/app.ts) sets its own. */
  fetch?: undefined;
  origin: string;
  port: number;
  dataDir: string;
  process: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** A fresh connection to the server's database file. */
  db(): DatabaseSync;
  /** Runs one statement on the database file; returns its rows as plain objects. */
  query<T = any>(sql: string, ...params: Array<string | number | null>): T[];
  /** SIGTERM and wait for exit; resolves to the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (crash) and wait. */
  kill(): Promise<void>;
  /** Removes the data dir (after stop). */
  cleanup(): void;
}

/** A data dir's database for a test: fresh connections that wait out the server's locks, and one statement run on one. */
export function databaseAccess(dataDir: string): Pick<TestServer, 'db' | 'query'> {
  const db = () => {
    const connection = new DatabaseSync(path.join(dataDir, 'crewbell.db'));
    connection.exec('PRAGMA busy_timeout = 5000');
    return connection;
  };
  return {
    db,
    query(sql, ...params) {
      const connection = db();
      try {
        return connection
          .prepare(sql)
          .all(...params)
          .map((row) => ({ ...row })) as never[];
      } finally {
        connection.close();
      }
    },
  };
}

export function tempDir(prefix = 'crewbell-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? tempDir();
  // The young generation `make run` and the binary use (src/main.ts says why).
  const cmd = options.command ?? [process.execPath, '--max-semi-space-size=1', mainTs];
  const child = spawn(
    cmd[0]!,
    [...cmd.slice(1), 'serve', '--port', '0', '--data-dir', dataDir, ...(options.flags ?? [])],
    {
      env: { ...process.env, ...options.env },
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 20 s:\n${out}`)), 20_000);
    const check = () => {
      const m = /listening on http:\/\/[^\s]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${out}`));
    });
  });
  const originFlag = options.flags?.indexOf('--origin') ?? -1;
  const origin = originFlag >= 0 ? options.flags![originFlag + 1]! : `http://localhost:${port}`;
  return {
    url: `http://127.0.0.1:${port}`,
    origin,
    port,
    dataDir,
    process: child,
    output: () => out,
    ...databaseAccess(dataDir),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs a CLI command to completion: `crewbell <args>`. */
export async function runCli(
  args: string[],
  options: { env?: Record<string, string>; command?: string[]; input?: string; cwd?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cmd = options.command ?? [process.execPath, mainTs];
  const child = spawn(cmd[0]!, [...cmd.slice(1), ...args], {
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end(options.input ?? '');
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  return { code, stdout, stderr };
}

/** Polls until fn returns a truthy value (bounded: default 10 s). */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  what = 'condition',
  timeoutMs = 10_000,
  everyMs = 25,
): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
