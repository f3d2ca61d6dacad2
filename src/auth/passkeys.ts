// Passkeys (WebAuthn credentials) and the challenges of the ceremonies that make and use
// them. A challenge row is bound to the browser by the crewbell_challenge cookie (the row id
// is the cookie's SHA-256), lives 5 minutes and is taken exactly once, success or not.
import { Buffer } from 'node:buffer';
import type {
  AuthenticationResponseJSON,
  AuthenticatorTransportFuture,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { prepared, type Db } from '../db.ts';
import { newToken, tokenHash } from '../tokens.ts';

export const CHALLENGE_COOKIE = 'crewbell_challenge';
const CHALLENGE_LIFETIME_MS = 5 * 60_000;
/** Enough for a phone, a laptop and a few security keys; bounds what one account can store. */
export const MAX_PASSKEYS_PER_USER = 20;

export type ChallengePurpose = 'register' | 'login' | 'passkey' | 'reauth';

export interface PendingChallenge {
  purpose: ChallengePurpose;
  challenge: string;
  /** The user being registered (register) or the signed-in user (passkey, reauth). */
  userId: string | null;
  username: string | null;
  /** SHA-256 of the sign-up or crew invite token a registration started with. */
  inviteTokenHash: string | null;
}

/** Stores a challenge; returns the cookie value that takes it back. Expired rows go first. */
export function saveChallenge(
  db: Db,
  pending: PendingChallenge,
  now: number,
): { cookieToken: string; expiresAt: number } {
  prepared(db, 'DELETE FROM auth_challenges WHERE expires_at <= ?').run(now);
  const cookieToken = newToken();
  const expiresAt = now + CHALLENGE_LIFETIME_MS;
  prepared(
    db,
    'INSERT INTO auth_challenges (id, purpose, challenge, user_id, username, invite_token, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(
    tokenHash(cookieToken),
    pending.purpose,
    pending.challenge,
    pending.userId,
    pending.username,
    pending.inviteTokenHash,
    expiresAt,
  );
  return { cookieToken, expiresAt };
}

/** Removes the challenge for this cookie and returns it if it was for `purpose` and still fresh. */
export function takeChallenge(
  db: Db,
  cookieToken: string | undefined,
  purpose: ChallengePurpose,
  now: number,
): PendingChallenge | undefined {
  if (!cookieToken || cookieToken.length > 128) return undefined;
  const id = tokenHash(cookieToken);
  const row = prepared(
    db,
    'DELETE FROM auth_challenges WHERE id = ? RETURNING purpose, challenge, user_id, username, invite_token, expires_at',
  ).get(id) as
    | {
        purpose: ChallengePurpose;
        challenge: string;
        user_id: string | null;
        username: string | null;
        invite_token: string | null;
        expires_at: number;
      }
    | undefined;
  if (!row || row.purpose !== purpose || row.expires_at <= now) return undefined;
  return {
    purpose: row.purpose,
    challenge: row.challenge,
    userId: row.user_id,
    username: row.username,
    inviteTokenHash: row.invite_token,
  };
}

// ---- the passkey store ----

export interface StoredPasskey {
  id: string;
  userId: string;
  publicKey: Uint8Array;
  counter: number;
  transports: AuthenticatorTransportFuture[];
}

export interface NewPasskey {
  id: string;
  publicKey: Uint8Array;
  counter: number;
  transports: AuthenticatorTransportFuture[];
}

interface PasskeyRow {
  id: string;
  user_id: string;
  public_key: Uint8Array;
  counter: number;
  transports: string;
}

function toPasskey(row: PasskeyRow): StoredPasskey {
  return {
    id: row.id,
    userId: row.user_id,
    publicKey: new Uint8Array(row.public_key),
    counter: row.counter,
    transports: JSON.parse(row.transports) as AuthenticatorTransportFuture[],
  };
}

export function findPasskey(db: Db, id: string): StoredPasskey | undefined {
  const row = prepared(db, 'SELECT id, user_id, public_key, counter, transports FROM passkeys WHERE id = ?').get(id) as
    | PasskeyRow
    | undefined;
  return row && toPasskey(row);
}

export function listPasskeys(db: Db, userId: string): StoredPasskey[] {
  const rows = prepared(
    db,
    'SELECT id, user_id, public_key, counter, transports FROM passkeys WHERE user_id = ? ORDER BY created_at',
  ).all(userId) as unknown as PasskeyRow[];
  return rows.map(toPasskey);
}

export function addPasskey(db: Db, userId: string, passkey: NewPasskey, now: number): void {
  prepared(
    db,
    'INSERT INTO passkeys (id, user_id, public_key, counter, transports, created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, NULL)',
  ).run(passkey.id, userId, passkey.publicKey, passkey.counter, JSON.stringify(passkey.transports), now);
}

/** What the account screen lists: no key material. */
export interface PasskeySummary {
  id: string;
  createdAt: number;
  lastUsedAt: number | null;
  transports: AuthenticatorTransportFuture[];
}

export function passkeySummaries(db: Db, userId: string): PasskeySummary[] {
  const rows = prepared(
    db,
    'SELECT id, created_at, last_used_at, transports FROM passkeys WHERE user_id = ? ORDER BY created_at, id',
  ).all(userId) as Array<{ id: string; created_at: number; last_used_at: number | null; transports: string }>;
  return rows.map((r) => ({
    id: r.id,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    transports: JSON.parse(r.transports),
  }));
}

/** Deletes one of the user's passkeys; never the last one, which would lock the account. */
export function deletePasskey(db: Db, userId: string, id: string): 'deleted' | 'not_found' | 'last' {
  const mine = prepared(db, 'SELECT id FROM passkeys WHERE user_id = ?').all(userId) as Array<{ id: string }>;
  if (!mine.some((p) => p.id === id)) return 'not_found';
  if (mine.length === 1) return 'last';
  prepared(db, 'DELETE FROM passkeys WHERE id = ? AND user_id = ?').run(id, userId);
  return 'deleted';
}

/** Removes every passkey of the user (an admin's recovery after a stolen phone); how many went. */
export function deleteUserPasskeys(db: Db, userId: string): number {
  return Number(prepared(db, 'DELETE FROM passkeys WHERE user_id = ?').run(userId).changes);
}

/**
 * Records a sign-in with the counter the authenticator reported, as one compare-and-set:
 * the stored counter must still be below it (or both be 0, an authenticator without one).
 * False when a parallel sign-in got there first with the same counter: a cloned passkey.
 */
export function recordPasskeyUse(db: Db, id: string, counter: number, now: number): boolean {
  const r = prepared(
    db,
    'UPDATE passkeys SET counter = ?, last_used_at = ? WHERE id = ? AND (counter < ? OR (counter = 0 AND ? = 0))',
  ).run(counter, now, id, counter, counter);
  return Number(r.changes) === 1;
}

// ---- the WebAuthn ceremonies (@simplewebauthn/server) ----

let webauthnModule: Promise<typeof import('@simplewebauthn/server')> | undefined;

/**
 * @simplewebauthn/server, loaded at the first ceremony: loading it is about 200 ms of every
 * start from source (the binary loads it lazily too, see build.ts), and the CLI never needs it.
 */
function webauthn(): Promise<typeof import('@simplewebauthn/server')> {
  webauthnModule ??= import('@simplewebauthn/server');
  return webauthnModule;
}

/** Who the passkeys are for: the public origin, and its hostname as the RP id. */
export interface RelyingParty {
  origin: string;
  rpID: string;
  rpName: string;
}

export function relyingParty(origin: string): RelyingParty {
  return { origin, rpID: new URL(origin).hostname, rpName: 'crewbell' };
}

const KNOWN_TRANSPORTS = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);

/**
 * Options for navigator.credentials.create(). The user handle is the user's id, so a
 * discoverable sign-in can tell whose passkey answered. Resident key and user verification
 * are required: crewbell has no passwords, the passkey is the whole sign-in.
 */
export async function registrationOptions(
  rp: RelyingParty,
  user: { id: string; username: string },
  existing: StoredPasskey[] = [],
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const { generateRegistrationOptions } = await webauthn();
  return generateRegistrationOptions({
    rpName: rp.rpName,
    rpID: rp.rpID,
    userName: user.username,
    userDisplayName: user.username,
    userID: new TextEncoder().encode(user.id),
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({ id: p.id, transports: p.transports })),
    authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
    supportedAlgorithmIDs: [-7, -8, -257],
  });
}

export type CeremonyResult<T> = { ok: true; value: T } | { ok: false; reason: string };

export async function checkRegistration(
  rp: RelyingParty,
  response: RegistrationResponseJSON,
  expectedChallenge: string,
): Promise<CeremonyResult<NewPasskey>> {
  try {
    const { verifyRegistrationResponse } = await webauthn();
    const result = await verifyRegistrationResponse({
      response,
      expectedChallenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
      requireUserVerification: true,
    });
    if (!result.verified) return { ok: false, reason: 'the passkey could not be verified' };
    const { credential } = result.registrationInfo;
    return {
      ok: true,
      value: {
        id: credential.id,
        publicKey: credential.publicKey,
        counter: credential.counter,
        transports: (response.response.transports ?? []).filter((t) => KNOWN_TRANSPORTS.has(t)).slice(0, 8),
      },
    };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}

/** Options for navigator.credentials.get(); no allowed list means any discoverable passkey. */
export async function authenticationOptions(
  rp: RelyingParty,
  allowed: StoredPasskey[] = [],
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const { generateAuthenticationOptions } = await webauthn();
  return generateAuthenticationOptions({
    rpID: rp.rpID,
    allowCredentials: allowed.map((p) => ({ id: p.id, transports: p.transports })),
    userVerification: 'required',
  });
}

/** Verifies an assertion by `passkey`; the new signature counter on success. */
export async function checkAuthentication(
  rp: RelyingParty,
  response: AuthenticationResponseJSON,
  expectedChallenge: string,
  passkey: StoredPasskey,
): Promise<CeremonyResult<{ newCounter: number }>> {
  try {
    const { verifyAuthenticationResponse } = await webauthn();
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.rpID,
      credential: {
        id: passkey.id,
        publicKey: passkey.publicKey as Uint8Array<ArrayBuffer>,
        counter: passkey.counter,
        transports: passkey.transports,
      },
      requireUserVerification: true,
    });
    if (!result.verified) return { ok: false, reason: 'the signature does not match' };
    return { ok: true, value: { newCounter: result.authenticationInfo.newCounter } };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}

/** The user id a discoverable passkey reports as its user handle (what registrationOptions put there). */
export function userIdFromHandle(userHandle: string | undefined): string | undefined {
  if (!userHandle) return undefined;
  return Buffer.from(userHandle, 'base64url').toString('utf8');
}
