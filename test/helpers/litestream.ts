// Real Litestream (npm's v0.3.13 binary) for the replication tests: Litestream configs made
// from the systemd/litestream.yml template with test paths, `litestream replicate` as a
// child process, and a real OpenSSH server on 127.0.0.1 for the SFTP replica (key auth,
// a temporary host key, stopped by the test).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import path from 'node:path';
import { repoRoot, tempDir, waitFor } from './server.ts';
import type { Client } from './client.ts';

export const LITESTREAM = path.join(repoRoot, 'node_modules/@flydotio/litestream-linux-x64/litestream');
export const SSHD = '/usr/sbin/sshd';
export const SFTP_SERVER = '/usr/lib/openssh/sftp-server';
export const noSshd: string | false =
  existsSync(SSHD) && existsSync(SFTP_SERVER)
    ? false
    : `${SSHD} is missing (make sshd installs Debian's openssh-server)`;

export const TEMPLATE = path.join(repoRoot, 'systemd/litestream.yml');
const TEMPLATE_DB = '/var/lib/crewbell/crewbell.db';
const TEMPLATE_FILE_REPLICA = '/media/crewbell-replica/crewbell';

export type Replica =
  | { type: 'file'; path: string }
  | { type: 'sftp'; host: string; user: string; keyPath: string; path: string };

/**
 * The template with this test's paths: the file replica as it stands, or the template's
 * commented SFTP block switched on in its place. So the tests replicate with the template.
 */
export function configFromTemplate(dbPath: string, replica: Replica): string {
  const lines = readFileSync(TEMPLATE, 'utf8').split('\n');
  const out: string[] = [];
  let block: 'file' | 'sftp' | 'other' | undefined;
  for (const line of lines) {
    if (/^\s*- type: file/.test(line)) block = 'file';
    else if (/^\s*# - type: sftp/.test(line)) block = 'sftp';
    else if (/^\s*# - type: /.test(line)) block = 'other';
    else if (line.trim() === '' || /^\s*# \d\. /.test(line)) block = undefined;
    if (block === 'file' && replica.type !== 'file') continue;
    if (block === 'sftp' && replica.type === 'sftp') {
      out.push(line.replace(/^(\s*)# /, '$1'));
      continue;
    }
    out.push(line);
  }
  let text = out.join('\n').replaceAll(TEMPLATE_DB, dbPath);
  if (replica.type === 'file') text = text.replaceAll(TEMPLATE_FILE_REPLICA, replica.path);
  else {
    text = text
      .replace('host: backup.example.org:22', `host: ${replica.host}`)
      .replace('user: crewbell', `user: ${replica.user}`)
      .replace('key-path: /etc/crewbell/litestream-sftp-key', `key-path: ${replica.keyPath}`)
      .replace('path: /home/crewbell/replica/crewbell', `path: ${replica.path}`);
  }
  return text;
}

export function writeConfig(dir: string, dbPath: string, replica: Replica): string {
  const file = path.join(dir, 'litestream.yml');
  writeFileSync(file, configFromTemplate(dbPath, replica));
  return file;
}

export interface Replicator {
  process: ChildProcess;
  output(): string;
  /** Resolves once Litestream has written its first snapshot to the replica. */
  ready(): Promise<void>;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export function startReplicate(config: string): Replicator {
  const child = spawn(LITESTREAM, ['replicate', '-config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    process: child,
    output: () => out,
    ready: async () => {
      await waitFor(
        () => /wal segment written/.test(out) || child.exitCode !== null,
        'litestream to write its first WAL segment',
        30_000,
      );
      if (child.exitCode !== null) throw new Error(`litestream exited ${child.exitCode}:\n${out}`);
    },
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
  };
}

/** Runs a litestream subcommand to completion. */
export function litestream(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(LITESTREAM, args, { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Sshd {
  host: string;
  user: string;
  /** The client's private key, as Litestream's key-path. */
  keyPath: string;
  /** A folder the SFTP user may write (the replica goes under it). */
  home: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * An OpenSSH server on 127.0.0.1 and a free port: a fresh host key, one client key in
 * authorized_keys, key auth only, the sftp subsystem. It logs in as the user running the test.
 */
export async function startSshd(): Promise<Sshd> {
  const dir = tempDir('crewbell-sshd-');
  chmodSync(dir, 0o700);
  const keygen = (file: string) => {
    const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ssh-keygen: ${r.stderr}`);
  };
  keygen(path.join(dir, 'host_key'));
  keygen(path.join(dir, 'client_key'));
  writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(path.join(dir, 'client_key.pub')), { mode: 0o600 });
  const home = path.join(dir, 'home');
  mkdirSync(home, { mode: 0o700 });
  const port = await freePort();
  const config = path.join(dir, 'sshd_config');
  writeFileSync(
    config,
    `${[
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${path.join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'UsePAM no',
      'StrictModes no',
      `Subsystem sftp ${SFTP_SERVER}`,
    ].join('\n')}\n`,
  );
  // As root sshd wants its privilege-separation folder (systemd would make it).
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(
    () => /Server listening on 127\.0\.0\.1 port/.test(out) || child.exitCode !== null,
    'sshd to listen',
    15_000,
  );
  if (child.exitCode !== null) throw new Error(`sshd exited ${child.exitCode}:\n${out}`);
  return {
    host: `127.0.0.1:${port}`,
    user: userInfo().username,
    keyPath: path.join(dir, 'client_key'),
    home,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Writing {
  /** entity id → when its `success` came back (ms). */
  acked: Map<string, number>;
  /** Ends the loops (requests in flight may still fail); resolves when they have. */
  stop(): Promise<void>;
}

/**
 * Crew keep writing entries, `writers` requests at a time, as a phone's sync queue does;
 * each acknowledged entry is noted with its time. Failures (a killed server) are ignored.
 */
export function keepWriting(client: Client, logbookId: string, writers = 2): Writing {
  const acked = new Map<string, number>();
  let running = true;
  const loop = async () => {
    while (running) {
      const entityId = randomUUID();
      try {
        const res = await client.post('/api/sync/push', {
          items: [{ logbookId, entityId, action: 'create', payload: randomBytes(96).toString('base64url') }],
        });
        if (res.status === 200 && res.body.results[0]?.status === 'success') acked.set(entityId, Date.now());
      } catch {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  const loops = Array.from({ length: writers }, loop);
  return {
    acked,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}
