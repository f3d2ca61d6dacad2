// The declarative Web Push members (API.md "The push message", third edition): written
// into each message when it is queued, with `navigate` still a path, and made absolute on
// the public origin just before sending (the origin is known only once the server listens).
import type { DeclarativePushMessage, PushMessage } from '../wire/notification.ts';
import type { Locale } from './messages.ts';

/** Where a click on the message goes: its `data.url`, a path on the origin ("/" without one). */
function pathOf(message: PushMessage): string {
  const url = message.data.url;
  return typeof url === 'string' && url.startsWith('/') && !url.startsWith('//') ? url : '/';
}

/** The message with the declarative members; `navigate` is a path until withOrigin. */
export function declarative(message: PushMessage, lang: Locale, badge: number): DeclarativePushMessage {
  return {
    web_push: 8030,
    notification: { title: message.title, body: message.body, navigate: pathOf(message), tag: message.tag, lang },
    app_badge: badge,
    mutable: true,
    ...message,
  };
}

/**
 * A queued payload with `notification.navigate` made absolute on origin. A payload that is
 * not a declarative message (queued by an older crewbell) goes out as it is.
 */
export function withOrigin(payload: string, origin: string | undefined): string {
  if (!origin || !payload.includes('"web_push"')) return payload;
  let message: Partial<DeclarativePushMessage>;
  try {
    message = JSON.parse(payload) as Partial<DeclarativePushMessage>;
  } catch {
    return payload;
  }
  const navigate = message.notification?.navigate;
  if (typeof navigate !== 'string' || !navigate.startsWith('/') || navigate.startsWith('//')) return payload;
  message.notification!.navigate = new URL(navigate, origin).href;
  return JSON.stringify(message);
}

/**
 * withOrigin with a small memory: the jobs of one notification share a payload per
 * language, so a fan-out parses it once instead of once per device (about 13 µs each).
 */
export function originStamper(origin: () => string | undefined, size = 16): (payload: string) => string {
  const recent = new Map<string, string>();
  let recentOrigin: string | undefined;
  return (payload) => {
    const at = origin();
    if (!at) return payload;
    if (at !== recentOrigin) {
      recent.clear();
      recentOrigin = at;
    }
    let stamped = recent.get(payload);
    if (stamped === undefined) {
      stamped = withOrigin(payload, at);
      if (recent.size >= size) recent.delete(recent.keys().next().value!);
      recent.set(payload, stamped);
    }
    return stamped;
  };
}
