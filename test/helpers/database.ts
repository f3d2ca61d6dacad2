// Rows for tests that care about the database file itself (backups, upgrades): a fleet of
// skippers with passkeys, sessions, logbooks, crew, invites and entries written straight in
// SQL (schema step 1 tables, so it also fills an old database), and a dump of every table.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';

export interface FleetSize {
  skippers: number;
  logbooksEach: number;
  entriesEach: number;
}

/** Writes one skipper with everything step 1 knows about; returns the logbook ids. */
export function addSkipper(
  db: DatabaseSync,
  name: string,
  size: Omit<FleetSize, 'skippers'>,
  crewId?: string,
): string[] {
  const now = Date.now();
  const id = randomUUID();
  db.prepare('INSERT INTO users (id, username, is_admin, created_at) VALUES (?, ?, 0, ?)').run(id, name, now);
  db.prepare(
    'INSERT INTO passkeys (id, user_id, public_key, counter, transports, created_at) VALUES (?, ?, ?, 0, ?, ?)',
  ).run(randomBytes(16).toString('base64url'), id, randomBytes(77), '["internal"]', now);
  db.prepare('INSERT INTO sessions (id, user_id, expires_at) VALUES (?, ?, ?)').run(
    createHash('sha256').update(randomBytes(20)).digest('hex'),
    id,
    now + 86_400_000,
  );
  const logbooks: string[] = [];
  for (let l = 0; l < size.logbooksEach; l++) {
    const logbook = randomUUID();
    logbooks.push(logbook);
    db.prepare('INSERT INTO logbooks (id, owner_id, meta, created_at) VALUES (?, ?, ?, ?)').run(
      logbook,
      id,
      randomBytes(48).toString('base64url'),
      now,
    );
    if (crewId)
      db.prepare("INSERT INTO logbook_members (logbook_id, user_id, role, joined_at) VALUES (?, ?, 'WRITE', ?)").run(
        logbook,
        crewId,
        now,
      );
    db.prepare(
      "INSERT INTO invites (token_hash, logbook_id, role, created_by, created_at, expires_at) VALUES (?, ?, 'READ', ?, ?, ?)",
    ).run(createHash('sha256').update(randomBytes(20)).digest('hex'), logbook, id, now, now + 7 * 86_400_000);
    for (let e = 0; e < size.entriesEach; e++) {
      db.prepare(
        'INSERT INTO entries (logbook_id, entity_id, version, payload, updated_at, updated_by, seq) VALUES (?, ?, 1, ?, ?, ?, ?)',
      ).run(logbook, randomUUID(), randomBytes(200).toString('base64url'), now, crewId ?? id, e + 1);
    }
  }
  return logbooks;
}

/** A crew member and `skippers` skippers who each share their logbooks with that crew. */
export function addFleet(db: DatabaseSync, size: FleetSize): void {
  db.exec('BEGIN');
  try {
    const crew = randomUUID();
    db.prepare('INSERT INTO users (id, username, is_admin, created_at) VALUES (?, ?, 1, ?)').run(
      crew,
      'crew',
      Date.now(),
    );
    db.prepare(
      'INSERT INTO signup_tokens (token_hash, username, is_admin, created_at, expires_at) VALUES (?, ?, 0, ?, ?)',
    ).run(
      createHash('sha256').update(randomBytes(20)).digest('hex'),
      'newcomer',
      Date.now(),
      Date.now() + 7 * 86_400_000,
    );
    for (let s = 0; s < size.skippers; s++) addSkipper(db, `skipper${s}`, size, crew);
    db.exec('COMMIT');
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}

export function tableNames(db: DatabaseSync): string[] {
  return (
    db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .all() as { name: string }[]
  ).map((r) => r.name);
}

/** Each table's columns: dump a newer database with an older one's shape to compare them. */
export function tableColumns(db: DatabaseSync): Map<string, string[]> {
  const shape = new Map<string, string[]>();
  for (const table of tableNames(db)) {
    shape.set(
      table,
      (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]).map((c) => c.name),
    );
  }
  return shape;
}

/** Every row of every table (in `shape`), each as a canonical JSON string (BLOBs as hex). */
export function dumpTables(db: DatabaseSync, shape = tableColumns(db)): Map<string, Set<string>> {
  const dump = new Map<string, Set<string>>();
  for (const [table, columns] of shape) {
    const rows = db.prepare(`SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM "${table}"`).all() as Record<
      string,
      unknown
    >[];
    dump.set(
      table,
      new Set(
        rows.map((row) =>
          JSON.stringify(
            columns.map((c) => (row[c] instanceof Uint8Array ? Buffer.from(row[c]).toString('hex') : row[c])),
          ),
        ),
      ),
    );
  }
  return dump;
}

/** Rows of `before` that `after` lacks, as "table: row" lines (empty when nothing was lost). */
export function missingRows(before: Map<string, Set<string>>, after: Map<string, Set<string>>): string[] {
  const missing: string[] = [];
  for (const [table, rows] of before) {
    const kept = after.get(table);
    for (const row of rows) if (!kept?.has(row)) missing.push(`${table}: ${row}`);
  }
  return missing;
}
