// Accounts made straight in the server's database, for tests whose story is not sign-in
// itself (passkey sign-up has its own tests). The session is a real Lucia-guide row: the
// server validates it exactly as one made by a passkey login.
import { randomUUID } from 'node:crypto';
import { createHash, randomBytes } from 'node:crypto';
import { Client, type Fetch } from './client.ts';
import type { DatabaseSync } from 'node:sqlite';

/** A server process (helpers/server.ts) or the app in this process (helpers/app.ts). */
export interface Target {
  url: string;
  origin: string;
  db(): DatabaseSync;
  /** How requests reach it; real HTTP when absent. */
  fetch?: Fetch;
}

export interface TestUser {
  id: string;
  username: string;
  client: Client;
  sessionId: string;
}

export function createUserWithSession(server: Target, username: string, options: { isAdmin?: boolean } = {}): TestUser {
  const db = server.db();
  try {
    const id = randomUUID();
    const now = Date.now();
    db.prepare('INSERT INTO users (id, username, is_admin, created_at) VALUES (?, ?, ?, ?)').run(
      id,
      username,
      options.isAdmin ? 1 : 0,
      now,
    );
    const token = randomBytes(20).toString('hex');
    const sessionId = createHash('sha256').update(token).digest('hex');
    db.prepare('INSERT INTO sessions (id, user_id, expires_at, reverified_at) VALUES (?, ?, ?, NULL)').run(
      sessionId,
      id,
      now + 30 * 86_400_000,
    );
    const client = new Client(server.url, server.origin, server.fetch);
    client.cookies.set('crewbell_session', token);
    return { id, username, client, sessionId };
  } finally {
    db.close();
  }
}

/** Marks the user's session as re-verified now (what a passkey re-auth does). */
export function markReverified(server: Target, user: TestUser): void {
  const db = server.db();
  try {
    db.prepare('UPDATE sessions SET reverified_at = ? WHERE id = ?').run(Date.now(), user.sessionId);
  } finally {
    db.close();
  }
}
