// A software passkey authenticator for tests, and sign-up/sign-in helpers built on it.
//
//   const server = await startServer({ flags: ['--open-registration'] });
//   const { client, user, authenticator } = await signUp(server, 'skipper');
//   await client.get('/api/auth/me');                       // signed in
//   const again = await signIn(server, authenticator);      // a second device, same passkey
//   await reauth(client, authenticator);                    // before deleting a logbook
//
// The authenticator is real WebAuthn, not a mock: an ES256 key from node:crypto, "none"
// attestation in CBOR, user presence + verification flags, a sign counter, and resident
// (discoverable) credentials, so the server's @simplewebauthn/server checks it fully.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { Client } from './client.ts';
import type { Target } from './accounts.ts';

// ---- a tiny CBOR encoder: just what attestation objects and COSE keys need ----

export type CborValue = number | string | Uint8Array | CborValue[] | Map<CborValue, CborValue>;

function cborHead(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 0x100) return Buffer.from([(major << 5) | 24, length]);
  if (length < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(length, 1);
    return b;
  }
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(length, 1);
  return b;
}

export function cborEncode(value: CborValue): Buffer {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error('cborEncode: only integers');
    return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
  }
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([cborHead(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([cborHead(2, value.length), value]);
  if (Array.isArray(value)) return Buffer.concat([cborHead(4, value.length), ...value.map(cborEncode)]);
  const parts: Buffer[] = [cborHead(5, value.size)];
  for (const [k, v] of value) parts.push(cborEncode(k), cborEncode(v));
  return Buffer.concat(parts);
}

// ---- the authenticator ----

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

export interface SoftCredential {
  /** Credential id, base64url (what the server stores as passkeys.id). */
  id: string;
  rpId: string;
  /** The WebAuthn user handle the server chose (base64url). */
  userHandle: string;
  privateKey: KeyObject;
  counter: number;
}

export interface CeremonyOptions {
  /** Report user verification (biometric/PIN) as done; default true. False makes the server refuse. */
  userVerified?: boolean;
}

export interface AssertionOptions extends CeremonyOptions {
  /** Answer with this credential (default: the newest one the request allows). */
  credentialId?: string;
  /** Corrupt the signature, as a forged answer would be. */
  tamperSignature?: boolean;
}

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();
const b64url = (data: Uint8Array) => Buffer.from(data).toString('base64url');

export class SoftAuthenticator {
  readonly origin: string;
  readonly rpId: string;
  /** Every passkey this authenticator holds (all resident). */
  readonly credentials: SoftCredential[] = [];

  /** `origin` is what a browser would put in clientDataJSON: the server's configured origin. */
  constructor(origin: string, rpId = new URL(origin).hostname) {
    this.origin = origin;
    this.rpId = rpId;
  }

  /** navigator.credentials.create(): a RegistrationResponseJSON for the server's options. */
  register(options: PublicKeyCredentialCreationOptionsJSON, ceremony: CeremonyOptions = {}): RegistrationResponseJSON {
    const rpId = options.rp.id ?? this.rpId;
    const excluded = new Set((options.excludeCredentials ?? []).map((c) => c.id));
    if (this.credentials.some((c) => excluded.has(c.id)))
      throw new Error('InvalidStateError: this authenticator already holds an excluded passkey');
    if (!options.pubKeyCredParams.some((p) => p.alg === -7))
      throw new Error('NotSupportedError: the server does not accept ES256');

    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const coseKey = new Map<CborValue, CborValue>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, Buffer.from(jwk.x!, 'base64url')],
      [-3, Buffer.from(jwk.y!, 'base64url')],
    ]);
    const credentialId = randomBytes(32);
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credentialId.length);
    const authData = Buffer.concat([
      sha256(rpId),
      Buffer.from([FLAG_UP | FLAG_AT | (ceremony.userVerified === false ? 0 : FLAG_UV)]),
      Buffer.alloc(4), // sign count 0
      Buffer.alloc(16), // aaguid: none
      idLength,
      credentialId,
      cborEncode(coseKey),
    ]);
    const attestationObject = cborEncode(
      new Map<CborValue, CborValue>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    const clientDataJSON = Buffer.from(
      JSON.stringify({
        type: 'webauthn.create',
        challenge: options.challenge,
        origin: this.origin,
        crossOrigin: false,
      }),
    );
    const id = b64url(credentialId);
    this.credentials.push({ id, rpId, userHandle: options.user.id, privateKey, counter: 0 });
    return {
      id,
      rawId: id,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64url(clientDataJSON),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
    };
  }

  /** navigator.credentials.get(): an AuthenticationResponseJSON; with no allowCredentials, any resident passkey for the RP answers. */
  signIn(options: PublicKeyCredentialRequestOptionsJSON, assertion: AssertionOptions = {}): AuthenticationResponseJSON {
    const rpId = options.rpId ?? this.rpId;
    const allowed = (options.allowCredentials ?? []).map((c) => c.id);
    const candidates = this.credentials.filter(
      (c) => c.rpId === rpId && (allowed.length === 0 || allowed.includes(c.id)),
    );
    const credential = assertion.credentialId
      ? candidates.find((c) => c.id === assertion.credentialId)
      : candidates.at(-1);
    if (!credential) throw new Error('NotAllowedError: no passkey for this request');
    credential.counter += 1;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(credential.counter);
    const authData = Buffer.concat([
      sha256(rpId),
      Buffer.from([FLAG_UP | (assertion.userVerified === false ? 0 : FLAG_UV)]),
      counter,
    ]);
    const clientDataJSON = Buffer.from(
      JSON.stringify({ type: 'webauthn.get', challenge: options.challenge, origin: this.origin, crossOrigin: false }),
    );
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), credential.privateKey);
    if (assertion.tamperSignature) signature[signature.length - 1]! ^= 0xff;
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: credential.userHandle,
      },
    };
  }
}

// ---- sign-up and sign-in through the real API ----

export interface SignedUp {
  client: Client;
  authenticator: SoftAuthenticator;
  user: { id: string; username: string; isAdmin: boolean };
  /** The crew place when the sign-up came through a crew invite. */
  joined?: { logbookId: string; role: 'WRITE' | 'READ' };
}

function expectOk(step: string, res: { status: number; text: string }): void {
  if (res.status !== 200) throw new Error(`${step} answered ${res.status}: ${res.text}`);
}

/**
 * Signs up `username` with a new passkey and returns the signed-in client. The server must
 * allow it: start it with --open-registration, or pass an admin sign-up or crew invite token.
 */
export async function signUp(
  server: Pick<Target, 'url' | 'origin' | 'fetch'>,
  username: string,
  options: { inviteToken?: string; authenticator?: SoftAuthenticator; client?: Client } = {},
): Promise<SignedUp> {
  const client = options.client ?? new Client(server.url, server.origin, server.fetch);
  const authenticator = options.authenticator ?? new SoftAuthenticator(server.origin);
  const start = await client.post('/api/auth/register/options', {
    username,
    ...(options.inviteToken ? { inviteToken: options.inviteToken } : {}),
  });
  expectOk('register/options', start);
  const verify = await client.post('/api/auth/register/verify', {
    response: authenticator.register(start.body.options),
  });
  expectOk('register/verify', verify);
  return {
    client,
    authenticator,
    user: verify.body.user,
    ...(verify.body.joined ? { joined: verify.body.joined } : {}),
  };
}

/** Signs in with one of the authenticator's passkeys (discoverable: no username asked). */
export async function signIn(
  server: Pick<Target, 'url' | 'origin' | 'fetch'>,
  authenticator: SoftAuthenticator,
  options: { client?: Client; credentialId?: string } = {},
): Promise<{ client: Client; user: SignedUp['user'] }> {
  const client = options.client ?? new Client(server.url, server.origin, server.fetch);
  const start = await client.post('/api/auth/login/options', {});
  expectOk('login/options', start);
  const verify = await client.post('/api/auth/login/verify', {
    response: authenticator.signIn(
      start.body.options,
      options.credentialId ? { credentialId: options.credentialId } : {},
    ),
  });
  expectOk('login/verify', verify);
  return { client, user: verify.body.user };
}

/** Confirms the signed-in session with a passkey: destructive actions are allowed for 5 minutes. */
export async function reauth(client: Client, authenticator: SoftAuthenticator): Promise<void> {
  const start = await client.post('/api/auth/reauth/options', {});
  expectOk('reauth/options', start);
  const verify = await client.post('/api/auth/reauth/verify', { response: authenticator.signIn(start.body.options) });
  expectOk('reauth/verify', verify);
}

/** Registers another passkey (a second device) for the signed-in client; returns the new passkey's id. */
export async function addPasskey(client: Client, authenticator: SoftAuthenticator): Promise<string> {
  const start = await client.post('/api/auth/passkeys/options', {});
  expectOk('passkeys/options', start);
  const verify = await client.post('/api/auth/passkeys/verify', {
    response: authenticator.register(start.body.options),
  });
  expectOk('passkeys/verify', verify);
  return verify.body.passkey.id;
}
