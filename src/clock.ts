// Time as a dependency: the scheduler, backoff, sessions and expiry take a Clock so that
// tests move time by hand instead of sleeping.
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, Math.max(0, Math.min(ms, 2 ** 31 - 1)));
    // Stryker disable next-line OptionalChaining: Node's timers always have unref (the fast tests run on Node); Deno's setTimeout answers a number without it, which the Deno tier (test/binary) covers
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * More timers than this firing in one advance() are a timer that keeps re-arming itself at or
 * before the end: a loop, which advance() reports instead of hanging the test.
 */
export const MAX_TIMERS_PER_ADVANCE = 10_000;

/** A clock for tests: time stands still until advance() moves it and fires due timers. */
export class ManualClock implements Clock {
  #now: number;
  #timers = new Map<number, { at: number; fn: () => void }>();
  #next = 1;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    // Stryker disable next-line UpdateOperator: ids only need to be distinct, and counting down gives distinct ids too
    const id = this.#next++;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }
  /** Timers still waiting. */
  get pending(): number {
    return this.#timers.size;
  }
  /**
   * Moves time forward by ms, firing each due timer in time order at its own time (those due
   * at the same time in the order they were set). Throws on a timer loop (MAX_TIMERS_PER_ADVANCE).
   */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (let fired = 0; fired <= MAX_TIMERS_PER_ADVANCE; fired++) {
      let first: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.#timers) if (entry[1].at <= end && (!first || entry[1].at < first[1].at)) first = entry;
      if (!first) {
        this.#now = end;
        return;
      }
      this.#timers.delete(first[0]);
      this.#now = Math.max(this.#now, first[1].at);
      first[1].fn();
    }
    throw new Error(`ManualClock: more than ${MAX_TIMERS_PER_ADVANCE} timers fired in one advance(), a timer loop`);
  }
}

export interface DueTimer {
  /** Arms the timer for dueAt unless it already waits for an earlier time. */
  armAt(dueAt: number): void;
  /** Clears the timer; nothing arms one afterwards. */
  stop(): void;
}

/**
 * One timer on the earliest due time, for work kept as due rows (the notify scheduler, the
 * watch bell): when it fires it runs `round`, which does what is due and answers the next
 * due time; a round that throws is reported and tried again `retryMs` later, not in a loop.
 * `ready` is asked before each round (a closed database: nothing to do, no retry).
 */
export function createDueTimer(
  clock: Clock,
  round: () => number | undefined,
  options: { retryMs: number; onError(error: Error): void; ready(): boolean },
): DueTimer {
  let timer: unknown;
  let timerAt = Infinity;
  let stopped = false;

  function armAt(dueAt: number): void {
    if (stopped || dueAt >= timerAt) return;
    clock.clearTimeout(timer);
    timerAt = dueAt;
    timer = clock.setTimeout(fire, dueAt - clock.now());
  }

  function fire(): void {
    timer = undefined;
    timerAt = Infinity;
    if (stopped || !options.ready()) return;
    try {
      const next = round();
      if (next !== undefined) armAt(next);
    } catch (err) {
      options.onError(err as Error);
      armAt(clock.now() + options.retryMs);
    }
  }

  return {
    armAt,
    stop() {
      stopped = true;
      clock.clearTimeout(timer);
      timer = undefined;
    },
  };
}
