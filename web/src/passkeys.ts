// Passkey ceremonies (SimpleWebAuthn in the browser) against the auth API, with failures
// turned into the few plain cases a person can act on.
import {
  browserSupportsWebAuthn,
  startAuthentication,
  startRegistration,
  WebAuthnError,
} from '@simplewebauthn/browser';
import { api, ApiError, type User } from './api.ts';
import { t } from './i18n.ts';

export class PasskeyProblem extends Error {
  readonly kind: 'no_support' | 'cancelled' | 'exists' | 'offline' | 'login_failed' | 'server';
  constructor(kind: PasskeyProblem['kind'], message: string) {
    super(message);
    this.kind = kind;
  }
}

function explain(error: unknown): PasskeyProblem {
  if (error instanceof PasskeyProblem) return error;
  if (error instanceof ApiError) {
    if (error.code === 'offline') return new PasskeyProblem('offline', t('errOffline'));
    if (error.code === 'login_failed') return new PasskeyProblem('login_failed', t('errLogin'));
    return new PasskeyProblem('server', t('errServer', { message: error.message }));
  }
  const name =
    error instanceof WebAuthnError ? ((error.cause as Error | undefined)?.name ?? error.name) : (error as Error)?.name;
  const code = error instanceof WebAuthnError ? error.code : '';
  if (code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED' || name === 'InvalidStateError')
    return new PasskeyProblem('exists', t('errExists'));
  if (name === 'NotAllowedError' || name === 'AbortError' || code === 'ERROR_CEREMONY_ABORTED')
    return new PasskeyProblem('cancelled', t('errCancelled'));
  return new PasskeyProblem('server', t('errServer', { message: (error as Error)?.message ?? String(error) }));
}

function requireSupport() {
  if (!browserSupportsWebAuthn()) throw new PasskeyProblem('no_support', t('errNoSupport'));
}

export async function signUp(username: string, inviteToken?: string): Promise<User> {
  try {
    requireSupport();
    const { options } = await api.registerOptions(username, inviteToken);
    const response = await startRegistration({ optionsJSON: options });
    return (await api.registerVerify(response)).user;
  } catch (error) {
    throw explain(error);
  }
}

export async function signIn(): Promise<User> {
  try {
    requireSupport();
    const { options } = await api.loginOptions();
    const response = await startAuthentication({ optionsJSON: options });
    return (await api.loginVerify(response)).user;
  } catch (error) {
    throw explain(error);
  }
}

/**
 * Another passkey for this account. The server wants the session re-verified first (a
 * sign-in in the last 5 minutes counts): when it asks, the person confirms with a passkey
 * they have, and the addition goes on.
 */
export async function addPasskey(): Promise<void> {
  try {
    requireSupport();
    const { options } = await api.passkeyOptions().catch(async (error: unknown) => {
      if (!(error instanceof ApiError) || error.code !== 'reauth_required') throw error;
      const { options: check } = await api.reauthOptions();
      await api.reauthVerify(await startAuthentication({ optionsJSON: check }));
      return api.passkeyOptions();
    });
    await api.passkeyVerify(await startRegistration({ optionsJSON: options }));
  } catch (error) {
    throw explain(error);
  }
}

/** Confirms it is still you (deleting a logbook needs it). */
export async function reverify(): Promise<void> {
  try {
    requireSupport();
    const { options } = await api.reauthOptions();
    await api.reauthVerify(await startAuthentication({ optionsJSON: options }));
  } catch (error) {
    throw explain(error);
  }
}
