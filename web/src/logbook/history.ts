// An entry's versions, opened on this device: fetched from the server when it answers and
// kept in IndexedDB, so the history of what was once loaded still shows at sea. Each
// version says which fields changed since the one before it.
import { api, ApiError, type EntryVersionRow } from '../api.ts';
import { openJson } from '../crypto.ts';
import { idbStore } from '../offline/idb.ts';
import { cachedEntry } from '../sync.ts';
import { changedFields, normalizeEntry, type EntryData, type FieldName } from './fields.ts';

/** A replaced version stays on the server this long after it was replaced (README "Entry history"). */
export const KEEP_DAYS = 90;

const saved = idbStore<EntryVersionRow[]>('cache');
const savedKey = (logbookId: string, entityId: string) => `history/${logbookId}/${entityId}`;

export type HistorySource = 'server' | 'saved' | 'device';

/**
 * The newest page of versions, newest first, and where they came from: the server, a copy
 * saved here, or only the entry cached here. `nextBefore` asks olderVersions for the next page.
 */
export async function loadHistory(
  logbookId: string,
  entityId: string,
): Promise<{ rows: EntryVersionRow[]; source: HistorySource; nextBefore?: number }> {
  try {
    const { versions, nextBefore } = await api.history(logbookId, entityId);
    await saved.put(savedKey(logbookId, entityId), versions).catch(() => undefined);
    // Nothing on the server yet: an entry written here and still waiting to go out.
    if (versions.length > 0) return { rows: versions, source: 'server', ...(nextBefore ? { nextBefore } : {}) };
    return { rows: await deviceVersion(logbookId, entityId), source: 'server' };
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'offline')) throw error;
  }
  const copy = await saved.get(savedKey(logbookId, entityId));
  if (copy?.length) return { rows: copy, source: 'saved' };
  return { rows: await deviceVersion(logbookId, entityId), source: 'device' };
}

/** The next page of older versions (from the server only: the saved copy holds the newest page). */
export async function olderVersions(
  logbookId: string,
  entityId: string,
  before: number,
): Promise<{ rows: EntryVersionRow[]; nextBefore?: number }> {
  const { versions, nextBefore } = await api.history(logbookId, entityId, before);
  return { rows: versions, ...(nextBefore ? { nextBefore } : {}) };
}

/** The one version this device holds of an entry, as a history row. */
async function deviceVersion(logbookId: string, entityId: string): Promise<EntryVersionRow[]> {
  const entry = await cachedEntry(logbookId, entityId);
  if (!entry) return [];
  return [
    {
      version: entry.version,
      payload: entry.payload,
      deleted: entry.deleted,
      updatedAt: new Date(entry.updatedAt).toISOString(),
      updatedBy: entry.updatedBy,
    },
  ];
}

export interface VersionView {
  version: number;
  deleted: boolean;
  updatedAt: string;
  updatedBy: string | null;
  /** The decrypted content; null for a delete or when this key cannot open it. */
  data: EntryData | null;
  locked: boolean;
  /** Fields changed since the version before (null for the first version or a delete; undefined while the page before it is not loaded). */
  changed: FieldName[] | null | undefined;
}

/**
 * Decrypts every version (in parallel: the crypto runs off the main thread) and works out the
 * changes. `complete`: the oldest row is the entry's first version (no older page is left).
 */
export async function openVersions(
  key: CryptoKey,
  logbookId: string,
  entityId: string,
  rows: readonly EntryVersionRow[],
  complete = true,
): Promise<VersionView[]> {
  const context = `${logbookId}/${entityId}`;
  const opened = await Promise.all(
    rows.map(async (row) => {
      if (row.deleted || !row.payload) return { data: null, locked: false };
      try {
        return { data: normalizeEntry(await openJson(key, row.payload, context)), locked: false };
      } catch {
        return { data: null, locked: true };
      }
    }),
  );
  return rows.map((row, i) => {
    const data = opened[i]!.data;
    // The version before this one with content (a delete has none to compare with).
    const before = opened.slice(i + 1).find((o) => o.data)?.data ?? null;
    const isLast = i === rows.length - 1;
    return {
      version: row.version,
      deleted: row.deleted,
      updatedAt: row.updatedAt,
      updatedBy: row.updatedBy,
      data,
      locked: opened[i]!.locked,
      changed: isLast && !complete ? undefined : data && before && !isLast ? changedFields(before, data) : null,
    };
  });
}

/** The newest version with content: what a deleted entry held before its delete. */
export function lastContent(views: readonly VersionView[]): VersionView | undefined {
  return views.find((v) => v.data);
}
