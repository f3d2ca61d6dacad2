// The sync wire (API.md "Sync"): the upload body the server validates and the answers the
// PWA reads. Server routes parse with these schemas; the PWA imports the types only.
import * as v from 'valibot';
import { Base64Url, Uuid, type IsoTime } from './fields.ts';
import { PAYLOAD_MAX_CHARS, UPLOAD_MAX_ITEMS } from './limits.ts';

/** Entity ids are made by the browser: uuids or short base64url-ish names. */
export const EntityId = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'must not be empty'),
  v.maxLength(64, 'at most 64 characters'),
  v.regex(/^[A-Za-z0-9_-]+$/, 'may contain only A-Z, a-z, 0-9, _ and -'),
);

export const UploadItemSchema = v.object({
  logbookId: Uuid,
  entityId: EntityId,
  action: v.picklist(['create', 'update', 'delete'], 'must be "create", "update" or "delete"'),
  payload: v.nullish(Base64Url(PAYLOAD_MAX_CHARS)),
  baseVersion: v.nullish(
    v.pipe(v.number('must be a number'), v.safeInteger('must be a whole number'), v.minValue(0, 'must be 0 or more')),
  ),
});

/** POST /api/sync/push */
export const UploadBody = v.object({
  items: v.pipe(
    v.array(UploadItemSchema, 'must be an array'),
    v.minLength(1, 'must hold at least 1 item'),
    v.maxLength(UPLOAD_MAX_ITEMS, `at most ${UPLOAD_MAX_ITEMS} items`),
  ),
});

/** GET /api/sync/pull?logbookId&since */
export const PullQuery = v.object({
  logbookId: Uuid,
  since: v.optional(v.string('must be a string')),
});

/** GET /api/sync/history?logbookId&entityId[&before] */
export const HistoryQuery = v.object({
  logbookId: Uuid,
  entityId: EntityId,
  before: v.optional(
    v.pipe(
      v.string('must be a string'),
      v.regex(/^[1-9]\d{0,14}$/, 'must be a version number (nextBefore of the page before)'),
      v.transform(Number),
    ),
  ),
});

/** GET /api/sync/deleted?logbookId */
export const DeletedQuery = v.object({ logbookId: Uuid });

/** One recently deleted entry and the newest version with content before its delete. */
export interface DeletedRow {
  entityId: string;
  deletedAt: IsoTime;
  deletedBy: string | null;
  deletedVersion: number;
  /** null (with payload, updatedAt, updatedBy) when no version with content is kept. */
  version: number | null;
  payload: string | null;
  updatedAt: IsoTime | null;
  updatedBy: string | null;
}

/** GET /api/sync/deleted: the entries deleted in the last 90 days, newest delete first, ≤ 4 MiB of payload. */
export interface DeletedAnswer {
  entries: DeletedRow[];
  /** More deleted entries than one answer holds: the oldest are left out. */
  more: boolean;
}

/** One upload item, as the PWA sends it and the server reads it. */
export type UploadItem = v.InferOutput<typeof UploadItemSchema>;
export type UploadAction = UploadItem['action'];
export type UploadStatus = 'success' | 'conflict' | 'forbidden' | 'invalid';

export interface UploadResult {
  entityId: string;
  status: UploadStatus;
  /** The entity's new version, on success only. */
  version?: number;
}

export interface UploadAnswer {
  results: UploadResult[];
}

export interface PullItem {
  entityId: string;
  version: number;
  payload: string | null;
  deleted: boolean;
  /** Who wrote the first version; null for entries from before this was kept. */
  createdBy: string | null;
  updatedAt: IsoTime;
  updatedBy: string | null;
}

/** One version of an entry in its history; a delete has no payload. */
export interface EntryVersionRow {
  version: number;
  payload: string | null;
  deleted: boolean;
  updatedAt: IsoTime;
  updatedBy: string | null;
}

/** GET /api/sync/history: newest first, at most 4 MiB of payload a page. */
export interface HistoryAnswer {
  versions: EntryVersionRow[];
  /** There are older versions: ask again with `before=nextBefore`. */
  nextBefore?: number;
}

export interface PullAnswer {
  items: PullItem[];
  /** Opaque: pass it back as `since` to continue after the last item. */
  cursor: string;
  hasMore: boolean;
}
