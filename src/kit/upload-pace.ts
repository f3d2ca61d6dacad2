// A request body must keep moving: a sailor on marina Wi-Fi may take minutes over a 4 MiB
// sync upload, but a body that stalls (or a Slowloris dripping bytes) is dropped.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** The least a body must move in each stall window to count as progress. */
export const UPLOAD_MIN_PROGRESS_BYTES = 1024;

/** Headers never get longer than this, however long the stall window is. */
export const HEADERS_MAX_MS = 15_000;

export interface UploadPace {
  /** A body moving less than UPLOAD_MIN_PROGRESS_BYTES in this long is dropped. */
  stallMs: number;
  /** Ceiling on receiving a whole request (Node's requestTimeout answers 408 after it). */
  totalMs: number;
}

/**
 * Node's server options for a pace: headers within the stall window (at most 15 s), the whole
 * request within the ceiling, and the sweep that enforces both often enough to matter.
 */
export function paceServerOptions(pace: UploadPace) {
  const headersTimeout = Math.min(HEADERS_MAX_MS, pace.stallMs, pace.totalMs);
  return {
    headersTimeout,
    requestTimeout: pace.totalMs,
    keepAliveTimeout: 5_000,
    connectionsCheckingInterval: Math.max(100, Math.min(5_000, Math.floor(headersTimeout / 4))),
  };
}

/**
 * Watches every request whose body is still arriving: each stall window the socket must have
 * read at least UPLOAD_MIN_PROGRESS_BYTES more, or the connection is dropped. Stops once the
 * body is in or the answer is sent (then the lingering close in early-answers.ts owns it).
 */
export function dropStalledBodies(server: Server, pace: UploadPace): void {
  // Deno's node:http serves without these hooks (its sockets are not Node's): skipped there.
  if (process.versions.deno) return;
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    // Bodiless requests (most of them) cost nothing here: `complete` is still false for them
    // when 'request' fires, so the framing headers decide.
    const length = req.headers['content-length'];
    if (req.complete || (req.headers['transfer-encoding'] === undefined && (length === undefined || length === '0')))
      return;
    const socket = req.socket;
    let last = socket.bytesRead;
    const watch = setInterval(() => {
      if (req.complete || res.writableFinished) return stop();
      const moved = socket.bytesRead - last;
      last = socket.bytesRead;
      if (moved < UPLOAD_MIN_PROGRESS_BYTES) {
        stop();
        socket.destroy();
      }
    }, pace.stallMs);
    watch.unref();
    const stop = () => clearInterval(watch);
    req.once('end', stop);
    req.once('close', stop);
    res.once('finish', stop);
    res.once('close', stop);
  });
}
