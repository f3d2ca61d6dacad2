// The watch bell's port: what sync reports when entries arrive (which logbooks, never what
// they say) and what the watch routes report when a plan is saved. watch implements it (bell.ts).
export interface WatchBellPort {
  /** Entries of these logbooks were synced (inside the upload's transaction): log reminders count again. */
  entriesSynced(logbookIds: readonly string[]): void;
  /** A plan was saved; its earliest reminder is due at nextDue. */
  planSaved(nextDue: number | undefined): void;
}
