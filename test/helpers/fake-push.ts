// Chromium cannot reach a real push service here, so only PushManager.subscribe and
// getSubscription are replaced (an init script): the subscription points at the local push
// service with keys the test holds, and remembers the applicationServerKey it was made with.
import type { Page } from 'playwright-core';
import type { PushServiceDevice } from './push-service.ts';
import { waitFor } from './server.ts';

export const FAKE_PUSH_KEY_STORAGE = 'test.pushSubscriptionKey';

export function fakePushManager(subscription: PushServiceDevice['subscription']): string {
  return `(() => {
    const sub = ${JSON.stringify(subscription)};
    const KEY = ${JSON.stringify(FAKE_PUSH_KEY_STORAGE)};
    const toB64 = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
    const fromB64 = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)).buffer;
    const make = (key) => ({
      endpoint: sub.endpoint,
      expirationTime: null,
      options: { applicationServerKey: key, userVisibleOnly: true },
      getKey: (name) => fromB64(sub.keys[name]),
      toJSON: () => ({ endpoint: sub.endpoint, expirationTime: null, keys: sub.keys }),
      unsubscribe: async () => { localStorage.removeItem(KEY); return true; },
    });
    PushManager.prototype.subscribe = async function (options) {
      const key = new Uint8Array(options.applicationServerKey).buffer;
      localStorage.setItem(KEY, toB64(key));
      return make(key);
    };
    PushManager.prototype.getSubscription = async function () {
      const saved = localStorage.getItem(KEY);
      return saved ? make(fromB64(saved)) : null;
    };
  })();`;
}

/**
 * Delivers a push message, byte for byte, to the page's real service worker (CDP
 * `ServiceWorker.deliverPushMessage`) and resolves with the tag of the notification it
 * showed, once the worker says showNotification resolved. The listener is in place before
 * the push goes out, so a worker that answers quickly is never missed on a loaded machine.
 */
export async function deliverToWorker(page: Page, origin: string, payload: unknown): Promise<string> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const registrations: Array<{ registrationId: string; scopeURL: string; isDeleted: boolean }> = [];
    cdp.on('ServiceWorker.workerRegistrationUpdated', (event) => registrations.push(...event.registrations));
    await cdp.send('ServiceWorker.enable');
    const registration = await waitFor(
      () => registrations.find((r) => r.scopeURL === `${origin}/` && !r.isDeleted),
      'the service worker registration',
    );
    await page.evaluate(`window.__notificationShown = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no notification-shown message in 30 s')), 30000);
      navigator.serviceWorker.addEventListener('message', (event) => {
        if (event.data && event.data.type === 'notification-shown') { clearTimeout(timer); resolve(event.data.tag); }
      });
    }); true`);
    const shown = page.evaluate('window.__notificationShown') as Promise<string>;
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin,
      registrationId: registration.registrationId,
      data: JSON.stringify(payload),
    });
    return await shown;
  } finally {
    await cdp.detach();
  }
}
