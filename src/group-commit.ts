// Group commit: writes queued in the same turn of the event loop share one transaction, so
// with synchronous=FULL they share one fsync. Each write runs in its own savepoint, so one that
// throws is undone alone and the others still commit; none is settled before the COMMIT.
import { setImmediate } from 'node:timers';
import { transaction, type Db } from './db.ts';

interface Job {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Writes per transaction at most: a bound on how long one batch holds the event loop. */
export const MAX_BATCH = 64;

/**
 * Why a batch is worth it: one fsync costs about 200 µs of CPU and 1 ms or more of waiting on
 * this machine's disk (bench/http.bench.ts), far more than the writes themselves. With several
 * crew uploading at once, one commit carries all of their requests.
 */
export class GroupCommit {
  readonly #db: Db;
  #queue: Job[] = [];
  #scheduled = false;
  /** Transactions committed and writes in them, for the bench and tests. */
  readonly stats = { batches: 0, writes: 0 };

  constructor(db: Db) {
    this.#db = db;
  }

  /**
   * Runs fn (synchronous, writing through the same database) in the next group transaction;
   * resolves with its result once that transaction is committed, or rejects with what fn threw
   * (its writes undone) or with why the commit failed (then nothing of the batch is kept).
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
    let outcomes: Outcome[];
    try {
      db.exec('BEGIN IMMEDIATE');
      outcomes = batch.map((job) => this.#runInSavepoint(job));
      db.exec('COMMIT');
    } catch (error) {
      // BEGIN or COMMIT failed (busy, disk full), or SQLite abandoned the transaction under a
      // write: nothing of this batch is kept, so every write in it fails.
      if (db.isTransaction) db.exec('ROLLBACK');
      for (const job of batch) job.reject(error);
      return;
    }
    this.stats.batches++;
    this.stats.writes += batch.length;
    batch.forEach((job, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    });
  }

  /** One write alone needs no savepoint: the transaction is its own. */
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

  #runInSavepoint(job: Job): Outcome {
    const db = this.#db;
    db.exec('SAVEPOINT group_write');
    try {
      const value = job.fn();
      db.exec('RELEASE group_write');
      return { ok: true, value };
    } catch (error) {
      // Still inside the transaction: undo this write alone. If SQLite ended the transaction
      // itself (a full disk can), the writes before this one are gone too: fail the batch.
      if (!db.isTransaction) throw error;
      db.exec('ROLLBACK TO group_write');
      db.exec('RELEASE group_write');
      return { ok: false, error };
    }
  }
}
