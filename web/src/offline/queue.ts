// The offline queue: every local change to an entry waits here until POST /api/sync/push
// accepts it, so writing works at sea without a connection. One record per entry: a
// second edit before a flush replaces the first, and a create then delete never leaves
// the phone.
import { memoryStore, type KeyValueStore } from './storage.ts';
import type { UploadAction, UploadItem, UploadResult, UploadStatus } from '../../../src/wire/sync.ts';
import { UPLOAD_BODY_MAX_BYTES, UPLOAD_MAX_ITEMS } from '../../../src/wire/limits.ts';

export type { UploadItem, UploadResult } from '../../../src/wire/sync.ts';
export { UPLOAD_MAX_ITEMS };

export interface QueuedChange {
  logbookId: string;
  entityId: string;
  action: 'save' | 'delete';
  payload?: string;
  /** The server version this change was made on; absent while the server has never seen the entry. */
  baseVersion?: number;
  /** True while the server has never seen this entry (the next upload is a create). */
  isNew: boolean;
  /** Order of the latest edit; also tells a flush whether the record changed while it was in flight. */
  seq: number;
}

/** A change the server refused outright (`forbidden`: the role became READ, or put ashore), kept aside, never thrown away. */
export interface SetAsideChange extends QueuedChange {
  /** When it was refused (ms). */
  refusedAt: number;
}

export interface FlushOutcome {
  logbookId: string;
  entityId: string;
  action: UploadAction;
  status: UploadStatus;
  version?: number;
  /** The refused ciphertext of a create or update answered `conflict`, so it can be kept as a copy. */
  refusedPayload?: string;
}

/** Batches stay under 3.5 MiB of JSON, well inside API.md's 4 MiB upload body. */
export const UPLOAD_MAX_BYTES = UPLOAD_BODY_MAX_BYTES - 512 * 1024;

const utf8 = new TextEncoder();

/**
 * Splits items, in order, into batches of at most maxItems items and maxBytes of JSON body
 * (`{"items":[…]}` of what body() gives for each), so no request crosses the server's limit.
 * An item larger than maxBytes on its own still goes alone (the server then answers for it).
 */
export function batchesOf<T>(
  items: T[],
  body: (item: T) => unknown,
  maxItems = UPLOAD_MAX_ITEMS,
  maxBytes = UPLOAD_MAX_BYTES,
): T[][] {
  const envelope = utf8.encode('{"items":[]}').length;
  const batches: T[][] = [];
  let batch: T[] = [];
  let bytes = envelope;
  for (const item of items) {
    const size = utf8.encode(JSON.stringify(body(item))).length;
    if (batch.length && (batch.length >= maxItems || bytes + 1 + size > maxBytes)) {
      batches.push(batch);
      batch = [];
      bytes = envelope;
    }
    bytes += (batch.length ? 1 : 0) + size; // the comma between items
    batch.push(item);
  }
  if (batch.length) batches.push(batch);
  return batches;
}

export type Send = (items: UploadItem[]) => Promise<UploadResult[]>;

export interface Queue {
  enqueue(change: {
    logbookId: string;
    entityId: string;
    action: UploadAction;
    payload?: string;
    baseVersion?: number;
  }): Promise<void>;
  pending(logbookId?: string): Promise<QueuedChange[]>;
  get(logbookId: string, entityId: string): Promise<QueuedChange | undefined>;
  /** Sends everything queued, in edit order. A failing send (offline) throws and keeps the queue. */
  flush(send: Send): Promise<FlushOutcome[]>;
  /** Drops everything queued for a logbook (it was deleted, or we left the crew). */
  clear(logbookId: string): Promise<void>;
  /** The changes refused as `forbidden`, kept aside for the writer to copy or export, oldest first. */
  setAside(logbookId?: string): Promise<SetAsideChange[]>;
  /** Forgets a change kept aside (the writer copied it, or let it go). */
  dismiss(logbookId: string, entityId: string): Promise<void>;
}

const keyOf = (logbookId: string, entityId: string) => `${logbookId}/${entityId}`;

/**
 * The queue over `store`; refused changes go to `aside` (a store of their own, or the same
 * kind of store under another prefix) instead of being dropped.
 */
export function createQueue(
  store: KeyValueStore<QueuedChange>,
  aside: KeyValueStore<SetAsideChange> = memoryStore(),
): Queue {
  let lastSeq = 0;
  let flushing: Promise<FlushOutcome[]> | undefined;

  const nextSeq = async () => {
    if (lastSeq === 0) for (const [, c] of await store.list()) lastSeq = Math.max(lastSeq, c.seq);
    lastSeq = Math.max(lastSeq + 1, Date.now());
    return lastSeq;
  };

  async function flushOnce(send: Send): Promise<FlushOutcome[]> {
    const outcomes: FlushOutcome[] = [];
    const queued = (await store.list()).map(([, c]) => c).sort((a, b) => a.seq - b.seq);
    const toSend: QueuedChange[] = [];
    for (const change of queued) {
      // Made and deleted offline: the server never needs to hear of it.
      if (change.isNew && change.action === 'delete') await store.delete(keyOf(change.logbookId, change.entityId));
      else toSend.push(change);
    }
    const all = toSend.map((change) => {
      const action: UploadAction = change.isNew ? 'create' : change.action === 'delete' ? 'delete' : 'update';
      const item: UploadItem = { logbookId: change.logbookId, entityId: change.entityId, action };
      if (action !== 'delete') item.payload = change.payload;
      if (!change.isNew && change.baseVersion !== undefined) item.baseVersion = change.baseVersion;
      return { change, item };
    });
    for (const pairs of batchesOf(all, (p) => p.item)) {
      const batch = pairs.map((p) => p.change);
      const items = pairs.map((p) => p.item);
      const results = await send(items);
      for (let i = 0; i < batch.length; i++) {
        const sent = batch[i]!;
        const result = results[i];
        if (!result) continue; // a short answer: keep it queued and try again next time
        const key = keyOf(sent.logbookId, sent.entityId);
        // Refused outright: nothing a crew member wrote is thrown away. Kept aside before it
        // leaves the queue (a second refusal of the same entry replaces the first: it holds the later edit).
        if (result.status === 'forbidden') await aside.put(key, { ...sent, refusedAt: Date.now() });
        const now = await store.get(key);
        if (now && now.seq !== sent.seq && result.status === 'success') {
          // Edited again while this upload was in flight: keep the newer edit, now based on
          // the version the server just gave us.
          await store.put(key, { ...now, isNew: false, baseVersion: result.version });
        } else if (now && now.seq === sent.seq) {
          await store.delete(key);
        }
        const outcome: FlushOutcome = {
          logbookId: sent.logbookId,
          entityId: sent.entityId,
          action: items[i]!.action,
          status: result.status,
          version: result.version,
        };
        const refused = items[i]!.payload;
        if (result.status === 'conflict' && refused != null) outcome.refusedPayload = refused;
        outcomes.push(outcome);
      }
    }
    return outcomes;
  }

  return {
    async enqueue(change) {
      const key = keyOf(change.logbookId, change.entityId);
      const before = await store.get(key);
      const action = change.action === 'delete' ? 'delete' : 'save';
      const record: QueuedChange = before
        ? { ...before, action, payload: action === 'save' ? change.payload : undefined, seq: await nextSeq() }
        : {
            logbookId: change.logbookId,
            entityId: change.entityId,
            action,
            payload: action === 'save' ? change.payload : undefined,
            baseVersion: change.action === 'create' ? undefined : change.baseVersion,
            isNew: change.action === 'create',
            seq: await nextSeq(),
          };
      if (record.payload === undefined) delete record.payload;
      if (record.baseVersion === undefined) delete record.baseVersion;
      await store.put(key, record);
    },
    async pending(logbookId) {
      const list = await store.list(logbookId ? `${logbookId}/` : '');
      return list.map(([, c]) => c).sort((a, b) => a.seq - b.seq);
    },
    get: (logbookId, entityId) => store.get(keyOf(logbookId, entityId)),
    flush(send) {
      // One flush at a time: a second caller waits for the running one, then runs its own.
      const run = (flushing ?? Promise.resolve([])).catch(() => []).then(() => flushOnce(send));
      flushing = run;
      return run.finally(() => {
        if (flushing === run) flushing = undefined;
      });
    },
    async clear(logbookId) {
      for (const [key] of await store.list(`${logbookId}/`)) await store.delete(key);
    },
    async setAside(logbookId) {
      const list = await aside.list(logbookId ? `${logbookId}/` : '');
      return list.map(([, c]) => c).sort((a, b) => a.seq - b.seq);
    },
    dismiss: (logbookId, entityId) => aside.delete(keyOf(logbookId, entityId)),
  };
}
