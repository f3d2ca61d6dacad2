// What the service worker does with a push, apart from the worker's globals so that tests
// can run it with plain objects: read the message (a declarative one, where the browser
// hands over `event.notification`, or a classic one), word it on the device within a time
// box, and always show a notification: a push never stays silent. Then the badge.

/** The message as the server sends it (API.md "The push message"); everything optional. */
export interface PushMessage {
  web_push?: number;
  notification?: { title?: string; body?: string; navigate?: string; tag?: string; lang?: string };
  app_badge?: number;
  title?: string;
  body?: string;
  tag?: string;
  icon?: string;
  badge?: string;
  renotify?: boolean;
  data?: { url?: string; [key: string]: unknown };
}

/** The parts of a PushEvent this reads: its data, and the proposed notification of a declarative push. */
export interface PushEventLike {
  data?: { json(): unknown; text(): string } | null;
  notification?: { title?: string; body?: string; tag?: string; navigate?: string; data?: unknown } | null;
}

export interface PushDeps {
  /** The worker's origin: where a click may go. */
  origin: string;
  showNotification(title: string, options: NotificationOptions & { renotify?: boolean }): Promise<void>;
  /** Words a crew change with what the device holds (the logbook's title); may throw or hang. */
  enrich(data: Record<string, unknown>): Promise<string | undefined>;
  /** Words a watch or log reminder (`data.kind`): the logbook's name as title, the time on this device's clock. */
  enrichReminder?: ((data: Record<string, unknown>) => Promise<{ title?: string; body?: string }>) | undefined;
  /** navigator.setAppBadge / clearAppBadge where the browser has them. */
  setAppBadge?: ((count: number) => Promise<void>) | undefined;
  clearAppBadge?: (() => Promise<void>) | undefined;
  /** How long enrichment may take before the generic text is shown (default ENRICH_TIME_BOX_MS). */
  enrichTimeoutMs?: number;
}

/** Enrichment gets this long; then the generic text is shown. */
export const ENRICH_TIME_BOX_MS = 2_500;
const DEFAULT_ICON = '/icons/icon-192.png';
const DEFAULT_BADGE = '/icons/badge-96.png';

export interface Shown {
  title: string;
  body: string;
  tag: string | null;
  /** Where a click goes: a path on the origin. */
  url: string;
  badge: number | null;
  enriched: boolean;
}

function readMessage(event: PushEventLike): PushMessage {
  try {
    const json = event.data?.json();
    if (json && typeof json === 'object') return json as PushMessage;
  } catch {
    const text = event.data?.text();
    if (text) return { body: text };
  }
  return {};
}

/** A path on our origin for a navigate or url (absolute or a path); "/" for anything else. */
export function pathOnOrigin(url: unknown, origin: string): string {
  if (typeof url !== 'string' || url === '') return '/';
  try {
    const target = new URL(url, origin);
    if (target.protocol !== 'https:' && target.protocol !== 'http:') return '/';
    return target.pathname + target.search + target.hash;
  } catch {
    return '/';
  }
}

const text = (...values: unknown[]) => values.find((v): v is string => typeof v === 'string' && v !== '');

/** Resolves with what `work` gives, or undefined when it throws or takes longer than ms. */
export async function timeBoxed<T>(work: () => Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    // Started inside a promise: a work that throws before its first await is caught too.
    const done = Promise.resolve()
      .then(work)
      .catch(() => undefined);
    return await Promise.race([done, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Handles one push: always shows one notification, enriched when the device manages in time. */
export async function handlePush(event: PushEventLike, deps: PushDeps): Promise<Shown> {
  const message = readMessage(event);
  const proposed = event.notification ?? undefined;
  const declared = message.notification ?? {};
  const data = message.data && typeof message.data === 'object' ? message.data : {};
  let title = text(proposed?.title, declared.title, message.title) ?? 'crewbell';
  const tag = text(proposed?.tag, declared.tag, message.tag) ?? null;
  const url = pathOnOrigin(text(proposed?.navigate, declared.navigate, data.url), deps.origin);
  let body = text(proposed?.body, declared.body, message.body) ?? '';
  let enriched = false;
  if (tag?.startsWith('logbook-')) {
    const detail = await timeBoxed(() => deps.enrich(data), deps.enrichTimeoutMs ?? ENRICH_TIME_BOX_MS);
    if (detail) {
      body = detail;
      enriched = true;
    }
  } else if ((data.kind === 'watch' || data.kind === 'log') && deps.enrichReminder) {
    const reminder = deps.enrichReminder;
    const worded = await timeBoxed(() => reminder(data), deps.enrichTimeoutMs ?? ENRICH_TIME_BOX_MS);
    if (worded?.title) title = worded.title;
    if (worded?.body) body = worded.body;
    enriched = !!(worded?.title || worded?.body);
  }
  const options: NotificationOptions & { renotify?: boolean } = {
    body,
    icon: message.icon ?? DEFAULT_ICON,
    badge: message.badge ?? DEFAULT_BADGE,
    data: { ...data, url },
  };
  if (tag) {
    options.tag = tag;
    options.renotify = message.renotify ?? false;
  }
  if (lang(declared.lang)) options.lang = declared.lang!;
  await deps.showNotification(title, options);
  const badge = typeof message.app_badge === 'number' && message.app_badge >= 0 ? Math.floor(message.app_badge) : null;
  if (badge !== null) {
    // The badge is a nicety: a browser that refuses it must not fail the push.
    try {
      if (badge > 0) await deps.setAppBadge?.(badge);
      else await deps.clearAppBadge?.();
    } catch {
      // ignored
    }
  }
  return { title, body, tag, url, badge, enriched };
}

const lang = (value: unknown) => typeof value === 'string' && /^[a-z]{2}(-[A-Za-z]{2})?$/.test(value);

/** Where a click on a notification goes: its url (a path), or a navigate of a declarative one. */
export function clickTarget(data: unknown, navigate: unknown, origin: string): string {
  const url = data && typeof data === 'object' ? (data as { url?: unknown }).url : undefined;
  return pathOnOrigin(text(url, navigate), origin);
}
