// Chromium cannot reach a real push service here, so only PushManager.subscribe and
// getSubscription are replaced (an init script): the subscription points at the local push
// service with keys the test holds, and remembers the applicationServerKey it was made with.
import type { PushServiceDevice } from './push-service.ts';

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
