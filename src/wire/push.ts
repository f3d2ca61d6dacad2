// The Web Push wire (API.md "Push"): the caller's devices and test pushes (the prefs are
// notify's: wire/notify.ts).
// The subscription body keeps its schema in src/push (it checks keys with server crypto).
import type { IsoTime } from './fields.ts';

export type Locale = 'de' | 'en';

/** GET /api/push/subscriptions: the caller's own devices. */
export interface MyDevice {
  id: string;
  endpoint: string;
  locale: Locale;
  createdAt: IsoTime;
  lastUsedAt: IsoTime | null;
}

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
