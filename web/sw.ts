// crewbell's service worker: keeps the app shell for offline use (one cache per build,
// older ones removed), shows push notifications (declarative or classic, always one) and the
// app badge, opens the right page on a click and renews the push subscription when the
// browser replaces it. A crew-change notification is
// worded here, on the device, when it holds the logbook's key (src/notification-detail.ts).
import { isLocale } from '../src/wire/languages.ts';
import { fromBase64url } from './src/base64url.ts';
import { idbStore } from './src/offline/idb.ts';
import { crewChangesDetail } from './src/notification-detail.ts';
import { reminderOnDevice } from './src/watch/notification.ts';
import { clickTarget, handlePush, type PushEventLike } from './src/push-event.ts';

declare const self: ServiceWorkerGlobalScope;
/** Filled in by build.ts: the shell's URLs and a hash of their contents. */
declare const __PRECACHE__: string[];
declare const __CACHE_VERSION__: string;

const CACHE_PREFIX = 'crewbell-shell-';
const CACHE = CACHE_PREFIX + __CACHE_VERSION__;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(__PRECACHE__))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(CACHE_PREFIX) && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  if (request.mode === 'navigate') {
    // Every app path is the same shell; the cached one opens instantly and offline.
    event.respondWith(caches.match('/index.html', { cacheName: CACHE }).then((hit) => hit ?? fetch(request)));
    return;
  }
  if (__PRECACHE__.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname, { cacheName: CACHE }).then((hit) => hit ?? fetch(request)));
  }
});

async function tellWindows(message: unknown): Promise<void> {
  for (const client of await self.clients.matchAll({ type: 'window', includeUncontrolled: true }))
    client.postMessage(message);
}

type BadgingNavigator = WorkerNavigator & {
  setAppBadge?: (count: number) => Promise<void>;
  clearAppBadge?: () => Promise<void>;
};

// Both shapes arrive here: a declarative push (Safari 18.4+, `mutable: true`) carries the
// proposed `event.notification`, a classic one only the JSON. Either way one notification is
// shown, worded on the device when that works within the time box (src/push-event.ts).
self.addEventListener('push', (event) => {
  const nav = self.navigator as BadgingNavigator;
  event.waitUntil(
    handlePush(event as unknown as PushEventLike, {
      origin: self.location.origin,
      showNotification: (title, options) => self.registration.showNotification(title, options),
      enrich: (data) => crewChangesDetail(data as Parameters<typeof crewChangesDetail>[0]),
      enrichReminder: (data) => reminderOnDevice(data),
      setAppBadge: nav.setAppBadge ? (n) => nav.setAppBadge!(n) : undefined,
      clearAppBadge: nav.clearAppBadge ? () => nav.clearAppBadge!() : undefined,
    }).then((shown) =>
      tellWindows({ type: 'notification-shown', tag: shown.tag, body: shown.body, url: shown.url, badge: shown.badge }),
    ),
  );
});

/**
 * The click logic in one place: a window already on the app is focused and sent to the
 * URL; with none open, a new one opens there.
 */
async function openFromNotification(url: string): Promise<void> {
  const target = new URL(url, self.location.origin);
  if (target.origin !== self.location.origin) return; // only our own pages
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows.find((c) => new URL(c.url).origin === self.location.origin);
  if (!open) {
    await self.clients.openWindow(target.href);
    return;
  }
  try {
    await open.focus();
  } catch {
    // focus is only allowed right after a real click; navigating still is
  }
  try {
    const moved = await open.navigate(target.href);
    if (moved) return;
  } catch {
    // an uncontrolled window cannot be navigated from here: ask the app to route itself
  }
  open.postMessage({ type: 'navigate', url: target.pathname + target.search + target.hash });
}

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const navigate = (event.notification as Notification & { navigate?: string }).navigate;
  event.waitUntil(openFromNotification(clickTarget(event.notification.data, navigate, self.location.origin)));
});

interface SubscriptionChangeEvent extends ExtendableEvent {
  readonly oldSubscription: PushSubscription | null;
  readonly newSubscription: PushSubscription | null;
}

async function resubscribe(event: SubscriptionChangeEvent): Promise<void> {
  let subscription = event.newSubscription;
  if (!subscription) {
    const { publicKey } = (await (await fetch('/api/push/vapid-public-key')).json()) as { publicKey: string };
    subscription = await self.registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: fromBase64url(publicKey),
    });
  }
  // Any of the contract's languages (the server words its generic text in it).
  const stored = await idbStore<string>('settings')
    .get('lang')
    .catch(() => undefined);
  const locale = isLocale(stored) ? stored : 'en';
  const json = subscription.toJSON();
  await fetch('/api/push/subscription', {
    method: 'PUT',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      endpoint: subscription.endpoint,
      keys: json.keys,
      expirationTime: subscription.expirationTime ?? null,
      locale,
    }),
  });
  const old = event.oldSubscription;
  if (old && old.endpoint !== subscription.endpoint) {
    await fetch('/api/push/subscription', {
      method: 'DELETE',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ endpoint: old.endpoint }),
    });
  }
}

self.addEventListener('pushsubscriptionchange', ((event: SubscriptionChangeEvent) => {
  event.waitUntil(resubscribe(event));
}) as EventListener);
