// Long work in the page split into short pieces: between pieces the main thread is handed
// back, so taps and scrolling stay smooth while 10,000 entries are opened and written out.

/** Entries per piece: small enough that one piece stays well under 100 ms on a phone. */
export const CHUNK = 200;

/** How an export paces itself: entries read and opened per page, and the pause between pages. */
export interface Pace {
  pageSize: number;
  pause: () => Promise<void>;
}

/**
 * In the export worker nothing waits for the thread: large pages (fewer IndexedDB
 * transactions, more decrypts in flight at once) and no pauses.
 */
export const WORKER_PACE: Pace = { pageSize: 2000, pause: () => Promise.resolve() };

/** Lets the browser run input and rendering; a MessageChannel hop has no 4 ms timer clamp. */
export function yieldToUi(): Promise<void> {
  if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** On the page: short pieces with the main thread handed back between them. */
export const PAGE_PACE: Pace = { pageSize: CHUNK, pause: yieldToUi };

/** Maps `items` piece by piece, pausing between pieces. */
export async function mapInChunks<T, R>(
  items: readonly T[],
  fn: (item: T, index: number) => R,
  pause: () => Promise<void> = yieldToUi,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  for (let start = 0; start < items.length; start += CHUNK) {
    const end = Math.min(items.length, start + CHUNK);
    for (let i = start; i < end; i++) out[i] = fn(items[i]!, i);
    if (end < items.length) await pause();
  }
  return out;
}
