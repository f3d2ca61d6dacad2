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
