// The floor under crewbell's hot path (bench/floor.bench.ts starts it): the same three
// requests with nothing but node:http and node:sqlite (WAL, synchronous=FULL): the session
// looked up by its hash, membership checked, one transaction per upload with a per-logbook
// sequence number. No framework, headers, CSRF, limits, quotas, history or notification.
//
// node bench/floor-server.ts DB_FILE: prints `listening on http://127.0.0.1:PORT`.
import http from 'node:http';
import { createHash } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';

export const FLOOR_SCHEMA = `
  CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, expires_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS logbooks (
    id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, meta TEXT NOT NULL, created_at INTEGER NOT NULL,
    last_seq INTEGER NOT NULL DEFAULT 0);
  CREATE INDEX IF NOT EXISTS logbooks_owner ON logbooks(owner_id);
  CREATE TABLE IF NOT EXISTS members (
    logbook_id TEXT NOT NULL, user_id TEXT NOT NULL, role TEXT NOT NULL, PRIMARY KEY (logbook_id, user_id));
  CREATE INDEX IF NOT EXISTS members_user ON members(user_id);
  CREATE TABLE IF NOT EXISTS entries (
    logbook_id TEXT NOT NULL, entity_id TEXT NOT NULL, version INTEGER NOT NULL, payload TEXT,
    updated_at INTEGER NOT NULL, updated_by TEXT, seq INTEGER NOT NULL, PRIMARY KEY (logbook_id, entity_id));
  CREATE UNIQUE INDEX IF NOT EXISTS entries_seq ON entries(logbook_id, seq);
`;

export const sessionHash = (token: string) => createHash('sha256').update(token).digest('hex');

function main(file: string): void {
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;');
  db.exec(FLOOR_SCHEMA);
  const session = db.prepare('SELECT user_id FROM sessions WHERE id = ? AND expires_at > ?');
  const list = db.prepare(
    `SELECT id, owner_id AS ownerId, meta, created_at AS createdAt, 'OWNER' AS role FROM logbooks WHERE owner_id = ?
     UNION ALL
     SELECT l.id, l.owner_id, l.meta, l.created_at, m.role FROM members m JOIN logbooks l ON l.id = m.logbook_id
      WHERE m.user_id = ? ORDER BY createdAt, id`,
  );
  const role = db.prepare(
    `SELECT CASE WHEN l.owner_id = ?1 THEN 'OWNER' ELSE m.role END AS role
       FROM logbooks l LEFT JOIN members m ON m.logbook_id = l.id AND m.user_id = ?1 WHERE l.id = ?2`,
  );
  const nextSeq = db.prepare('UPDATE logbooks SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq');
  const insert = db.prepare(
    `INSERT INTO entries (logbook_id, entity_id, version, payload, updated_at, updated_by, seq) VALUES (?, ?, 1, ?, ?, ?, ?)
     ON CONFLICT (logbook_id, entity_id) DO UPDATE SET version = version + 1, payload = excluded.payload,
       updated_at = excluded.updated_at, updated_by = excluded.updated_by, seq = excluded.seq RETURNING version`,
  );

  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const userOf = (req: http.IncomingMessage): string | undefined => {
    const token = /(?:^|;\s*)crewbell_session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    if (!token) return undefined;
    return (session.get(sessionHash(token), Date.now()) as { user_id: string } | undefined)?.user_id;
  };

  const server = http.createServer((req, res) => {
    if (req.url === '/healthz') return send(res, 200, { ok: true, version: '0.1.0' });
    const userId = userOf(req);
    if (!userId) return send(res, 401, { error: { code: 'unauthenticated' } });
    if (req.method === 'GET' && req.url === '/api/logbooks')
      return send(res, 200, { logbooks: list.all(userId, userId) });
    if (req.method !== 'POST' || req.url !== '/api/sync/push') return send(res, 404, { error: { code: 'not_found' } });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { items } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        items: Array<{ logbookId: string; entityId: string; payload: string }>;
      };
      const now = Date.now();
      db.exec('BEGIN IMMEDIATE');
      try {
        const results = items.map((item) => {
          const r = (role.get(userId, item.logbookId) as { role: string | null } | undefined)?.role;
          if (r !== 'OWNER' && r !== 'WRITE') return { entityId: item.entityId, status: 'forbidden' };
          const seq = (nextSeq.get(item.logbookId) as { last_seq: number }).last_seq;
          const { version } = insert.get(item.logbookId, item.entityId, item.payload, now, userId, seq) as {
            version: number;
          };
          return { entityId: item.entityId, status: 'success', version };
        });
        db.exec('COMMIT');
        send(res, 200, { results });
      } catch (err) {
        db.exec('ROLLBACK');
        send(res, 500, { error: { code: 'internal', message: (err as Error).message } });
      }
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    process.stdout.write(`floor listening on http://127.0.0.1:${port}\n`);
  });
  process.on('SIGTERM', () => server.close(() => db.close()));
}

if (import.meta.main) main(process.argv[2]!);
