// The outbox's due order in memory: the worker's jobs by push-service host, then by account,
// each a queue in id order, with a heap for the ones not due yet. A pick goes round the hosts
// and, at a host, round its accounts, skipping those with their share in flight: its cost
// depends on what is in flight, never on how many jobs wait. Rebuilt from SQLite at start.
import type { JobKey } from './outbox.ts';

/** A first-in first-out queue that keeps its memory compact as it is taken from. */
export class Fifo<T> {
  #items: T[] = [];
  #head = 0;
  get length(): number {
    return this.#items.length - this.#head;
  }
  push(item: T): void {
    this.#items.push(item);
  }
  shift(): T | undefined {
    // Without this guard an empty queue would write and take back one empty slot: shift() gives the
    // same undefined and length stays 0, so its `false` and `>` mutants change nothing.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: see above
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head]!;
    this.#items[this.#head++] = undefined as T;
    // When (and whether) the queue compacts changes only the memory it holds, never what shift() returns.
    // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator,ArithmeticOperator,BlockStatement: memory only, see above
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
}

/** One host's ready jobs: a queue per account, and the accounts in turn. */
interface HostQueue {
  byUser: Map<string, Fifo<JobKey>>;
  turns: Fifo<string>;
}

export class DueBoard {
  readonly #hosts = new Map<string, HostQueue>();
  readonly #hostTurns = new Fifo<string>();
  /** Jobs not due yet, a binary min-heap on dueAt (then id). */
  readonly #waiting: JobKey[] = [];
  #ready = 0;

  /** Jobs on the board, due or not. */
  get size(): number {
    return this.#ready + this.#waiting.length;
  }

  /** When the first job not due at `now` becomes due (call promote(now) first). */
  nextDueAt(): number | undefined {
    return this.#waiting[0]?.dueAt;
  }

  add(job: JobKey, now: number): void {
    if (job.dueAt <= now) this.#addReady(job);
    else this.#heapPush(job);
  }

  /** Moves every waiting job due by `now` to the ready queues. */
  promote(now: number): void {
    for (let job = this.#popDue(now); job; job = this.#popDue(now)) this.#addReady(job);
  }

  /** The first waiting job, taken off the heap, if it is due by `now`. */
  #popDue(now: number): JobKey | undefined {
    const first = this.#waiting[0];
    return first && first.dueAt <= now ? this.#heapPop() : undefined;
  }

  /**
   * The next due job in turn whose host and account may take one more delivery, taken off the
   * board; undefined when every due job's host or account has its share in flight. Skipped
   * hosts and accounts keep their place in the turn order.
   */
  pick(hostHasRoom: (host: string) => boolean, userHasRoom: (userId: string) => boolean): JobKey | undefined {
    for (let h = this.#hostTurns.length; h > 0; h--) {
      const host = this.#hostTurns.shift()!;
      const queue = this.#hosts.get(host)!;
      if (!hostHasRoom(host)) {
        this.#hostTurns.push(host);
        continue;
      }
      for (let u = queue.turns.length; u > 0; u--) {
        const userId = queue.turns.shift()!;
        if (!userHasRoom(userId)) {
          queue.turns.push(userId);
          continue;
        }
        const jobs = queue.byUser.get(userId)!;
        const job = jobs.shift()!;
        this.#ready--;
        if (jobs.length > 0) queue.turns.push(userId);
        else queue.byUser.delete(userId);
        if (queue.turns.length > 0) this.#hostTurns.push(host);
        else this.#hosts.delete(host);
        return job;
      }
      this.#hostTurns.push(host);
    }
    return undefined;
  }

  #addReady(job: JobKey): void {
    let queue = this.#hosts.get(job.host);
    if (!queue) {
      queue = { byUser: new Map(), turns: new Fifo() };
      this.#hosts.set(job.host, queue);
      this.#hostTurns.push(job.host);
    }
    let jobs = queue.byUser.get(job.userId);
    if (!jobs) {
      jobs = new Fifo();
      queue.byUser.set(job.userId, jobs);
      queue.turns.push(job.userId);
    }
    jobs.push(job);
    this.#ready++;
  }

  // The heap's sift steps recurse (depth log2 of the board, at most 17 at its bound) rather than
  // loop, so that a step that never ends overflows the stack instead of hanging.
  #heapPush(job: JobKey): void {
    this.#waiting.push(job);
    this.#siftUp(this.#waiting.length - 1);
  }

  #siftUp(i: number): void {
    const heap = this.#waiting;
    if (i === 0) return;
    const parent = (i - 1) >> 1;
    if (!before(heap[i]!, heap[parent]!)) return;
    [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
    this.#siftUp(parent);
  }

  #heapPop(): JobKey | undefined {
    const heap = this.#waiting;
    const last = heap.length - 1;
    // The first goes last and is taken; the last, now first, sinks to its place (none when empty).
    [heap[0], heap[last]] = [heap[last]!, heap[0]!];
    const top = heap.pop();
    this.#siftDown(0);
    return top;
  }

  #siftDown(i: number): void {
    const heap = this.#waiting;
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
    if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
    if (m === i) return;
    [heap[i], heap[m]] = [heap[m]!, heap[i]!];
    this.#siftDown(m);
  }
}

const before = (a: JobKey, b: JobKey) =>
  a.dueAt < b.dueAt ||
  (a.dueAt === b.dueAt &&
    // Stryker disable next-line EqualityOperator: a job is on the board once, so two ids compared here are never equal (`<=` is `<`)
    a.id < b.id);
