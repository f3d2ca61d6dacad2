// Request bodies are read only after the session and rate limits are known, never beyond
// their limit, and only a few large ones at once, so a flood of uploads cannot fill memory.
import type { Context, MiddlewareHandler } from 'hono';
import { AppError, invalidRequest, tooLarge } from './errors.ts';
import type { AppEnv } from './deps.ts';
import { UPLOAD_BODY_MAX_BYTES } from '../wire/limits.ts';
import { nodeIncoming, requestHeader } from './request-headers.ts';

const KiB = 1024;

/** API.md: a sync upload is at most 4 MiB; everything else, and anything without a session, 64 KiB. */
export const BODY_LIMITS = { small: 64 * KiB, sync: UPLOAD_BODY_MAX_BYTES };

/** Large bodies read at once, and how long and how many more may wait for a slot. */
export const LARGE_BODIES = { slots: 4, waitMs: 5_000, maxWaiting: 32 };

/** Set on a request by the Node server when it holds back `100 Continue` (server.ts). */
export const AWAITING_CONTINUE = Symbol.for('crewbell.awaitingContinue');

/**
 * A counting semaphore whose waiters give up after a while, shared fairly: one holder (an
 * account) holds at most one slot, its further requests wait behind it, so one account's
 * slow uploads cannot take every slot while others wait.
 */
export class Slots {
  #free: number;
  readonly #waiting: Array<{ holder: string; wake: (got: boolean) => void }> = [];
  readonly #maxWaiting: number;
  /** Slots held, by holder. */
  readonly #held = new Map<string, number>();

  constructor(size: number, maxWaiting: number) {
    this.#free = size;
    this.#maxWaiting = maxWaiting;
  }

  acquire(waitMs: number, holder = ''): Promise<boolean> {
    if (this.#free > 0 && !this.#held.has(holder)) {
      this.#take(holder);
      return Promise.resolve(true);
    }
    if (this.#waiting.length >= this.#maxWaiting) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const i = this.#waiting.indexOf(waiter);
        if (i >= 0) this.#waiting.splice(i, 1);
        resolve(false);
      }, waitMs);
      const waiter = {
        holder,
        wake: (got: boolean) => {
          clearTimeout(timer);
          resolve(got);
        },
      };
      this.#waiting.push(waiter);
    });
  }

  release(holder = ''): void {
    // Stryker disable next-line LogicalOperator: a holder holds at most one slot (acquire and release hand one only to a holder holding none), so left is 0, or NaN for `&& 1`: released either way
    const left = (this.#held.get(holder) ?? 1) - 1;
    // Stryker disable next-line CallExpression: left is never above 0 (one slot at most per holder)
    if (left > 0) this.#held.set(holder, left);
    else this.#held.delete(holder);
    this.#free++;
    // The longest waiter whose holder holds no slot now gets the freed one.
    const i = this.#waiting.findIndex((w) => !this.#held.has(w.holder));
    if (i < 0) return;
    const [next] = this.#waiting.splice(i, 1);
    this.#take(next!.holder);
    next!.wake(true);
  }

  #take(holder: string): void {
    this.#free--;
    // Stryker disable next-line ArithmeticOperator,LogicalOperator: a holder takes a slot only while holding none, so any count stored here reads as held and is deleted on release
    this.#held.set(holder, (this.#held.get(holder) ?? 0) + 1);
  }
}

/** The body, passed through until it exceeds limit (then a 413 to whoever reads it). */
function limitedBody(
  source: ReadableStream<Uint8Array>,
  limit: number,
  beforeFirstRead: () => void,
): ReadableStream<Uint8Array> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let size = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!reader) {
          beforeFirstRead();
          reader = source.getReader();
        }
        const { done, value } = await reader.read();
        if (done) return controller.close();
        size += value.byteLength;
        // Stop reading without cancelling: cancelling would reset the socket before the 413
        // is read; the server drains the rest after answering (lingering close, server.ts).
        if (size > limit) {
          // Stryker disable next-line CallExpression: nothing reads the source after the cut (the server drains Node's request through the Node stream, which this lock does not hold)
          reader.releaseLock();
          return controller.error(tooLarge(limit));
        }
        controller.enqueue(value);
      },
    },
    { highWaterMark: 0 },
  );
}

/** Requests whose body bodyGuard replaced with a limited stream: those are read through it. */
const limitedBodies = new WeakSet<Context>();

/** Bodies read straight from Node's request, for a second read of the same request. */
const readBodies = new WeakMap<Context, Promise<string>>();

/** UTF-8 as `Request.text()` decodes it: a leading BOM dropped, bad bytes replaced. */
const utf8 = new TextDecoder();

/**
 * The body as text. Under Node, one that bodyGuard left alone (a Content-Length within the
 * limit) is read straight from Node's request: through the web Request it first gets a
 * Request and a web stream built around it, which cost more than the whole sync upload's
 * transaction. Read once; a later call gets the same text.
 */
export function bodyText(c: Context): Promise<string> {
  const read = readBodies.get(c);
  if (read) return read;
  const incoming = nodeIncoming(c);
  if (!incoming || limitedBodies.has(c) || incoming.readableDidRead) return c.req.text();
  const text = new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    // Stryker disable next-line ConditionalExpression: Buffer.concat of a single chunk holds the same bytes (the shortcut saves a copy)
    incoming.once('end', () => resolve(utf8.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks))));
    // A connection cut mid-body (Node's `aborted` error, then `close`) is the client's doing,
    // the same 400 either way: not a server error in the log for every upload lost on the way.
    const cut = () => reject(invalidRequest('body: the connection closed before the body was complete'));
    // Stryker disable next-line StringLiteral: IncomingMessage emits 'error' only to a listener; without one, 'close' gives the same 400
    incoming.once('error', cut);
    incoming.once('close', () => {
      if (!incoming.complete) cut();
    });
  });
  readBodies.set(c, text);
  return text;
}

/** Asks a client that sent `Expect: 100-continue` for its body, now that it will be read. */
function sendContinue(c: Context): void {
  const env = c.env as { incoming?: Record<symbol, unknown>; outgoing?: { writeContinue?(): void } } | undefined;
  if (env?.incoming?.[AWAITING_CONTINUE]) {
    env.incoming[AWAITING_CONTINUE] = false;
    env.outgoing?.writeContinue?.();
  }
}

/** Whether the Node server holds back `100 Continue` for this request (server side of sendContinue). */
function awaitingContinue(c: Context): boolean {
  return Boolean((c.env as { incoming?: Record<symbol, unknown> } | undefined)?.incoming?.[AWAITING_CONTINUE]);
}

/**
 * Guards every body: refuses one declared too large before reading it, cuts one streamed too
 * large at the limit, and holds a slot while a large one (above 64 KiB or of unknown length)
 * is read. Mounted after the session and the rate limits, so none of that is spent on a
 * refused request. A body with a Content-Length within the limit is left as it is (Node's
 * parser never passes more than declared), unless its client waits for `100 Continue`:
 * touching the body of a Node request builds a whole web Request, which costs more than
 * most handlers.
 */
export function bodyGuard(limitFor: (c: Context<AppEnv>) => number, slots: Slots): MiddlewareHandler<AppEnv> {
  const guarded: MiddlewareHandler<AppEnv> = async (c, next) => {
    const header = requestHeader(c, 'content-length');
    const chunked = requestHeader(c, 'transfer-encoding') !== undefined;
    // Over HTTP/1.1 a body comes with one of the two; app.request() may build one without.
    if (header === undefined && !chunked && !c.req.raw.body) return next();
    const limit = limitFor(c);
    // Stryker disable next-line MethodExpression: both Headers and Node's parser strip the spaces around a value, so trim() finds none
    if (header !== undefined && !/^\d{1,15}$/.test(header.trim())) throw invalidRequest('Content-Length: not a number');
    const declared = header === undefined || chunked ? undefined : Number(header);
    if (declared !== undefined && declared > limit) throw tooLarge(limit);
    if (declared === 0) return next();
    const large = limit > BODY_LIMITS.small && (declared === undefined || declared > BODY_LIMITS.small);
    // Only a signed-in sync upload may be large: its account is the holder.
    const holder = c.get('user')?.id ?? '';
    if (large && !(await slots.acquire(LARGE_BODIES.waitMs, holder))) {
      throw new AppError(503, 'server_busy', 'too many uploads at once; try again in a few seconds', {
        'Retry-After': '5',
      });
    }
    try {
      const source = declared === undefined || awaitingContinue(c) ? c.req.raw.body : null;
      if (source) {
        limitedBodies.add(c);
        c.req.raw = new Request(c.req.raw, {
          body: limitedBody(source, limit, () => sendContinue(c)),
          duplex: 'half',
        } as RequestInit);
      }
      await next();
    } finally {
      if (large) slots.release(holder);
    }
  };
  // GET and HEAD never touch the body: answered without an async step.
  return (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : guarded(c, next));
}

/** The limit of this request: 4 MiB for a signed-in sync upload, else 64 KiB. */
export function bodyLimitFor(c: Context<AppEnv>): number {
  return c.get('user') && c.req.method === 'POST' && c.req.path === '/api/sync/push'
    ? BODY_LIMITS.sync
    : BODY_LIMITS.small;
}
