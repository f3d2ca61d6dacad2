// Logbooks with crew, made through the real API: an owner creates a logbook, invites, and
// the crew member accepts, exactly as the PWA does.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { createUserWithSession, type Target, type TestUser } from './accounts.ts';

/** Stand-in ciphertext: random bytes as base64url, as the browser's AES-GCM output looks. */
export function ciphertext(bytes = 48): string {
  return randomBytes(bytes).toString('base64url');
}

export interface TestLogbook {
  id: string;
  meta: string;
}

export async function createLogbook(owner: TestUser): Promise<TestLogbook> {
  const logbook = { id: randomUUID(), meta: ciphertext() };
  const res = await owner.client.post('/api/logbooks', logbook);
  assert.equal(res.status, 201, res.text);
  return logbook;
}

export async function invite(owner: TestUser, logbookId: string, role: 'WRITE' | 'READ'): Promise<string> {
  const res = await owner.client.post(`/api/logbooks/${logbookId}/invites`, { role });
  assert.equal(res.status, 201, res.text);
  return res.body.token;
}

/** The owner invites, the member accepts. */
export async function addCrew(
  owner: TestUser,
  logbookId: string,
  member: TestUser,
  role: 'WRITE' | 'READ',
): Promise<void> {
  const token = await invite(owner, logbookId, role);
  const res = await member.client.post(`/api/invites/${token}/accept`);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.body, { logbookId, role });
}

export interface Crew {
  skipper: TestUser;
  /** WRITE crew. */
  mate: TestUser;
  /** READ crew. */
  deckhand: TestUser;
  /** Signed in, not aboard. */
  stranger: TestUser;
  logbook: TestLogbook;
}

let sailors = 0;

/** A fresh logbook with an owner, a WRITE and a READ crew member, and a stranger. */
export async function crewAboard(server: Target): Promise<Crew> {
  const tag = `${process.pid}x${++sailors}`;
  const skipper = createUserWithSession(server, `skipper${tag}`);
  const mate = createUserWithSession(server, `mate${tag}`);
  const deckhand = createUserWithSession(server, `deckhand${tag}`);
  const stranger = createUserWithSession(server, `stranger${tag}`);
  const logbook = await createLogbook(skipper);
  await addCrew(skipper, logbook.id, mate, 'WRITE');
  await addCrew(skipper, logbook.id, deckhand, 'READ');
  return { skipper, mate, deckhand, stranger, logbook };
}
