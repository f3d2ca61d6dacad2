// Group commit: writes queued in the same turn of the event loop share one transaction, so
// with synchronous=FULL they share one fsync; none is settled before its COMMIT. When one of
// them throws (or the COMMIT fails) the batch is rolled back and each write runs again in a
// transaction of its own, so only the one at fault fails. Savepoints would isolate them in
// place, but SQLite copies every page a savepoint changes into its statement journal: a
// batch of 100-entry uploads cost three times as much CPU per entry.
import { setImmediate } from 'node:timers';
import { transaction, type Db } from './db.ts';

interface Job {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** Writes per transaction at most: a bound on how long one batch holds the event loop. */
export const MAX_BATCH = 64;

/**
 * Why a batch is worth it: a FULL commit waits for an fsync (0.3 ms and more on this
 * machine's disk, bench/sync.bench.ts; far more on an SD card) and costs about 200 µs of CPU,
 * more than the writes themselves. With several crew uploading at once, one commit carries
 * all of their requests.
 */
export class GroupCommit {
  readonly #db: Db;
  #queue: Job[] = [];
  #scheduled = false;
  /** Transactions committed and the writes in them (the tests read it). */
  readonly stats = { batches: 0, writes: 0 };

  constructor(db: Db) {
    this.#db = db;
  }

  /**
   * Runs fn (synchronous, writing through the same database) in the next group transaction;
   * resolves with its result once that transaction is committed, or rejects with what fn threw
   * or why its commit failed, with none of its writes kept. fn may run twice (the first run
   * rolled back, when another write of its batch failed): it must do nothing outside the
   * database that a second run would get wrong.
   */
  run<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      const batch = this.#queue.splice(0, MAX_BATCH);
      if (this.#queue.length > 0) this.#schedule();
      this.#commit(batch);
    });
  }

  #commit(batch: Job[]): void {
    if (batch.length === 1) {
      this.#commitAlone(batch[0]!);
      return;
    }
    const db = this.#db;
    let values: unknown[];
    try {
      db.exec('BEGIN IMMEDIATE');
      values = batch.map((job) => job.fn());
      db.exec('COMMIT');
    } catch {
      // A write refused (a quota, say), SQLite gave up the transaction, or the COMMIT failed:
      // nothing of the batch is kept. Each write again on its own, so only the one at fault fails.
      if (db.isTransaction) db.exec('ROLLBACK');
      for (const job of batch) this.#commitAlone(job);
      return;
    }
    this.stats.batches++;
    this.stats.writes += batch.length;
    for (const [i, job] of batch.entries()) job.resolve(values[i]);
  }

  /** One write in its own transaction. */
  #commitAlone(job: Job): void {
    let value: unknown;
    try {
      value = transaction(this.#db, job.fn);
    } catch (error) {
      job.reject(error);
      return;
    }
    this.stats.batches++;
    this.stats.writes++;
    job.resolve(value);
  }
}
