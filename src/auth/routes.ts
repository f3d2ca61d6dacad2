// /api/auth: passkey sign-up and sign-in, sign-out, the current user, listing, adding and
// removing passkeys, re-verification and deleting the account. Each handler parses, calls
// signup/signin or a store, and maps the result to JSON and cookies.
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import * as v from 'valibot';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { AppDeps, AppEnv } from '../kit/deps.ts';
import { AppError } from '../kit/errors.ts';
import { requireReverified, requireUser, REVERIFY_WINDOW_MS } from '../kit/middleware.ts';
import { clearSessionCookie, sessionCookieOptions, setSessionCookie } from './cookie.ts';
import { Base64Url, isoTime, jsonBody, Token } from '../kit/validate.ts';
import {
  CHALLENGE_COOKIE,
  deletePasskey,
  passkeySummaries,
  relyingParty,
  takeChallenge,
  type ChallengePurpose,
  type PendingChallenge,
} from './passkeys.ts';
import { invalidateSession, invalidateUserSessions, type User } from './sessions.ts';
import { finishReauth, finishSignin, startReauth, startSignin } from './signin.ts';
import {
  finishAddPasskey,
  finishSignup,
  startAddPasskey,
  startSignup,
  type Ceremony,
  type SignedIn,
} from './signup.ts';
import { deleteUser, Username } from './users.ts';
import { dropUserDevices } from '../push/subscriptions.ts';
import { transaction } from '../db.ts';
import type { PasskeyInfo, SessionAnswer, User as WireUser } from '../wire/account.ts';

// The shapes of the browser's credential JSON; @simplewebauthn/server checks the contents.
const Id = v.pipe(Base64Url(1400), v.minLength(1, 'must not be empty'));
const Bytes = v.pipe(Base64Url(16_384), v.minLength(1, 'must not be empty'));
const CredentialBase = {
  id: Id,
  rawId: Id,
  type: v.literal('public-key', 'must be "public-key"'),
  authenticatorAttachment: v.optional(
    v.picklist(['platform', 'cross-platform'], 'must be "platform" or "cross-platform"'),
  ),
  clientExtensionResults: v.optional(v.record(v.string(), v.unknown(), 'must be an object'), {}),
};
const RegistrationResponse = v.object({
  ...CredentialBase,
  response: v.object({
    clientDataJSON: Bytes,
    attestationObject: Bytes,
    transports: v.optional(
      v.pipe(v.array(v.pipe(v.string(), v.maxLength(32))), v.maxLength(16, 'at most 16 transports')),
    ),
    authenticatorData: v.optional(Bytes),
    publicKey: v.optional(Bytes),
    publicKeyAlgorithm: v.optional(v.number()),
  }),
});
const AuthenticationResponse = v.object({
  ...CredentialBase,
  response: v.object({
    clientDataJSON: Bytes,
    authenticatorData: Bytes,
    signature: Bytes,
    userHandle: v.optional(Base64Url(1400)),
  }),
});

const RegisterOptionsBody = v.object({ username: Username, inviteToken: v.optional(Token) });
const RegistrationBody = v.object({ response: RegistrationResponse });
const AuthenticationBody = v.object({ response: AuthenticationResponse });
const EmptyBody = v.object({});

function challengeCookieOptions(deps: AppDeps) {
  return { ...sessionCookieOptions(deps.config.origin.startsWith('https:')), path: '/api/auth' };
}

/**
 * Hands the options to the browser and binds their challenge to it with the short-lived cookie.
 * The start functions read the clock when they save the challenge, after the options are made
 * (the first ceremony of a process loads @simplewebauthn/server), so the cookie gets the whole
 * 5 minutes the row has.
 */
function sendCeremony<O>(c: Context<AppEnv>, deps: AppDeps, ceremony: Ceremony<O>) {
  setCookie(c, CHALLENGE_COOKIE, ceremony.cookieToken, {
    ...challengeCookieOptions(deps),
    maxAge: Math.round((ceremony.expiresAt - deps.clock.now()) / 1000),
  });
  return c.json({ options: ceremony.options });
}

/**
 * The challenge is single use: it is taken from the database before anything else is looked
 * at, and the browser forgets the cookie, whatever the outcome.
 */
function takeCeremony(c: Context<AppEnv>, deps: AppDeps, purpose: ChallengePurpose): PendingChallenge | undefined {
  const token = getCookie(c, CHALLENGE_COOKIE);
  deleteCookie(c, CHALLENGE_COOKIE, challengeCookieOptions(deps));
  return takeChallenge(deps.db, token, purpose, deps.clock.now());
}

/** A new session replaces whatever session the browser had. */
function startSession(c: Context<AppEnv>, deps: AppDeps, signedIn: SignedIn): void {
  const previous = c.get('session');
  if (previous) invalidateSession(deps.db, previous.id);
  setSessionCookie(c, deps, signedIn.sessionToken, signedIn.session.expiresAt);
}

const publicUser = (user: User): WireUser => ({ id: user.id, username: user.username, isAdmin: user.isAdmin });

export function authRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { db } = deps;
  const rp = relyingParty(deps.config.origin);
  const policy = { openRegistration: deps.config.openRegistration };
  const now = () => deps.clock.now();

  app.post('/register/options', async (c) => {
    const body = await jsonBody(c, RegisterOptionsBody);
    return sendCeremony(c, deps, await startSignup(db, rp, policy, body, now));
  });

  app.post('/register/verify', async (c) => {
    const pending = takeCeremony(c, deps, 'register');
    const { response } = await jsonBody(c, RegistrationBody);
    const result = await finishSignup(db, rp, policy, pending, response as RegistrationResponseJSON, now);
    startSession(c, deps, result);
    return c.json({ user: publicUser(result.user), ...(result.joined ? { joined: result.joined } : {}) });
  });

  app.post('/login/options', async (c) => {
    await jsonBody(c, EmptyBody);
    return sendCeremony(c, deps, await startSignin(db, rp, now));
  });

  app.post('/login/verify', async (c) => {
    const pending = takeCeremony(c, deps, 'login');
    const { response } = await jsonBody(c, AuthenticationBody);
    const result = await finishSignin(db, rp, pending, response as AuthenticationResponseJSON, now);
    startSession(c, deps, result);
    return c.json({ user: publicUser(result.user) });
  });

  app.post('/logout', (c) => {
    const session = c.get('session');
    if (session) invalidateSession(db, session.id);
    clearSessionCookie(c, deps);
    return c.body(null, 204);
  });

  app.get('/me', (c) => c.json({ user: publicUser(requireUser(c).user) }));

  // The PWA's question at start: 200 either way, so a signed-out visit logs no failed request
  // in the browser console (/me keeps the contract's 401).
  app.get('/session', (c) => {
    const user = c.get('user');
    return c.json({ user: user ? publicUser(user) : null } satisfies SessionAnswer);
  });

  // A signed-in session alone (a borrowed tablet) must not plant a passkey for good: adding one
  // needs the session re-verified (a sign-in within the window counts).
  app.post('/passkeys/options', async (c) => {
    const { user, session } = requireUser(c);
    requireReverified(session, now(), 'add a passkey');
    await jsonBody(c, EmptyBody);
    return sendCeremony(c, deps, await startAddPasskey(db, rp, user, now));
  });

  app.post('/passkeys/verify', async (c) => {
    const { user, session } = requireUser(c);
    requireReverified(session, now(), 'add a passkey');
    const pending = takeCeremony(c, deps, 'passkey');
    const { response } = await jsonBody(c, RegistrationBody);
    const passkey = await finishAddPasskey(db, rp, user, pending, response as RegistrationResponseJSON, now);
    return c.json({ user: publicUser(user), passkey });
  });

  app.get('/passkeys', (c) => {
    const passkeys = passkeySummaries(db, requireUser(c).user.id).map(
      (p): PasskeyInfo => ({ ...p, createdAt: isoTime(p.createdAt), lastUsedAt: isoTime(p.lastUsedAt) }),
    );
    return c.json({ passkeys });
  });

  app.delete('/passkeys/:id', (c) => {
    const { user, session } = requireUser(c);
    const id = v.safeParse(Id, c.req.param('id'));
    if (!id.success) throw new AppError(404, 'not_found', 'passkey not found');
    requireReverified(session, now(), 'remove the passkey');
    // A removed passkey may be on a lost phone: its sessions end too (all but this one), and
    // the account's push devices go, so the phone receives nothing more (this one subscribes again).
    const result = transaction(db, () => {
      const r = deletePasskey(db, user.id, id.output);
      if (r === 'deleted') {
        invalidateUserSessions(db, user.id, session.id);
        dropUserDevices(db, user.id);
      }
      return r;
    });
    if (result === 'not_found') throw new AppError(404, 'not_found', 'passkey not found');
    if (result === 'last')
      throw new AppError(409, 'last_passkey', "this is the account's only passkey; add another before removing it");
    return c.body(null, 204);
  });

  app.post('/reauth/options', async (c) => {
    const { user } = requireUser(c);
    await jsonBody(c, EmptyBody);
    return sendCeremony(c, deps, await startReauth(db, rp, user, now));
  });

  app.post('/reauth/verify', async (c) => {
    const { user, session } = requireUser(c);
    const pending = takeCeremony(c, deps, 'reauth');
    const { response } = await jsonBody(c, AuthenticationBody);
    const at = await finishReauth(db, rp, user, session, pending, response as AuthenticationResponseJSON, now);
    return c.json({ user: publicUser(user), reverifiedUntil: at + REVERIFY_WINDOW_MS });
  });

  app.delete('/account', (c) => {
    const { user, session } = requireUser(c);
    requireReverified(session, now(), 'delete the account');
    // The devices first, explicitly: none may outlive the account, whatever the foreign keys do.
    transaction(db, () => {
      dropUserDevices(db, user.id);
      deleteUser(db, user.id);
    });
    clearSessionCookie(c, deps);
    return c.body(null, 204);
  });

  return app;
}
