// The Web Push message as the server sends it (encrypted for the device) and the service
// worker reads it. Visible texts stay generic; a crew change's details ride in `data`.

export interface ChangeCounts {
  create: number;
  update: number;
  delete: number;
}

export interface PushMessage {
  title: string;
  body: string;
  tag: string;
  renotify: boolean;
  data: Record<string, unknown>;
}

/** `data` of a crew-change message: where a click goes, and what the owner's device may word itself. */
export type CrewChangeData = {
  url: string;
  logbookId: string;
  changeCount: number;
  counts?: ChangeCounts;
  /** Usernames of the members who made the changes. */
  by?: string[];
  /** The one of them who is the logbook's skipper (owner), if any. */
  skipper?: string;
};

/**
 * Third edition: the same body as a declarative Web Push message (W3C Push API). A browser
 * that knows the format (Safari 18.4+) shows `notification` even with no service worker
 * running; `mutable` lets the service worker replace it with what it words on the device.
 * The classic members stay for service workers installed before.
 */
export interface DeclarativePushMessage extends PushMessage {
  web_push: 8030;
  notification: {
    title: string;
    body: string;
    /** Absolute, on the origin. */
    navigate: string;
    tag: string;
    lang: string;
  };
  /** Changes the recipient was notified of since they last opened the app (≤ 99). */
  app_badge: number;
  mutable: true;
}
