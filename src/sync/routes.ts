// HTTP routes for syncing encrypted entries (API.md "Sync"), mounted at /api/sync.
// An upload (POST /api/sync/push) answers per item; a pull pages through a logbook's changes after a cursor.
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppDeps, AppEnv } from '../kit/deps.ts';
import { invalidRequest } from '../kit/errors.ts';
import { Base64Url, isoTime, jsonBody, parseWith, Uuid } from '../kit/validate.ts';
import { requireUser } from '../kit/middleware.ts';
import { ANY_ROLE, requireRole } from '../logbooks/access.ts';
import { decodeCursor, encodeCursor, pullEntries, uploadEntries } from './store.ts';

export const UPLOAD_MAX_ITEMS = 500;
/** Largest entry ciphertext, in base64url characters. */
export const PAYLOAD_MAX_CHARS = 65536;

/** Entity ids are made by the browser: uuids or short base64url-ish names. */
const EntityId = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'must not be empty'),
  v.maxLength(64, 'at most 64 characters'),
  v.regex(/^[A-Za-z0-9_-]+$/, 'may contain only A-Z, a-z, 0-9, _ and -'),
);

const UploadBody = v.object({
  items: v.pipe(
    v.array(
      v.object({
        logbookId: Uuid,
        entityId: EntityId,
        action: v.picklist(['create', 'update', 'delete'], 'must be "create", "update" or "delete"'),
        payload: v.nullish(Base64Url(PAYLOAD_MAX_CHARS)),
        baseVersion: v.nullish(
          v.pipe(v.number('must be a number'), v.safeInteger('must be a whole number'), v.minValue(0, 'must be 0 or more')),
        ),
      }),
      'must be an array',
    ),
    v.minLength(1, 'must hold at least 1 item'),
    v.maxLength(UPLOAD_MAX_ITEMS, `at most ${UPLOAD_MAX_ITEMS} items`),
  ),
});

const PullQuery = v.object({
  logbookId: Uuid,
  since: v.optional(v.string('must be a string')),
});

export function syncRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db, clock, notify } = deps;
  const app = new Hono<AppEnv>();

  app.post('/push', async (c) => {
    const { user } = requireUser(c);
    const body = await jsonBody(c, UploadBody);
    return c.json({ results: uploadEntries(db, user.id, body.items, clock.now(), notify) });
  });

  app.get('/pull', (c) => {
    const { user } = requireUser(c);
    const query = parseWith(PullQuery, { logbookId: c.req.query('logbookId'), since: c.req.query('since') }, 'query');
    const { logbook } = requireRole(db, query.logbookId, user.id, ANY_ROLE);
    const since = decodeCursor(query.since ?? '', logbook.createdAt);
    if (since === undefined) throw invalidRequest('since: not a cursor from this server');
    const page = pullEntries(db, logbook.id, since);
    return c.json({
      items: page.entries.map((e) => ({
        entityId: e.entityId,
        version: e.version,
        payload: e.payload,
        deleted: e.deleted,
        updatedAt: isoTime(e.updatedAt),
        updatedBy: e.updatedBy,
      })),
      cursor: encodeCursor(logbook.createdAt, page.lastSeq),
      hasMore: page.hasMore,
    });
  });

  return app;
}
