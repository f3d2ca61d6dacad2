// Entries on this device and their sync with the server: every change is sealed, kept in
// the local entry cache and queued; flush() uploads the queue, pull() brings the crew's
// changes. The state (synced, syncing, offline, waiting) is what the sync chip shows.
import { api, ApiError, type PullItem } from './api.ts';
import { openJson, sealJson } from './crypto.ts';
import { t } from './i18n.ts';
import { logbookKey } from './keys.ts';
import { loadLogbooks } from './session.ts';
import { idbStore } from './offline/idb.ts';
import { prefixedStore } from './offline/storage.ts';
import { createQueue, type FlushOutcome, type UploadItem, type UploadResult } from './offline/queue.ts';
import { normalizeEntry, type EntryData } from './logbook/fields.ts';

export type { EntryData };

export interface CachedEntry {
  logbookId: string;
  entityId: string;
  payload: string | null;
  version: number;
  deleted: boolean;
  updatedAt: number;
  updatedBy: string | null;
  /** Who wrote the first version; missing in caches from before authorship was kept. */
  createdBy?: string | null;
}

export interface SyncState {
  status: 'synced' | 'syncing' | 'offline' | 'error';
  pending: number;
  message?: string;
  conflict?: boolean;
  /** Bumped whenever local entries change, so open screens reload. */
  revision: number;
}

/** Refused (`forbidden`) changes are kept aside in the cache store, under `aside/`. */
export const queue = createQueue(idbStore('queue'), prefixedStore(idbStore('cache'), 'aside/'));
const entries = idbStore<CachedEntry>('entries');
const cursors = idbStore<string>('cursors');

let state: SyncState = { status: 'synced', pending: 0, revision: 0 };
const listeners = new Set<(s: SyncState) => void>();
const watched = new Set<string>();

function setState(patch: Partial<SyncState>) {
  state = { ...state, ...patch };
  for (const listener of listeners) listener(state);
}

export function syncState(): SyncState {
  return state;
}

export function onSync(listener: (s: SyncState) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const entryKey = (logbookId: string, entityId: string) => `${logbookId}/${entityId}`;
const context = entryKey;

export async function listEntries(
  logbookId: string,
  key: CryptoKey,
): Promise<Array<{ entry: CachedEntry; data: EntryData | null; pending: boolean }>> {
  const rows = (await entries.list(`${logbookId}/`)).map(([, e]) => e).filter((e) => !e.deleted && e.payload);
  const pendingIds = new Set((await queue.pending(logbookId)).map((c) => c.entityId));
  const out = await Promise.all(
    rows.map(async (entry) => {
      let data: EntryData | null = null;
      try {
        data = normalizeEntry(await openJson(key, entry.payload!, context(logbookId, entry.entityId)));
      } catch {
        data = null;
      }
      return { entry, data, pending: pendingIds.has(entry.entityId) };
    }),
  );
  return out.sort(
    (a, b) => (b.data?.time ?? '').localeCompare(a.data?.time ?? '') || b.entry.updatedAt - a.entry.updatedAt,
  );
}

export async function readEntry(logbookId: string, entityId: string, key: CryptoKey): Promise<EntryData | undefined> {
  const entry = await entries.get(entryKey(logbookId, entityId));
  if (!entry?.payload || entry.deleted) return undefined;
  return normalizeEntry(await openJson(key, entry.payload, context(logbookId, entityId)));
}

/** Every entry of a logbook cached here, deleted ones (tombstones) included, still sealed. */
export async function cachedEntries(logbookId: string): Promise<CachedEntry[]> {
  return (await entries.list(`${logbookId}/`)).map(([, e]) => e);
}

export async function cachedEntry(logbookId: string, entityId: string): Promise<CachedEntry | undefined> {
  return entries.get(entryKey(logbookId, entityId));
}

export async function saveEntry(
  logbookId: string,
  key: CryptoKey,
  entityId: string | undefined,
  data: EntryData,
  userId: string,
): Promise<string> {
  const id = entityId ?? crypto.randomUUID();
  const before = entityId ? await entries.get(entryKey(logbookId, id)) : undefined;
  const payload = await sealJson(key, data, context(logbookId, id));
  await entries.put(entryKey(logbookId, id), {
    logbookId,
    entityId: id,
    payload,
    version: before?.version ?? 0,
    deleted: false,
    updatedAt: Date.now(),
    updatedBy: userId,
    createdBy: before?.createdBy ?? (before ? null : userId),
  });
  // A restore of a deleted entry is an update on top of its tombstone, like any other edit.
  const known = before !== undefined && before.version > 0;
  await queue.enqueue({
    logbookId,
    entityId: id,
    action: known ? 'update' : 'create',
    payload,
    baseVersion: known ? before.version : undefined,
  });
  await changed();
  return id;
}

export async function deleteEntry(logbookId: string, entityId: string): Promise<void> {
  const before = await entries.get(entryKey(logbookId, entityId));
  if (!before) return;
  await entries.put(entryKey(logbookId, entityId), { ...before, deleted: true, payload: null, updatedAt: Date.now() });
  await queue.enqueue({ logbookId, entityId, action: 'delete', baseVersion: before.version || undefined });
  await changed();
}

/** Forgets a logbook on this device (deleted, or we left the crew). */
export async function forgetLogbook(logbookId: string): Promise<void> {
  await queue.clear(logbookId);
  for (const [k] of await entries.list(`${logbookId}/`)) await entries.delete(k);
  await cursors.delete(logbookId);
  watched.delete(logbookId);
}

async function changed() {
  setState({ revision: state.revision + 1, pending: (await queue.pending()).length });
  scheduleSync();
}

let timer: ReturnType<typeof setTimeout> | undefined;
/** Coalesces a burst of edits into one upload a moment later. */
export function scheduleSync(delayMs = 400): void {
  clearTimeout(timer);
  timer = setTimeout(() => void syncNow(), delayMs);
}

/** Keeps this logbook's entries pulled while a screen shows it. */
export function watchLogbook(logbookId: string): () => void {
  watched.add(logbookId);
  void syncNow();
  const every = setInterval(() => {
    if (document.visibilityState === 'visible') void syncNow();
  }, 20_000);
  return () => {
    clearInterval(every);
    watched.delete(logbookId);
  };
}

const send = async (items: UploadItem[]): Promise<UploadResult[]> => (await api.syncUpload(items)).results;

let running: Promise<void> | undefined;
function syncNow(): Promise<void> {
  running ??= run().finally(() => (running = undefined));
  return running;
}

async function run(): Promise<void> {
  setState({ status: 'syncing' });
  try {
    const first = await applyOutcomes(await queue.flush(send));
    // Copies of refused edits go out in this same run.
    const second = first.copies ? await applyOutcomes(await queue.flush(send)) : undefined;
    let dirty = first.dirty || !!second?.dirty;
    for (const logbookId of watched) dirty = (await pull(logbookId)) || dirty;
    const pending = (await queue.pending()).length;
    setState({
      status: pending ? 'error' : 'synced',
      pending,
      message: undefined,
      conflict: first.conflict || second?.conflict || undefined,
      revision: dirty ? state.revision + 1 : state.revision,
    });
  } catch (error) {
    const pending = (await queue.pending()).length;
    if (error instanceof ApiError && error.code === 'offline') setState({ status: 'offline', pending });
    else setState({ status: 'error', pending, message: error instanceof Error ? error.message : String(error) });
  }
}

/** Records what the server answered in the local cache; true fields say what happened. */
async function applyOutcomes(outcomes: FlushOutcome[]): Promise<{ dirty: boolean; conflict: boolean; copies: number }> {
  let conflict = false;
  let copies = 0;
  for (const outcome of outcomes) {
    const key = entryKey(outcome.logbookId, outcome.entityId);
    const local = await entries.get(key);
    if (outcome.status === 'success') {
      // A delete stays as a tombstone, so "Recently deleted" can list it.
      if (local) await entries.put(key, { ...local, version: outcome.version ?? local.version });
    } else {
      // The server keeps its version (a newer crew edit, or we may not write here):
      // pull this logbook again from the start to show what it has. An edit that lost
      // to a newer one is not thrown away: it comes back as a copy beside it.
      conflict ||= outcome.status === 'conflict';
      // Refused outright: our role here changed (made READ, or put ashore); show it.
      if (outcome.status === 'forbidden') void loadLogbooks().catch(() => undefined);
      if (
        outcome.refusedPayload !== undefined &&
        (await keepAsCopy(outcome.logbookId, outcome.entityId, outcome.refusedPayload, local?.updatedBy ?? null))
      )
        copies++;
      await cursors.delete(outcome.logbookId);
      watched.add(outcome.logbookId);
    }
  }
  return { dirty: outcomes.length > 0, conflict, copies };
}

/**
 * Saves the refused edit of an entry as a new entry, its notes marked as a conflict copy
 * (sealed again: the ciphertext is bound to the entry id).
 */
async function keepAsCopy(
  logbookId: string,
  entityId: string,
  payload: string,
  userId: string | null,
): Promise<boolean> {
  const key = await logbookKey(logbookId);
  if (!key) return false;
  let data: EntryData;
  try {
    data = normalizeEntry(await openJson(key, payload, context(logbookId, entityId)));
  } catch {
    return false;
  }
  await saveEntry(
    logbookId,
    key,
    undefined,
    { ...data, text: `${t('conflictCopy')} ${data.text}`.trim() },
    userId ?? '',
  );
  return true;
}

/** Pulls a logbook's changes since its cursor; true when something changed here. */
async function pull(logbookId: string): Promise<boolean> {
  let cursor = await cursors.get(logbookId);
  const full = cursor === undefined;
  const seen = new Set<string>();
  let dirty = false;
  for (let page = 0; page < 50; page++) {
    let answer: Awaited<ReturnType<typeof api.syncPull>>;
    try {
      answer = await api.syncPull(logbookId, cursor === undefined ? undefined : String(cursor));
    } catch (error) {
      if (error instanceof ApiError && (error.status === 403 || error.status === 404)) return false;
      throw error;
    }
    for (const item of answer.items) {
      seen.add(item.entityId);
      dirty = (await apply(logbookId, item)) || dirty;
    }
    const moved = answer.cursor !== cursor;
    cursor = answer.cursor;
    await cursors.put(logbookId, cursor);
    if (!answer.items.length || !moved || answer.hasMore === false) break;
  }
  if (full) {
    // A pull from the start is the whole truth: drop synced entries the server no longer has.
    const pendingIds = new Set((await queue.pending(logbookId)).map((c) => c.entityId));
    for (const [k, e] of await entries.list(`${logbookId}/`)) {
      if (!seen.has(e.entityId) && !pendingIds.has(e.entityId)) {
        await entries.delete(k);
        dirty = true;
      }
    }
  }
  return dirty;
}

async function apply(logbookId: string, item: PullItem): Promise<boolean> {
  // A change still waiting here wins until it is uploaded; the server decides then.
  if (await queue.get(logbookId, item.entityId)) return false;
  const key = entryKey(logbookId, item.entityId);
  const local = await entries.get(key);
  if (local && local.version >= item.version && !local.deleted === !item.deleted) return false;
  await entries.put(key, {
    logbookId,
    entityId: item.entityId,
    payload: item.deleted ? null : item.payload,
    version: item.version,
    deleted: item.deleted,
    updatedAt: typeof item.updatedAt === 'string' ? Date.parse(item.updatedAt) : item.updatedAt,
    updatedBy: item.updatedBy,
    createdBy: item.createdBy ?? null,
  });
  return true;
}

export async function refreshPendingCount(): Promise<void> {
  setState({ pending: (await queue.pending()).length });
}
