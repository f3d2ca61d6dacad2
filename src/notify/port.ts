// The notify port: what sync reports after each upload, inside its transaction. notify owns it
// and implements it (scheduler.ts); sync only holds the type and gets the sink injected.
import type { ChangeCounts } from '../wire/notification.ts';

export interface CrewChange {
  ownerId: string;
  logbookId: string;
  /** Successful items in one request by one crew member. */
  count: number;
  /** The same items by action (for the message's data.counts). */
  counts?: ChangeCounts;
  /** Who made them (for the message's data.by). */
  crewId?: string;
}

export type { ChangeCounts } from '../wire/notification.ts';

export interface CrewChangeSink {
  record(change: CrewChange): void;
}
