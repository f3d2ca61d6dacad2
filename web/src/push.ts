// Web Push on this device: what the browser can do here, and subscribing or unsubscribing
// this device alone. The subscription goes to the server with the language, and again at
// every start (devices heal). Whether crew changes notify at all is the account's
// preference (api.setPrefs), never changed here.
import { api } from './api.ts';
import { fromBase64url, toBase64url } from './base64url.ts';
import { lang } from './i18n.ts';

export type PushSupport = 'unsupported' | 'ios-install' | 'denied' | 'prompt' | 'granted';

function isIos(): boolean {
  return (
    /iPad|iPhone|iPod/.test(navigator.userAgent) ||
    (navigator.userAgent.includes('Macintosh') && navigator.maxTouchPoints > 1)
  );
}

function isInstalled(): boolean {
  return (
    (navigator as { standalone?: boolean }).standalone === true || matchMedia('(display-mode: standalone)').matches
  );
}

export function pushSupport(): PushSupport {
  // iOS Safari offers push only to web apps added to the Home Screen.
  if (isIos() && !isInstalled()) return 'ios-install';
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window))
    return 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  return Notification.permission === 'granted' ? 'granted' : 'prompt';
}

async function registration(): Promise<ServiceWorkerRegistration> {
  return navigator.serviceWorker.ready;
}

export async function deviceSubscription(): Promise<PushSubscription | null> {
  if (pushSupport() === 'unsupported' || pushSupport() === 'ios-install') return null;
  return (await registration()).pushManager.getSubscription();
}

function madeWithKey(subscription: PushSubscription, publicKey: string): boolean {
  const key = subscription.options?.applicationServerKey;
  return !!key && toBase64url(new Uint8Array(key)) === publicKey;
}

/** This device's id on the server and when it last sent its subscription (localStorage). */
const DEVICE_ID = 'crewbell.pushDeviceId';
const SENT_AT = 'crewbell.pushSentAt';

/** The server's id for this device, once it has sent its subscription from here. */
export function thisDeviceId(): string | null {
  return localStorage.getItem(DEVICE_ID);
}

/** When this device last sent its subscription (0: never). */
export function subscriptionSentAt(): number {
  return Number(localStorage.getItem(SENT_AT)) || 0;
}

async function tellServer(subscription: PushSubscription): Promise<void> {
  const json = subscription.toJSON();
  const key = subscription.options?.applicationServerKey;
  const { id } = await api.putSubscription({
    endpoint: subscription.endpoint,
    keys: { p256dh: json.keys?.p256dh ?? '', auth: json.keys?.auth ?? '' },
    expirationTime: subscription.expirationTime ?? null,
    locale: lang(),
    ...(key ? { vapidPublicKey: toBase64url(new Uint8Array(key)) } : {}),
  });
  localStorage.setItem(DEVICE_ID, id);
  localStorage.setItem(SENT_AT, String(Date.now()));
}

/** A subscription made with the server's current key, replacing one made with an old key. */
async function subscribe(): Promise<PushSubscription> {
  const { publicKey } = await api.vapidKey();
  const reg = await registration();
  const existing = await reg.pushManager.getSubscription();
  if (existing && madeWithKey(existing, publicKey)) return existing;
  if (existing) {
    await api.deleteSubscription(existing.endpoint).catch(() => undefined);
    await existing.unsubscribe();
  }
  return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: fromBase64url(publicKey) });
}

/** Asks for permission, subscribes this device and tells the server. */
export async function subscribeDevice(): Promise<'on' | 'denied'> {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return 'denied';
  const subscription = await subscribe();
  await tellServer(subscription);
  return 'on';
}

/** Unsubscribes this device only: the account's other devices keep receiving. */
export async function unsubscribeDevice(): Promise<void> {
  const subscription = await deviceSubscription();
  if (subscription) {
    await api.deleteSubscription(subscription.endpoint);
    await subscription.unsubscribe();
  }
  localStorage.removeItem(DEVICE_ID);
}

/**
 * At every start and when the app comes back after a day: this device's subscription goes to
 * the server again (renewed first if made with an old key), so a device the server dropped
 * comes back by itself and the server knows it is alive. Returns whether it sent one.
 */
export async function resendSubscription(): Promise<boolean> {
  if (pushSupport() !== 'granted') return false;
  const existing = await (await registration()).pushManager.getSubscription();
  if (!existing) return false;
  const { publicKey } = await api.vapidKey();
  await tellServer(madeWithKey(existing, publicKey) ? existing : await subscribe());
  return true;
}

/** After sign-in: renew this device's subscription if it is missing or made with an old key. */
export async function renewPushAfterSignIn(): Promise<void> {
  if (pushSupport() !== 'granted') return;
  const prefs = await api.prefs();
  if (!prefs.collaboratorChangesEnabled) return;
  const { publicKey } = await api.vapidKey();
  const existing = await (await registration()).pushManager.getSubscription();
  if (existing && madeWithKey(existing, publicKey)) return;
  await tellServer(await subscribe());
}

/** The language of the device's subscription follows the app's language. */
export async function updateSubscriptionLanguage(): Promise<void> {
  const subscription = await deviceSubscription();
  if (subscription) await tellServer(subscription);
}

/** On sign-out, this device stops receiving the user's notifications. */
export async function forgetDeviceSubscription(): Promise<void> {
  const subscription = await deviceSubscription().catch(() => null);
  if (!subscription) return;
  await api.deleteSubscription(subscription.endpoint).catch(() => undefined);
  await subscription.unsubscribe().catch(() => false);
  localStorage.removeItem(DEVICE_ID);
}
