// The watch plan wire (API.md "Logbooks and crew", watches): the body the owner PUTs and the
// plan every member GETs. Times are ISO 8601; who stands a watch is a list of user ids.
import * as v from 'valibot';
import type { IsoTime } from './fields.ts';
import { isTimeZone } from './notify.ts';

export const MAX_WATCHES = 200;
export const MAX_WATCH_MS = 24 * 3_600_000;
export const MAX_WATCH_MEMBERS = 20;
export const DEFAULT_BEFORE_MINUTES = 10;

const Instant = v.pipe(
  v.string('must be a string'),
  v.maxLength(40, 'at most 40 characters'),
  v.check(
    (s) => /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(s) && !Number.isNaN(Date.parse(s)),
    'must be an ISO 8601 time with a zone, e.g. 2026-07-01T04:00:00Z',
  ),
);

const WatchBody = v.pipe(
  v.object({
    id: v.optional(
      v.pipe(v.string('must be a string'), v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 letters, digits, - or _')),
    ),
    startsAt: Instant,
    endsAt: Instant,
    members: v.pipe(
      v.array(v.string('must be a user id'), 'must be a list of user ids'),
      v.maxLength(MAX_WATCH_MEMBERS, `at most ${MAX_WATCH_MEMBERS} members`),
      v.check((m) => new Set(m).size === m.length, 'must not name a member twice'),
    ),
  }),
  v.check((w) => Date.parse(w.endsAt) > Date.parse(w.startsAt), 'endsAt must be after startsAt'),
  v.check((w) => Date.parse(w.endsAt) - Date.parse(w.startsAt) <= MAX_WATCH_MS, 'a watch is at most 24 h'),
);

/** PUT /api/logbooks/:id/watches */
export const WatchPlanBody = v.object({
  underWay: v.optional(v.boolean('must be true or false'), false),
  watches: v.pipe(
    v.array(WatchBody, 'must be a list of watches'),
    v.maxLength(MAX_WATCHES, `at most ${MAX_WATCHES} watches`),
    v.check((ws) => {
      const ids = ws.map((w) => w.id).filter((id) => id !== undefined);
      return new Set(ids).size === ids.length;
    }, 'two watches have the same id'),
  ),
  reminders: v.optional(
    v.object({
      beforeMinutes: v.optional(
        v.pipe(
          v.number('must be a number'),
          v.integer('must be a whole number'),
          v.minValue(0, 'at least 0 (0 = off)'),
          v.maxValue(120, 'at most 120'),
        ),
        DEFAULT_BEFORE_MINUTES,
      ),
      logEveryMinutes: v.optional(
        v.nullable(
          v.pipe(
            v.number('must be a number or null'),
            v.integer('must be a whole number'),
            v.minValue(1, 'at least 1 (null = off)'),
            v.maxValue(720, 'at most 720'),
          ),
        ),
        null,
      ),
    }),
    { beforeMinutes: DEFAULT_BEFORE_MINUTES, logEveryMinutes: null },
  ),
  /** The planner's IANA zone: reminder texts use it for members who set none (quiet hours). */
  timeZone: v.optional(
    v.nullable(
      v.pipe(
        v.string('must be a string'),
        v.maxLength(64, 'at most 64 characters'),
        v.check(isTimeZone, 'must be an IANA time zone such as Europe/Berlin'),
      ),
    ),
    null,
  ),
});

export type WatchPlanInput = v.InferOutput<typeof WatchPlanBody>;

export interface Watch {
  id: string;
  startsAt: IsoTime;
  endsAt: IsoTime;
  members: string[];
}

/** GET and PUT /api/logbooks/:id/watches */
export interface WatchPlan {
  underWay: boolean;
  watches: Watch[];
  reminders: { beforeMinutes: number; logEveryMinutes: number | null };
  timeZone: string | null;
}

/** `data` of a watch or log reminder (tag `watch-<logbookId>` / `log-<logbookId>`). */
export type WatchReminderData =
  | { kind: 'watch'; url: string; logbookId: string; watchId: string; startsAt: IsoTime; endsAt: IsoTime }
  | { kind: 'log'; url: string; logbookId: string; everyMinutes: number };
