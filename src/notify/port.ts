// The notify port: what sync reports after each upload, inside its transaction. notify owns it
// and implements it (scheduler.ts); sync only holds the type and gets the sink injected.
export interface CrewChange {
  ownerId: string;
  logbookId: string;
  /** Successful items in one request by one crew member. */
  count: number;
}

export interface CrewChangeSink {
  record(change: CrewChange): void;
}
