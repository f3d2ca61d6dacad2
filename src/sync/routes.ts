// HTTP routes for syncing encrypted entries (API.md "Sync"), mounted at /api/sync.
// An upload (POST /api/sync/push) answers per item; a pull pages through a logbook's changes after a cursor.
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../kit/deps.ts';
import { invalidRequest } from '../kit/errors.ts';
import { isoTime, jsonBody, parseWith } from '../kit/validate.ts';
import { requireUser } from '../kit/middleware.ts';
import { ANY_ROLE, requireRole } from '../logbooks/access.ts';
import {
  DeletedQuery,
  HistoryQuery,
  type DeletedAnswer,
  PullQuery,
  UploadBody,
  type HistoryAnswer,
  type PullAnswer,
  type UploadAnswer,
} from '../wire/sync.ts';
import { GroupCommit } from '../group-commit.ts';
import { listVersions } from './history.ts';
import { recentlyDeleted } from './deleted.ts';
import { decodeCursor, encodeCursor, pullEntries, uploadEntries } from './store.ts';
import { currentEpoch, cursorHolds } from './sequence.ts';

/** The limits a sync body is held to, for the body size limit in front of these routes. */
export { PAYLOAD_MAX_CHARS, UPLOAD_MAX_ITEMS } from '../wire/limits.ts';

export function syncRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db, clock, notify, config } = deps;
  const app = new Hono<AppEnv>();
  // Uploads arriving together share one commit (one fsync); each is still all or nothing.
  const commits = new GroupCommit(db);

  app.post('/push', async (c) => {
    const { user } = requireUser(c);
    const body = await jsonBody(c, UploadBody);
    const results = await commits.run(() => {
      const answers = uploadEntries(db, user.id, body.items, clock.now(), notify, config.quotas);
      // The watch bell learns which logbooks got entries (for log reminders), never what they say.
      deps.watchBell?.entriesSynced(
        body.items.filter((_, i) => answers[i]?.status === 'success').map((i) => i.logbookId),
      );
      return answers;
    });
    return c.json({ results } satisfies UploadAnswer);
  });

  app.get('/pull', (c) => {
    const { user } = requireUser(c);
    const query = parseWith(PullQuery, { logbookId: c.req.query('logbookId'), since: c.req.query('since') }, 'query');
    const { logbook } = requireRole(db, query.logbookId, user.id, ANY_ROLE);
    const cursor = decodeCursor(query.since ?? '');
    if (cursor === undefined) throw invalidRequest('since: not a cursor from this server');
    // From the start: a cursor of an earlier logbook with this id, or one that saw numbers a
    // power cut or a restore took back (sequence.ts).
    const fresh =
      cursor.seq === 0 || cursor.logbookCreatedAt !== logbook.createdAt || !cursorHolds(db, cursor.epoch, cursor.seq);
    const page = pullEntries(db, logbook.id, fresh ? 0 : cursor.seq);
    return c.json({
      items: page.entries.map((e) => ({
        entityId: e.entityId,
        version: e.version,
        payload: e.payload,
        deleted: e.deleted,
        createdBy: e.createdBy,
        updatedAt: isoTime(e.updatedAt),
        updatedBy: e.updatedBy,
      })),
      cursor: encodeCursor(logbook.createdAt, page.lastSeq, currentEpoch(db)),
      hasMore: page.hasMore,
    } satisfies PullAnswer);
  });

  // Every kept version of one entry, newest first and paged by bytes, for the history screen: any member may read it.
  app.get('/history', (c) => {
    const { user } = requireUser(c);
    const query = parseWith(
      HistoryQuery,
      { logbookId: c.req.query('logbookId'), entityId: c.req.query('entityId'), before: c.req.query('before') },
      'query',
    );
    const { logbook } = requireRole(db, query.logbookId, user.id, ANY_ROLE);
    const page = listVersions(db, logbook.id, query.entityId, query.before);
    return c.json({
      versions: page.versions.map((ver) => ({ ...ver, updatedAt: isoTime(ver.updatedAt) })),
      ...(page.nextBefore !== undefined ? { nextBefore: page.nextBefore } : {}),
    } satisfies HistoryAnswer);
  });

  // The recently deleted entries with their last content, in one request for the screen that lists them.
  app.get('/deleted', (c) => {
    const { user } = requireUser(c);
    const query = parseWith(DeletedQuery, { logbookId: c.req.query('logbookId') }, 'query');
    const { logbook } = requireRole(db, query.logbookId, user.id, ANY_ROLE);
    const { entries, more } = recentlyDeleted(db, logbook.id, clock.now());
    return c.json({
      entries: entries.map((e) => ({
        ...e,
        deletedAt: isoTime(e.deletedAt),
        updatedAt: e.updatedAt === null ? null : isoTime(e.updatedAt),
      })),
      more,
    } satisfies DeletedAnswer);
  });

  return app;
}
