// The HTTP API exactly as /work/shared/API.md names it. Errors come back as ApiError with
// the contract's code; a request that never reached the server is code "offline".

import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import type { PasskeyInfo, SessionAnswer, User } from '../../src/wire/account.ts';
import type {
  InviteAccepted,
  InviteInfo,
  InviteMade,
  LogbookRow,
  Member,
  CrewRole,
  OpenInviteRow,
} from '../../src/wire/logbooks.ts';
import type { DeviceStatus, MyDevice, NewSubscription, TestQueued } from '../../src/wire/push.ts';
import type { AccountEmail, LogbookNotifications, NotifyPrefs as PushPrefs } from '../../src/wire/notify.ts';
import type { DeletedAnswer, HistoryAnswer, PullAnswer, UploadAnswer, UploadItem } from '../../src/wire/sync.ts';
import type { BroadcastInfo } from '../../src/wire/broadcast.ts';

// The answers' types are the server's own (src/wire), imported as types only: nothing of
// the server, nor valibot, reaches the bundle.
export type { PasskeyInfo, User } from '../../src/wire/account.ts';
export type { InviteInfo, LogbookRow, Member, Role } from '../../src/wire/logbooks.ts';
export type { DeviceStatus } from '../../src/wire/push.ts';
export type { AccountEmail, NotifyPrefs as PushPrefs, QuietHours } from '../../src/wire/notify.ts';
export type { DeletedRow, EntryVersionRow, PullItem } from '../../src/wire/sync.ts';
export type { OpenInviteRow } from '../../src/wire/logbooks.ts';
export type { BroadcastInfo } from '../../src/wire/broadcast.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'offline', 'no connection to the server');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: { error?: { code?: string; message?: string } } | undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const error = json?.error;
    throw new ApiError(res.status, error?.code ?? `http_${res.status}`, error?.message ?? res.statusText);
  }
  return json as T;
}

const enc = encodeURIComponent;

export const api = {
  /** Who is signed in, null when nobody: 200 either way (no console error when signed out). */
  session: () => request<SessionAnswer>('GET', '/api/auth/session'),
  logout: () => request<void>('POST', '/api/auth/logout'),
  registerOptions: (username: string, inviteToken?: string) =>
    request<{ options: PublicKeyCredentialCreationOptionsJSON }>(
      'POST',
      '/api/auth/register/options',
      inviteToken ? { username, inviteToken } : { username },
    ),
  registerVerify: (response: unknown) => request<{ user: User }>('POST', '/api/auth/register/verify', { response }),
  loginOptions: () =>
    request<{ options: PublicKeyCredentialRequestOptionsJSON }>('POST', '/api/auth/login/options', {}),
  loginVerify: (response: unknown) => request<{ user: User }>('POST', '/api/auth/login/verify', { response }),
  passkeyOptions: () =>
    request<{ options: PublicKeyCredentialCreationOptionsJSON }>('POST', '/api/auth/passkeys/options', {}),
  passkeyVerify: (response: unknown) => request<unknown>('POST', '/api/auth/passkeys/verify', { response }),
  passkeys: () => request<{ passkeys: PasskeyInfo[] }>('GET', '/api/auth/passkeys'),
  deletePasskey: (id: string) => request<null>('DELETE', `/api/auth/passkeys/${enc(id)}`),
  reauthOptions: () =>
    request<{ options: PublicKeyCredentialRequestOptionsJSON }>('POST', '/api/auth/reauth/options', {}),
  reauthVerify: (response: unknown) => request<unknown>('POST', '/api/auth/reauth/verify', { response }),

  logbooks: () => request<{ logbooks: LogbookRow[] }>('GET', '/api/logbooks'),
  createLogbook: (id: string, meta: string) => request<{ logbook: LogbookRow }>('POST', '/api/logbooks', { id, meta }),
  deleteLogbook: (id: string) => request<void>('DELETE', `/api/logbooks/${enc(id)}`),
  members: (id: string) => request<{ members: Member[] }>('GET', `/api/logbooks/${enc(id)}/members`),
  removeMember: (id: string, userId: string) =>
    request<void>('DELETE', `/api/logbooks/${enc(id)}/members/${enc(userId)}`),
  createInvite: (id: string, role: CrewRole) =>
    request<InviteMade>('POST', `/api/logbooks/${enc(id)}/invites`, { role }),
  setRole: (id: string, userId: string, role: CrewRole) =>
    request<Member>('PATCH', `/api/logbooks/${enc(id)}/members/${enc(userId)}`, { role }),
  openInvites: (id: string) => request<{ invites: OpenInviteRow[] }>('GET', `/api/logbooks/${enc(id)}/invites`),
  revokeInvite: (id: string, inviteId: string) =>
    request<void>('DELETE', `/api/logbooks/${enc(id)}/invites/${enc(inviteId)}`),
  /** One page of an entry's versions (≤ 4 MiB of payload); `before` is the nextBefore of the page before. */
  history: (logbookId: string, entityId: string, before?: number) =>
    request<HistoryAnswer>(
      'GET',
      `/api/sync/history?logbookId=${enc(logbookId)}&entityId=${enc(entityId)}${before !== undefined ? `&before=${before}` : ''}`,
    ),
  /** The recently deleted entries with their last content, in one request. */
  deleted: (logbookId: string) => request<DeletedAnswer>('GET', `/api/sync/deleted?logbookId=${enc(logbookId)}`),
  invite: (token: string) => request<InviteInfo>('GET', `/api/invites/${enc(token)}`),
  acceptInvite: (token: string) => request<InviteAccepted>('POST', `/api/invites/${enc(token)}/accept`),

  syncUpload: (items: UploadItem[]) => request<UploadAnswer>('POST', '/api/sync/push', { items }),
  syncPull: (logbookId: string, since?: string) =>
    request<PullAnswer>(
      'GET',
      `/api/sync/pull?logbookId=${enc(logbookId)}${since !== undefined ? `&since=${enc(since)}` : ''}`,
    ),

  vapidKey: () => request<{ publicKey: string }>('GET', '/api/push/vapid-public-key'),
  putSubscription: (body: NewSubscription) => request<{ id: string }>('PUT', '/api/push/subscription', body),
  deleteSubscription: (endpoint: string) => request<void>('DELETE', '/api/push/subscription', { endpoint }),
  prefs: () => request<PushPrefs>('GET', '/api/push/prefs'),
  /** Only the fields given change. */
  setPrefs: (change: Partial<PushPrefs>) => request<PushPrefs>('PUT', '/api/push/prefs', change),
  logbookNotifications: (id: string) => request<LogbookNotifications>('GET', `/api/logbooks/${enc(id)}/notifications`),
  setLogbookNotifications: (id: string, enabled: boolean) =>
    request<LogbookNotifications>('PUT', `/api/logbooks/${enc(id)}/notifications`, { enabled }),
  /** The signed-in user's own subscribed devices (added to the contract for the settings screen). */
  mySubscriptions: () => request<{ subscriptions: MyDevice[] }>('GET', '/api/push/subscriptions'),
  testPush: () => request<TestQueued>('POST', '/api/push/test'),
  /** The account's devices and how each is doing. */
  devices: () => request<{ devices: DeviceStatus[] }>('GET', '/api/push/devices'),
  removeDevice: (id: string) => request<void>('DELETE', `/api/push/devices/${enc(id)}`),
  /** The app was opened: the badge count starts again from 0. */
  seen: (logbookId?: string) => request<void>('POST', '/api/push/seen', logbookId ? { logbookId } : {}),
  /** 409 email_not_configured when the server sends no email. */
  accountEmail: () => request<AccountEmail>('GET', '/api/account/email'),
  /** Emails come in the app's language. */
  setAccountEmail: (email: string, locale: string) =>
    request<AccountEmail>('PUT', '/api/account/email', { email, locale }),
  deleteAccountEmail: () => request<void>('DELETE', '/api/account/email'),
  verifyEmail: (token: string) => request<AccountEmail>('POST', '/api/account/email/verify', { token }),
  /** Admins only: a message to every device of every account, and the last one's progress. */
  broadcast: (title: string, body: string) =>
    request<{ broadcast: BroadcastInfo }>('POST', '/api/admin/push/broadcast', { title, body }),
  lastBroadcast: () => request<{ broadcast: BroadcastInfo | null }>('GET', '/api/admin/push/broadcast'),
};
