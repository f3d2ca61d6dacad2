// The replication line of `crewbell doctor`: is a Litestream replica configured for this
// database, how far behind the last commit is it, and does the secret key sit beside it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  configNamesDatabase,
  findLitestream,
  litestreamConfig,
  localReplicaPaths,
  replicaStatus,
  DEFAULT_LITESTREAM_CONFIG,
} from './litestream.ts';
import { SECRET_KEY_FILE } from '../push/vapid.ts';

/** A replica further behind than this while crewbell commits means Litestream is not keeping up (or not running). */
export const REPLICA_BEHIND_LIMIT_MS = 60_000;

export interface ReplicationCheck {
  ok: boolean;
  detail: string;
  fix?: string;
}

const ok = (detail: string): ReplicationCheck => ({ ok: true, detail });
const problem = (detail: string, fix: string): ReplicationCheck => ({ ok: false, detail, fix });

function inside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** `lastCommit`: taken before doctor's own write probe, which would otherwise count as a commit not yet replicated. */
export function checkReplication(
  dataDir: string,
  dbPath: string,
  given: { config?: string | undefined; litestream?: string | undefined },
  env: Record<string, string | undefined>,
  lastCommit: number,
): ReplicationCheck {
  const config = litestreamConfig(given.config);
  if (config === undefined) {
    return ok(
      `not configured (no ${DEFAULT_LITESTREAM_CONFIG}): a dead SD card loses what changed since the last backup; see README "When the SD card dies"`,
    );
  }
  if (!existsSync(config))
    return problem(
      `${config} does not exist`,
      "point --litestream-config at Litestream's config (systemd/litestream.yml is a template)",
    );
  if (!configNamesDatabase(config, dbPath)) {
    return problem(
      `${config} does not name ${path.resolve(dbPath)}`,
      `set "- path: ${path.resolve(dbPath)}" under dbs: in ${config}`,
    );
  }
  const dataDirAbs = path.resolve(dataDir);
  for (const replica of localReplicaPaths(config, dbPath)) {
    if (inside(replica, dataDirAbs)) {
      return problem(
        `the replica ${replica} is inside the data dir, on the same card`,
        'replicate to a USB stick, a NAS, another machine (SFTP) or S3-compatible storage',
      );
    }
    for (const beside of [path.join(replica, SECRET_KEY_FILE), path.join(path.dirname(replica), SECRET_KEY_FILE)]) {
      if (existsSync(beside)) {
        return problem(
          `${beside} sits beside the replica: whoever takes the replica gets the key that seals the push keys`,
          `delete ${beside}; keep the key on paper or in a password manager (crewbell secret show --qr)`,
        );
      }
    }
  }
  const bin = findLitestream(given.litestream, env);
  if (!bin)
    return problem(
      `${config} is set, but litestream is not on PATH`,
      'install Litestream (README "When the SD card dies") or pass --litestream PATH',
    );
  let replicas: ReturnType<typeof replicaStatus>;
  try {
    replicas = replicaStatus(bin, config, dbPath, lastCommit);
  } catch (err) {
    return problem(
      (err as Error).message,
      'check the replica settings in the config and that the replica is reachable',
    );
  }
  if (!replicas.length)
    return problem('no replica holds this database yet', 'start Litestream: systemctl enable --now litestream');
  const worst = replicas.reduce((a, b) => (b.behindMs > a.behindMs ? b : a));
  const summary = replicas
    .map((r) => `${r.replica} ${(r.behindMs / 1000).toFixed(0)} s behind (newest ${new Date(r.newest).toISOString()})`)
    .join(', ');
  if (worst.behindMs > REPLICA_BEHIND_LIMIT_MS) {
    return problem(summary, 'is Litestream running? systemctl status litestream; journalctl -u litestream');
  }
  return ok(summary);
}
