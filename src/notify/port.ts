// The notify port: what sync reports after each upload, inside its transaction. notify owns it
// and implements it (scheduler.ts); sync only holds the type and gets the sink injected.
import type { ChangeCounts } from '../wire/notification.ts';

export interface LogbookChange {
  logbookId: string;
  /** Successful items in one request by one member (OWNER or WRITE). */
  count: number;
  /** The same items by action (for the message's data.counts). */
  counts?: ChangeCounts;
  /** Who made them: never notified of them, named in the message's data.by. */
  writerId?: string;
}

export type { ChangeCounts } from '../wire/notification.ts';

export interface ChangeSink {
  record(change: LogbookChange): void;
}
