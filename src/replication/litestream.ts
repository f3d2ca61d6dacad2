// Litestream, the program that streams crewbell's database off the SD card: finding its
// binary and config, and asking it where the replicas stand (`litestream generations`).
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** Where Litestream's own .deb and systemd unit look for their config. */
export const DEFAULT_LITESTREAM_CONFIG = '/etc/litestream.yml';

export class LitestreamError extends Error {
  override name = 'LitestreamError';
}

/** The config file to use: the one given, else /etc/litestream.yml when it exists. */
export function litestreamConfig(given: string | undefined): string | undefined {
  if (given !== undefined) return given;
  return existsSync(DEFAULT_LITESTREAM_CONFIG) ? DEFAULT_LITESTREAM_CONFIG : undefined;
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The litestream binary: the one given, else the first on PATH; undefined when there is none. */
export function findLitestream(given: string | undefined, env: Record<string, string | undefined>): string | undefined {
  if (given !== undefined) return executable(given) ? given : undefined;
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir && executable(path.join(dir, 'litestream'))) return path.join(dir, 'litestream');
  }
  return undefined;
}

/** Runs litestream; its stdout, or a LitestreamError carrying what it printed. */
export function runLitestream(bin: string, args: string[], timeoutMs = 60_000): string {
  const result = spawnSync(bin, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
  if (result.error) throw new LitestreamError(`${bin}: ${result.error.message}`);
  if (result.status !== 0) {
    const said = (result.stderr || result.stdout).trim().split('\n').pop() ?? '';
    throw new LitestreamError(`litestream ${args[0]} failed (exit ${result.status}): ${said}`);
  }
  return result.stdout;
}

export interface Generation {
  replica: string;
  generation: string;
  /** The newest WAL segment or snapshot the replica holds, as Litestream dates it (second precision). */
  end: number;
}

/** Parses `litestream generations` (name, generation, lag, start, end). */
export function parseGenerations(text: string): Generation[] {
  const rows: Generation[] = [];
  for (const line of text.trim().split('\n').slice(1)) {
    const [replica, generation, , , end] = line.trim().split(/\s+/);
    const at = Date.parse(end ?? '');
    if (replica && generation && Number.isFinite(at)) rows.push({ replica, generation, end: at });
  }
  return rows;
}

export interface ReplicaStatus {
  replica: string;
  /** How far the replica's newest data is behind the database's last commit (0 when caught up). */
  behindMs: number;
  newest: number;
}

/** When the database last took a commit: the newer mtime of the file and its WAL. */
export function lastCommitTime(dbPath: string): number {
  return Math.max(0, ...[dbPath, `${dbPath}-wal`].filter((f) => existsSync(f)).map((f) => statSync(f).mtimeMs));
}

/**
 * Where each replica of `dbPath` stands. The database's last commit is the mtime of its WAL
 * (or of the file after a checkpoint); a replica is behind by the time between that and the
 * newest segment it holds. Replica times have whole seconds, so up to 1 s reads as caught up.
 */
export function replicaStatus(
  bin: string,
  config: string,
  dbPath: string,
  lastCommit = lastCommitTime(dbPath),
): ReplicaStatus[] {
  const rows = parseGenerations(runLitestream(bin, ['generations', '-config', config, path.resolve(dbPath)]));
  const newestByReplica = new Map<string, number>();
  for (const row of rows) newestByReplica.set(row.replica, Math.max(row.end, newestByReplica.get(row.replica) ?? 0));
  return [...newestByReplica].map(([replica, newest]) => ({
    replica,
    newest,
    behindMs: Math.max(0, lastCommit - newest - 1000),
  }));
}

/**
 * The folders a config writes replicas to on this machine (file replicas: `path:` or a
 * `file://` url), read line by line: enough to tell whether a replica sits beside the key.
 */
export function localReplicaPaths(configFile: string, dbPath: string): string[] {
  const db = path.resolve(dbPath);
  const found: string[] = [];
  for (const line of readFileSync(configFile, 'utf8').split('\n')) {
    const m = /^\s*-?\s*(path|url):\s*["']?([^"'#\s]+)/.exec(line);
    if (!m) continue;
    const value = m[1] === 'url' ? (m[2]!.startsWith('file://') ? m[2]!.slice('file://'.length) : undefined) : m[2]!;
    if (value && path.resolve(value) !== db) found.push(path.resolve(value));
  }
  return found;
}

/** Whether the config names this database at all (Litestream matches the absolute path). */
export function configNamesDatabase(configFile: string, dbPath: string): boolean {
  const db = path.resolve(dbPath);
  return readFileSync(configFile, 'utf8')
    .split('\n')
    .some((line) => {
      const m = /^\s*-?\s*path:\s*["']?([^"'#\s]+)/.exec(line);
      return m !== null && path.resolve(m[1]!) === db;
    });
}
