// The HTTP API exactly as /work/shared/API.md names it. Errors come back as ApiError with
// the contract's code; a request that never reached the server is code "offline".

export interface PasskeyInfo {
  id: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface User {
  id: string;
  username: string;
  isAdmin: boolean;
}
export type Role = 'OWNER' | 'WRITE' | 'READ';
export interface LogbookRow {
  id: string;
  ownerId: string;
  role: Role;
  meta: string;
  createdAt: string | number;
}
export interface Member {
  userId: string;
  username: string;
  role: Role;
}
export interface InviteInfo {
  logbookId: string;
  role: 'WRITE' | 'READ';
  ownerName: string;
  expiresAt: string | number;
}
export interface PullItem {
  entityId: string;
  version: number;
  payload: string | null;
  deleted: boolean;
  updatedAt: string | number;
  updatedBy: string | null;
}
export interface QuietHours {
  from: string;
  to: string;
  timeZone: string;
}
export interface PushPrefs {
  collaboratorChangesEnabled: boolean;
  quietHours: QuietHours | null;
}

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
  let json: any;
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
  me: () => request<{ user: User }>('GET', '/api/auth/me'),
  logout: () => request<void>('POST', '/api/auth/logout'),
  registerOptions: (username: string, inviteToken?: string) =>
    request<{ options: any }>('POST', '/api/auth/register/options', inviteToken ? { username, inviteToken } : { username }),
  registerVerify: (response: unknown) => request<{ user: User }>('POST', '/api/auth/register/verify', { response }),
  loginOptions: () => request<{ options: any }>('POST', '/api/auth/login/options', {}),
  loginVerify: (response: unknown) => request<{ user: User }>('POST', '/api/auth/login/verify', { response }),
  passkeyOptions: () => request<{ options: any }>('POST', '/api/auth/passkeys/options', {}),
  passkeyVerify: (response: unknown) => request<unknown>('POST', '/api/auth/passkeys/verify', { response }),
  passkeys: () => request<{ passkeys: PasskeyInfo[] }>('GET', '/api/auth/passkeys'),
  deletePasskey: (id: string) => request<null>('DELETE', `/api/auth/passkeys/${enc(id)}`),
  reauthOptions: () => request<{ options: any }>('POST', '/api/auth/reauth/options', {}),
  reauthVerify: (response: unknown) => request<unknown>('POST', '/api/auth/reauth/verify', { response }),

  logbooks: () => request<{ logbooks: LogbookRow[] }>('GET', '/api/logbooks'),
  createLogbook: (id: string, meta: string) => request<{ logbook: LogbookRow }>('POST', '/api/logbooks', { id, meta }),
  deleteLogbook: (id: string) => request<void>('DELETE', `/api/logbooks/${enc(id)}`),
  members: (id: string) => request<{ members: Member[] }>('GET', `/api/logbooks/${enc(id)}/members`),
  removeMember: (id: string, userId: string) => request<void>('DELETE', `/api/logbooks/${enc(id)}/members/${enc(userId)}`),
  createInvite: (id: string, role: 'WRITE' | 'READ') =>
    request<{ token: string; expiresAt: string | number }>('POST', `/api/logbooks/${enc(id)}/invites`, { role }),
  invite: (token: string) => request<InviteInfo>('GET', `/api/invites/${enc(token)}`),
  acceptInvite: (token: string) => request<{ logbookId: string; role: 'WRITE' | 'READ' }>('POST', `/api/invites/${enc(token)}/accept`),

  syncUpload: (items: unknown[]) => request<{ results: any[] }>('POST', '/api/sync/push', { items }),
  syncPull: (logbookId: string, since?: string) =>
    request<{ items: PullItem[]; cursor: string; hasMore?: boolean }>(
      'GET',
      `/api/sync/pull?logbookId=${enc(logbookId)}${since !== undefined ? `&since=${enc(since)}` : ''}`,
    ),

  vapidKey: () => request<{ publicKey: string }>('GET', '/api/push/vapid-public-key'),
  putSubscription: (body: {
    endpoint: string;
    keys: { p256dh: string; auth: string };
    expirationTime?: number | null;
    locale: 'de' | 'en';
    /** The key the browser subscribed with (the server may keep it to spot a rotated key). */
    vapidPublicKey?: string;
  }) =>
    request<{ id: string }>('PUT', '/api/push/subscription', body),
  deleteSubscription: (endpoint: string) => request<void>('DELETE', '/api/push/subscription', { endpoint }),
  prefs: () => request<PushPrefs>('GET', '/api/push/prefs'),
  /** Only the fields given change. */
  setPrefs: (change: Partial<PushPrefs>) => request<PushPrefs>('PUT', '/api/push/prefs', change),
  logbookNotifications: (id: string) => request<{ enabled: boolean }>('GET', `/api/logbooks/${enc(id)}/notifications`),
  setLogbookNotifications: (id: string, enabled: boolean) => request<{ enabled: boolean }>('PUT', `/api/logbooks/${enc(id)}/notifications`, { enabled }),
  /** The signed-in user's own subscribed devices (added to the contract for the settings screen). */
  mySubscriptions: () => request<{ subscriptions: Array<{ id: string; endpoint: string; locale: 'de' | 'en' }> }>('GET', '/api/push/subscriptions'),
  testPush: () => request<{ queued: number }>('POST', '/api/push/test'),
};
