// Using passkeys: signing in with any discoverable passkey, and re-verifying a signed-in
// session before something destructive. Every failure looks the same to the client
// (401 login_failed) so a probe learns nothing about which part was wrong.
import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { Db } from '../db.ts';
import { transaction } from '../db.ts';
import { AppError } from '../kit/errors.ts';
import {
  authenticationOptions,
  checkAuthentication,
  findPasskey,
  listPasskeys,
  recordPasskeyUse,
  saveChallenge,
  userIdFromHandle,
  type PendingChallenge,
  type ChallengePurpose,
  type RelyingParty,
  type StoredPasskey,
} from './passkeys.ts';
import { createSession, markReverified, type Session, type User } from './sessions.ts';
import { newToken } from '../tokens.ts';
import { findUserById } from './users.ts';
import type { Ceremony, SignedIn } from './signup.ts';

const loginFailed = () => new AppError(401, 'login_failed', 'the passkey sign-in did not succeed');

export async function startSignin(
  db: Db,
  rp: RelyingParty,
  now: () => number,
): Promise<Ceremony<PublicKeyCredentialRequestOptionsJSON>> {
  const options = await authenticationOptions(rp);
  const saved = saveChallenge(
    db,
    { purpose: 'login', challenge: options.challenge, userId: null, username: null, inviteTokenHash: null },
    now(),
  );
  return { options, ...saved };
}

/** Finds the passkey and checks the assertion against the taken challenge; the passkey that signed and its new counter. */
async function verifyAssertion(
  db: Db,
  rp: RelyingParty,
  purpose: ChallengePurpose,
  pending: PendingChallenge | undefined,
  response: AuthenticationResponseJSON,
  userId?: string,
): Promise<{ passkey: StoredPasskey; newCounter: number }> {
  if (!pending || pending.purpose !== purpose || (userId !== undefined && pending.userId !== userId))
    throw loginFailed();
  const passkey = findPasskey(db, response.id);
  if (!passkey || (userId !== undefined && passkey.userId !== userId)) throw loginFailed();
  const handle = userIdFromHandle(response.response.userHandle);
  if (handle !== undefined && handle !== passkey.userId) throw loginFailed();
  const checked = await checkAuthentication(rp, response, pending.challenge, passkey);
  if (!checked.ok) throw loginFailed();
  return { passkey, newCounter: checked.value.newCounter };
}

export async function finishSignin(
  db: Db,
  rp: RelyingParty,
  pending: PendingChallenge | undefined,
  response: AuthenticationResponseJSON,
  now: () => number,
): Promise<SignedIn> {
  const { passkey, newCounter } = await verifyAssertion(db, rp, 'login', pending, response);
  return transaction(db, () => {
    const at = now();
    const user = findUserById(db, passkey.userId);
    if (!user) throw loginFailed();
    if (!recordPasskeyUse(db, passkey.id, newCounter, at)) throw loginFailed();
    const sessionToken = newToken();
    const session = createSession(db, sessionToken, user.id, at);
    return { user, session, sessionToken };
  });
}

/** Only the signed-in user's own passkeys are offered and accepted. */
export async function startReauth(
  db: Db,
  rp: RelyingParty,
  user: User,
  now: () => number,
): Promise<Ceremony<PublicKeyCredentialRequestOptionsJSON>> {
  const options = await authenticationOptions(rp, listPasskeys(db, user.id));
  const saved = saveChallenge(
    db,
    {
      purpose: 'reauth',
      challenge: options.challenge,
      userId: user.id,
      username: user.username,
      inviteTokenHash: null,
    },
    now(),
  );
  return { options, ...saved };
}

export async function finishReauth(
  db: Db,
  rp: RelyingParty,
  user: User,
  session: Session,
  pending: PendingChallenge | undefined,
  response: AuthenticationResponseJSON,
  now: () => number,
): Promise<number> {
  const { passkey, newCounter } = await verifyAssertion(db, rp, 'reauth', pending, response, user.id);
  return transaction(db, () => {
    const at = now();
    if (!recordPasskeyUse(db, passkey.id, newCounter, at)) throw loginFailed();
    markReverified(db, session.id, at);
    return at;
  });
}
