// A member's email address (email_addresses): given, verified by a mailed link, removed. Only
// its owner sees it; it counts for notifications once verified. Each address has a standing
// unsubscribe token that turns its email off without a session (RFC 8058 one-click).
import { prepared, type Db } from '../db.ts';
import { newToken, tokenHash } from '../tokens.ts';
import { emailLocale, type EmailLocale } from './texts.ts';

/** How long a verification link works. */
export const VERIFY_LINK_MS = 48 * 3_600_000;

export interface StoredAddress {
  address: string;
  verified: boolean;
  locale: EmailLocale;
  unsubscribeToken: string;
}

interface Row {
  address: string;
  verified_at: number | null;
  locale: string;
  unsubscribe_token: string;
}

export function addressOf(db: Db, userId: string): StoredAddress | undefined {
  const row = prepared(
    db,
    'SELECT address, verified_at, locale, unsubscribe_token FROM email_addresses WHERE user_id = ?',
  ).get(userId) as Row | undefined;
  if (!row) return undefined;
  return {
    address: row.address,
    verified: row.verified_at !== null,
    locale: emailLocale(row.locale),
    unsubscribeToken: row.unsubscribe_token,
  };
}

/** The address notifications may go to: verified, or none. */
export function verifiedAddressOf(db: Db, userId: string): StoredAddress | undefined {
  const stored = addressOf(db, userId);
  return stored?.verified ? stored : undefined;
}

/**
 * Stores a new, unverified address (replacing any other) and returns the verification token
 * to mail. Giving the same verified address again keeps it verified and mails nothing.
 */
export function requestAddress(
  db: Db,
  userId: string,
  address: string,
  locale: EmailLocale,
  now: number,
): { token: string } | { alreadyVerified: true } {
  const current = addressOf(db, userId);
  if (current?.verified && current.address.toLowerCase() === address.toLowerCase()) {
    prepared(db, 'UPDATE email_addresses SET locale = ? WHERE user_id = ?').run(locale, userId);
    return { alreadyVerified: true };
  }
  const token = newToken();
  prepared(
    db,
    `INSERT INTO email_addresses (user_id, address, locale, verified_at, verify_token_hash, verify_expires_at, unsubscribe_token, created_at)
     VALUES (?, ?, ?, NULL, ?, ?, ?, ?)
     ON CONFLICT (user_id) DO UPDATE SET address = excluded.address, locale = excluded.locale, verified_at = NULL,
       verify_token_hash = excluded.verify_token_hash, verify_expires_at = excluded.verify_expires_at, created_at = excluded.created_at`,
  ).run(userId, address, locale, tokenHash(token), now + VERIFY_LINK_MS, newToken(), now);
  return { token };
}

/** Marks the address of a live verification token verified; its user and address, or undefined. */
export function verifyAddress(db: Db, token: string, now: number): { userId: string; address: string } | undefined {
  const row = prepared(
    db,
    `UPDATE email_addresses SET verified_at = ?, verify_token_hash = NULL, verify_expires_at = NULL
      WHERE verify_token_hash = ? AND verify_expires_at > ? RETURNING user_id AS userId, address`,
  ).get(now, tokenHash(token), now) as { userId: string; address: string } | undefined;
  return row;
}

export function deleteAddress(db: Db, userId: string): boolean {
  return prepared(db, 'DELETE FROM email_addresses WHERE user_id = ?').run(userId).changes > 0;
}

/** Whose address an unsubscribe token belongs to. */
export function userOfUnsubscribeToken(db: Db, token: string): string | undefined {
  if (token.length > 64) return undefined;
  const row = prepared(db, 'SELECT user_id AS userId FROM email_addresses WHERE unsubscribe_token = ?').get(token) as
    | { userId: string }
    | undefined;
  return row?.userId;
}

/** The path of the one-click link (on the origin). */
export const unsubscribePath = (token: string) => `/api/email/unsubscribe?token=${encodeURIComponent(token)}`;
