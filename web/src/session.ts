// Who is signed in and which logbooks they have, with titles opened by the keys on this
// device. Both are remembered on the device so the app opens offline at sea.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, type LogbookRow, type Role, type User } from './api.ts';
import { importLogbookKey, openJson, sealJson } from './crypto.ts';
import { createLogbookKey, keepLogbookKey, logbookKey } from './keys.ts';
import { idbStore } from './offline/idb.ts';

export interface LogbookView {
  id: string;
  ownerId: string;
  role: Role;
  createdAt: string | number;
  /** null when the key is not on this device. */
  title: string | null;
  /** The sealed title, to check a key from a link against. */
  meta: string;
}

interface SessionState {
  user: User | null | undefined; // undefined while loading
  logbooks: LogbookView[];
  offline: boolean;
}

const USER_KEY = 'crewbell.user';
const cache = idbStore<LogbookRow[]>('cache');
let state: SessionState = { user: undefined, logbooks: [], offline: false };
const listeners = new Set<() => void>();

function set(patch: Partial<SessionState>) {
  state = { ...state, ...patch };
  for (const listener of listeners) listener();
}

export function session(): SessionState {
  return state;
}

export function useSession(): SessionState {
  const [, force] = useState(0);
  const rendered = state;
  useEffect(() => {
    const listener = () => force((n) => n + 1);
    listeners.add(listener);
    // The session may have arrived between the render and this subscription (the first
    // render waits for the language's texts, the session is asked for meanwhile).
    if (state !== rendered) listener();
    return () => void listeners.delete(listener);
  }, []);
  return state;
}

function remember(user: User | null) {
  try {
    if (user) localStorage.setItem(USER_KEY, JSON.stringify(user));
    else localStorage.removeItem(USER_KEY);
  } catch {
    // private mode: only this visit
  }
}

export async function loadSession(): Promise<void> {
  try {
    const { user } = await api.session();
    remember(user);
    set({ user, offline: false });
  } catch (error) {
    if (error instanceof ApiError && error.code === 'offline') {
      let user: User | null = null;
      try {
        user = JSON.parse(localStorage.getItem(USER_KEY) ?? 'null');
      } catch {
        user = null;
      }
      set({ user, offline: true });
    } else {
      remember(null);
      set({ user: null });
    }
  }
  if (state.user) await loadLogbooks();
}

export function signedIn(user: User): void {
  remember(user);
  set({ user, offline: false, logbooks: [] });
  void loadLogbooks();
}

export function signedOut(): void {
  remember(null);
  set({ user: null, logbooks: [] });
}

async function view(rows: LogbookRow[]): Promise<LogbookView[]> {
  return Promise.all(
    rows.map(async (row) => {
      let title: string | null = null;
      const key = await logbookKey(row.id).catch(() => undefined);
      if (key)
        title = await openJson<{ title: string }>(key, row.meta, `${row.id}/meta`).then(
          (m) => m.title,
          () => null,
        );
      return { id: row.id, ownerId: row.ownerId, role: row.role, createdAt: row.createdAt, title, meta: row.meta };
    }),
  );
}

export async function loadLogbooks(): Promise<void> {
  const user = state.user;
  if (!user) return;
  let rows: LogbookRow[];
  try {
    rows = (await api.logbooks()).logbooks;
    await cache.put(`logbooks:${user.id}`, rows);
    set({ offline: false });
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'offline')) throw error;
    rows = (await cache.get(`logbooks:${user.id}`)) ?? [];
    set({ offline: true });
  }
  set({ logbooks: await view(rows) });
}

export async function createLogbook(title: string): Promise<string> {
  const id = crypto.randomUUID();
  const key = await createLogbookKey(id);
  await api.createLogbook(id, await sealJson(key, { title }, `${id}/meta`));
  await loadLogbooks();
  return id;
}

/**
 * Keeps a logbook key that came in a link on this device, if it really opens the logbook's
 * title: a mistyped or foreign key is refused and nothing is stored.
 */
export async function adoptLogbookKey(logbook: LogbookView, keyText: string): Promise<CryptoKey | undefined> {
  try {
    await openJson(await importLogbookKey(keyText), logbook.meta, `${logbook.id}/meta`);
  } catch {
    return undefined;
  }
  const key = await keepLogbookKey(logbook.id, keyText);
  await loadLogbooks();
  return key;
}
