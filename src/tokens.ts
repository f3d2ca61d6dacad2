// Secret tokens (sessions, sign-up and recovery links, invites, ceremony cookies): one format,
// 32 random bytes as base64url; only their SHA-256 is stored. Older ones still validate by hash.
import { createHash, randomBytes } from 'node:crypto';

/** A new token: 32 random bytes, 43 base64url characters. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What the database keeps of a token: its SHA-256 as lowercase hex. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
