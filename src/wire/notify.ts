// The notification wire (API.md "Push" prefs, "Logbooks and crew" notifications, the account's
// email): what decides whether, and how, a member hears about changes by others.
import * as v from 'valibot';

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
  emailWhenNoPush: v.optional(v.boolean('must be true or false')),
});

export interface QuietHours {
  /** "HH:MM", 24-hour clock. */
  from: string;
  to: string;
  /** IANA name, e.g. "Europe/Berlin". */
  timeZone: string;
}

/** GET and PUT /api/push/prefs */
export interface NotifyPrefs {
  /** The account switch: changes by others notify this member at all. */
  collaboratorChangesEnabled: boolean;
  quietHours: QuietHours | null;
  /** An email when no device can take a notification (only with a verified address). */
  emailWhenNoPush: boolean;
}

/** PUT /api/logbooks/:id/notifications */
export const LogbookNotificationsBody = v.object({ enabled: v.boolean('must be true or false') });

/** GET and PUT /api/logbooks/:id/notifications: whether changes by others in this logbook notify the caller. */
export type LogbookNotifications = v.InferOutput<typeof LogbookNotificationsBody>;

/** An address a relay takes: one @, no spaces or angle brackets, at most 254 characters (RFC 5321). */
export const EmailAddress = v.pipe(
  v.string('must be a string'),
  v.trim(),
  v.maxLength(254, 'at most 254 characters'),
  v.regex(
    /^[^\s@<>()",;:\\[\]]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/,
    'must be an email address like anna@example.org',
  ),
);

/** PUT /api/account/email; `locale` (the app's language) beats Accept-Language for the emails' language. */
export const AccountEmailBody = v.object({
  email: EmailAddress,
  locale: v.optional(v.pipe(v.string('must be a string'), v.regex(/^[a-z]{2}$/, 'must be a language code like "de"'))),
});

/** POST /api/account/email/verify */
export const VerifyEmailBody = v.object({
  token: v.pipe(v.string('must be a string'), v.regex(/^[A-Za-z0-9_-]{20,64}$/, 'must be a verification token')),
});

/** GET /api/account/email (and the answer of verify). */
export type AccountEmail = { email: string; verified: boolean } | { email: null };
