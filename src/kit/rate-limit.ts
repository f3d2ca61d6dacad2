// Token buckets per client (or per user once signed in), in a bounded LRU: a flood of new
// addresses evicts the stalest buckets instead of growing memory; a timer prunes full ones.
import type { Clock } from '../clock.ts';

export interface RateLimit {
  /** Requests allowed in a burst. */
  burst: number;
  /** Tokens refilled per minute. */
  perMinute: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets kept per limit; the least recently used goes first beyond it. */
export const MAX_BUCKETS = 10_000;
export const PRUNE_EVERY_MS = 60_000;

export class RateLimiter {
  readonly limit: RateLimit;
  readonly maxSize: number;
  readonly #clock: Clock;
  /** Map order is use order: a hit moves its key to the end. */
  readonly #buckets = new Map<string, Bucket>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(limit: RateLimit, clock: Clock, maxSize = MAX_BUCKETS) {
    this.limit = limit;
    this.#clock = clock;
    this.maxSize = maxSize;
  }

  get size(): number {
    return this.#buckets.size;
  }

  /** Takes one token for key; returns 0 when allowed, else the seconds until the next token. */
  take(key: string): number {
    const now = this.#clock.now();
    const { burst, perMinute } = this.limit;
    const b = this.#buckets.get(key) ?? { tokens: burst, at: now };
    this.#buckets.delete(key);
    b.tokens = Math.min(burst, b.tokens + (Math.max(0, now - b.at) / 60_000) * perMinute);
    b.at = now;
    this.#buckets.set(key, b);
    if (this.#buckets.size > this.maxSize) this.#buckets.delete(this.#buckets.keys().next().value!);
    if (b.tokens < 1) return Math.max(1, Math.ceil(((1 - b.tokens) * 60) / perMinute));
    b.tokens -= 1;
    return 0;
  }

  /** Drops buckets that have refilled completely: forgetting them changes nothing. */
  prune(): void {
    const now = this.#clock.now();
    const { burst, perMinute } = this.limit;
    for (const [key, b] of this.#buckets) {
      if (b.tokens + ((now - b.at) / 60_000) * perMinute >= burst) this.#buckets.delete(key);
    }
  }

  /** Prunes every PRUNE_EVERY_MS; the timer never keeps the process alive. */
  start(): this {
    this.#timer ??= setInterval(() => this.prune(), PRUNE_EVERY_MS);
    this.#timer.unref?.();
    return this;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
