// What the app does each time it is opened, for a device that heals and a badge that clears:
// at every start (signed in) and when it comes back to the foreground, the badge is cleared
// and the server told the changes were seen; the push subscription is sent again at every
// start and when the app comes back after a day (a rotated VAPID key renews it too).
import { api } from './api.ts';
import { resendSubscription, subscriptionSentAt } from './push.ts';

/** After this long in the background, coming back sends the subscription again. */
export const RESEND_AFTER_MS = 24 * 3_600_000;

type BadgingNavigator = Navigator & { clearAppBadge?: () => Promise<void> };

/** The app is in front of its user: the badge goes, and the badge count starts again at 0. */
export async function appOpened(): Promise<void> {
  await (navigator as BadgingNavigator).clearAppBadge?.().catch(() => undefined);
  await api.seen();
}

/** Call once the session is known to be signed in. */
export function keepDeviceAlive(signedIn: () => boolean): void {
  const opened = () => void appOpened().catch(() => undefined);
  const resend = () => void resendSubscription().catch(() => undefined);
  opened();
  resend();
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState !== 'visible' || !signedIn()) return;
    opened();
    if (Date.now() - subscriptionSentAt() >= RESEND_AFTER_MS) resend();
  });
}
