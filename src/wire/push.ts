// The Web Push wire (API.md "Push"): notification preferences and the caller's devices.
// The subscription body keeps its schema in src/push (it checks keys with server crypto).
import * as v from 'valibot';
import { Uuid, type IsoTime } from './fields.ts';

export type Locale = 'de' | 'en';

/**
 * The canonical spelling of a zone name Intl knows (`europe/BERLIN` → `Europe/Berlin`, the
 * same Intl the scheduler computes with); undefined for an unknown name or an offset
 * (`+01:00`, `-0500`), which has no daylight saving and is not a place.
 */
export function canonicalTimeZone(name: string): string | undefined {
  if (!/^[A-Za-z]/.test(name)) return undefined;
  try {
    const canonical = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    return /^[A-Za-z]/.test(canonical) ? canonical : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the zone is an IANA name Intl knows (not an offset). */
export function isTimeZone(name: string): boolean {
  return canonicalTimeZone(name) !== undefined;
}

const ClockTime = v.pipe(
  v.string('must be a string'),
  v.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time "HH:MM" (00:00 to 23:59)'),
);

const QuietHoursBody = v.pipe(
  v.object({
    from: ClockTime,
    to: ClockTime,
    timeZone: v.pipe(
      v.string('must be a string'),
      v.maxLength(64, 'at most 64 characters'),
      v.check(isTimeZone, 'must be an IANA time zone such as Europe/Berlin (not an offset)'),
      v.transform((name) => canonicalTimeZone(name)!),
    ),
  }),
  v.check((q) => q.from !== q.to, 'from and to must differ'),
);

/** PUT /api/push/prefs: every field optional, the ones left out stay as they were. */
export const PrefsBody = v.object({
  collaboratorChangesEnabled: v.optional(v.boolean('must be true or false')),
  quietHours: v.optional(v.nullable(QuietHoursBody)),
});

export interface QuietHours {
  /** "HH:MM", 24-hour clock. */
  from: string;
  to: string;
  /** IANA name, e.g. "Europe/Berlin". */
  timeZone: string;
}

/** GET and PUT /api/push/prefs */
export interface PushPrefs {
  collaboratorChangesEnabled: boolean;
  quietHours: QuietHours | null;
}

/** PUT /api/logbooks/:id/notifications */
export const LogbookNotificationsBody = v.object({ enabled: v.boolean('must be true or false') });

/** GET and PUT /api/logbooks/:id/notifications: whether crew changes in this logbook notify the caller. */
export type LogbookNotifications = v.InferOutput<typeof LogbookNotificationsBody>;

/** GET /api/push/subscriptions: the caller's own devices. */
export interface MyDevice {
  id: string;
  endpoint: string;
  locale: Locale;
  createdAt: IsoTime;
  lastUsedAt: IsoTime | null;
}

/** GET /api/push/devices: one of the caller's devices and how it is doing. */
export interface DeviceStatus {
  id: string;
  /** The push service's host, e.g. "fcm.googleapis.com" (the whole endpoint identifies the device). */
  endpointHost: string;
  locale: Locale;
  createdAt: IsoTime;
  /** When the app last sent its subscription from this device (every start). */
  lastSeenAt: IsoTime | null;
  lastDeliveredAt: IsoTime | null;
  /** Deliveries to it fail (transiently, or refused but not yet for good). */
  failing: boolean;
  /** Why, in words, while failing (an addition to API.md's shape). */
  failingReason?: string;
}

/** POST /api/push/seen: the caller has seen the changes of one logbook, or of all. */
export const SeenBody = v.object({ logbookId: v.optional(Uuid) });

/** POST /api/push/test */
export interface TestQueued {
  queued: number;
}

/** PUT /api/push/subscription, as the PWA sends it (the server checks the keys are real P-256 and 16 bytes). */
export interface NewSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  expirationTime?: number | null;
  locale: Locale;
  /** The key the browser subscribed with (the server may keep it to spot a rotated key). */
  vapidPublicKey?: string;
}
