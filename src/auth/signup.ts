// Making passkeys: signing up (who may, and the one transaction that creates the account,
// its first passkey, the used invite and the session), recovering an account through the
// admin's recovery link (a new passkey, every old session signed out), and adding another
// passkey later.
import type { Db } from '../db.ts';
import { transaction } from '../db.ts';
import { AppError } from '../kit/errors.ts';
import { acceptInviteByHash, findInviteByHash, type CrewRole } from '../logbooks/invites.ts';
import {
  addPasskey,
  checkRegistration,
  findPasskey,
  listPasskeys,
  MAX_PASSKEYS_PER_USER,
  registrationOptions,
  saveChallenge,
  type PendingChallenge,
  type RelyingParty,
} from './passkeys.ts';
import { createSession, invalidateUserSessions, type Session, type User } from './sessions.ts';
import { newToken, tokenHash } from '../tokens.ts';
import { createUser, findSignupTokenByHash, findUserById, newUserId, usernameTaken, useSignupToken } from './users.ts';
import type { PublicKeyCredentialCreationOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';

export interface Ceremony<O> {
  options: O;
  /** The crewbell_challenge cookie value. */
  cookieToken: string;
  expiresAt: number;
}

export interface SignupPolicy {
  openRegistration: boolean;
}

const registrationClosed = (why: string) => new AppError(403, 'registration_closed', why);
const usernameTakenError = (username: string) =>
  new AppError(409, 'username_taken', `the username "${username}" is taken`);
const registrationFailed = (why: string) => new AppError(400, 'registration_failed', why);

/** What a sign-up token allows, checked when the ceremony starts and again when it ends. */
type Admission =
  | { kind: 'signup'; isAdmin: boolean }
  | { kind: 'recover'; user: User }
  | { kind: 'crew' }
  | { kind: 'open' };

function admit(db: Db, policy: SignupPolicy, username: string, tokenHash: string | null, now: number): Admission {
  if (tokenHash !== null) {
    const signup = findSignupTokenByHash(db, tokenHash, now);
    if (signup && (signup.firstStart || signup.username.toLowerCase() === username.toLowerCase())) {
      if (signup.purpose === 'signup') return { kind: 'signup', isAdmin: signup.isAdmin };
      // By id, never by name: an account deleted and made again under the name is not this one.
      const user = signup.userId === null ? undefined : findUserById(db, signup.userId);
      if (!user) throw registrationClosed(`the account "${signup.username}" no longer exists`);
      return { kind: 'recover', user };
    }
    if (signup)
      throw registrationClosed(
        `this ${signup.purpose === 'recover' ? 'recovery' : 'sign-up'} link is for the username "${signup.username}"`,
      );
    if (findInviteByHash(db, tokenHash, now)) return { kind: 'crew' };
    throw registrationClosed('this invite link is invalid, used or expired');
  }
  if (policy.openRegistration) return { kind: 'open' };
  throw registrationClosed('sign-up needs an invite link on this server');
}

export async function startSignup(
  db: Db,
  rp: RelyingParty,
  policy: SignupPolicy,
  input: { username: string; inviteToken?: string | undefined },
  now: () => number,
): Promise<Ceremony<PublicKeyCredentialCreationOptionsJSON>> {
  const inviteHash = input.inviteToken === undefined ? null : tokenHash(input.inviteToken);
  const admission = admit(db, policy, input.username, inviteHash, now());
  // Recovery: the account's own id, its passkeys excluded so this device gets a new one.
  // Otherwise a new account, whose name must be free.
  if (admission.kind !== 'recover' && usernameTaken(db, input.username)) throw usernameTakenError(input.username);
  const account = admission.kind === 'recover' ? admission.user : { id: newUserId(), username: input.username };
  const existing = admission.kind === 'recover' ? passkeysBelowLimit(db, account.id) : [];
  const options = await registrationOptions(rp, account, existing);
  const saved = saveChallenge(
    db,
    {
      purpose: 'register',
      challenge: options.challenge,
      userId: account.id,
      username: account.username,
      inviteTokenHash: inviteHash,
    },
    now(),
  );
  return { options, ...saved };
}

export interface SignedIn {
  user: User;
  session: Session;
  /** The session cookie value. */
  sessionToken: string;
}

export interface SignupResult extends SignedIn {
  /** Set when the sign-up came through a crew invite. */
  joined?: { logbookId: string; role: CrewRole };
}

export async function finishSignup(
  db: Db,
  rp: RelyingParty,
  policy: SignupPolicy,
  pending: PendingChallenge | undefined,
  response: RegistrationResponseJSON,
  now: () => number,
): Promise<SignupResult> {
  if (pending?.purpose !== 'register' || !pending.userId || !pending.username)
    throw registrationFailed('the sign-up expired or was already used; start again');
  const checked = await checkRegistration(rp, response, pending.challenge);
  if (!checked.ok) throw registrationFailed(`the passkey could not be verified: ${checked.reason}`);
  const { userId, username, inviteTokenHash } = pending;

  return transaction(db, () => {
    const at = now();
    const admission = admit(db, policy, username, inviteTokenHash, at);
    if (findPasskey(db, checked.value.id)) throw registrationFailed('this passkey is already registered');
    if (admission.kind === 'recover') {
      const { user } = admission;
      if (user.id !== userId) throw registrationFailed('the account changed meanwhile; ask for a new recovery link');
      passkeysBelowLimit(db, user.id);
      addPasskey(db, user.id, checked.value, at);
      if (!useSignupToken(db, inviteTokenHash!, user.id, at))
        throw registrationClosed('this recovery link was used meanwhile');
      // A lost or stolen phone's session ends here; its passkey still needs that phone unlocked.
      invalidateUserSessions(db, user.id);
      const sessionToken = newToken();
      return { user, session: createSession(db, sessionToken, user.id, at), sessionToken };
    }
    if (usernameTaken(db, username)) throw usernameTakenError(username);
    const user = createUser(
      db,
      { id: userId, username, isAdmin: admission.kind === 'signup' && admission.isAdmin },
      at,
    );
    addPasskey(db, user.id, checked.value, at);
    let joined: SignupResult['joined'];
    if (admission.kind === 'signup') {
      if (!useSignupToken(db, inviteTokenHash!, user.id, at))
        throw registrationClosed('this sign-up link was used meanwhile');
    } else if (admission.kind === 'crew') {
      const accepted = acceptInviteByHash(db, inviteTokenHash!, user.id, at);
      if (!accepted.ok) throw registrationClosed('this invite link was used meanwhile');
      joined = { logbookId: accepted.logbookId, role: accepted.role };
    }
    const sessionToken = newToken();
    const session = createSession(db, sessionToken, user.id, at);
    return { user, session, sessionToken, ...(joined ? { joined } : {}) };
  });
}

/** The user's passkeys, when there is room for one more. */
function passkeysBelowLimit(db: Db, userId: string) {
  const existing = listPasskeys(db, userId);
  if (existing.length >= MAX_PASSKEYS_PER_USER) {
    throw new AppError(409, 'too_many_passkeys', `an account can have at most ${MAX_PASSKEYS_PER_USER} passkeys`);
  }
  return existing;
}

/** Another passkey for a signed-in user; the ones they have are excluded so a device is not registered twice. */
export async function startAddPasskey(
  db: Db,
  rp: RelyingParty,
  user: User,
  now: () => number,
): Promise<Ceremony<PublicKeyCredentialCreationOptionsJSON>> {
  const options = await registrationOptions(rp, user, passkeysBelowLimit(db, user.id));
  const saved = saveChallenge(
    db,
    {
      purpose: 'passkey',
      challenge: options.challenge,
      userId: user.id,
      username: user.username,
      inviteTokenHash: null,
    },
    now(),
  );
  return { options, ...saved };
}

export async function finishAddPasskey(
  db: Db,
  rp: RelyingParty,
  user: User,
  pending: PendingChallenge | undefined,
  response: RegistrationResponseJSON,
  now: () => number,
): Promise<{ id: string; createdAt: number }> {
  if (pending?.purpose !== 'passkey' || pending.userId !== user.id)
    throw registrationFailed('adding the passkey expired or was already used; start again');
  const checked = await checkRegistration(rp, response, pending.challenge);
  if (!checked.ok) throw registrationFailed(`the passkey could not be verified: ${checked.reason}`);
  return transaction(db, () => {
    const at = now();
    if (findPasskey(db, checked.value.id))
      throw new AppError(409, 'passkey_exists', 'this passkey is already registered');
    // Counted again here, in the transaction: parallel additions each saw room at the start.
    passkeysBelowLimit(db, user.id);
    addPasskey(db, user.id, checked.value, at);
    return { id: checked.value.id, createdAt: at };
  });
}
