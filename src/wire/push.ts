// The Web Push wire (API.md "Push"): the caller's devices and test pushes (the prefs are
// notify's: wire/notify.ts).
// The subscription body keeps its schema in src/push (it checks keys with server crypto).
import * as v from 'valibot';
import { Uuid, type IsoTime } from './fields.ts';
import type { Locale } from './languages.ts';

export type { Locale };

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
