// Answers sent before the request body was read stay readable: the connection is marked
// `Connection: close`, half-closed, and the rest of the body drained for a bounded time
// (lingering close) — closing with unread input would make the kernel send a reset, and the
// client would lose the answer. `Expect: 100-continue` waits for the app (bodies.ts).
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { AWAITING_CONTINUE } from './bodies.ts';

/** How long, and how many bytes, a refused upload is drained before the socket is dropped. */
export const LINGER = { ms: 5_000, bytes: 8 * 1024 * 1024 };

const lingering = new WeakSet<Socket>();

/** Replaces the socket's destroySoon (what Node calls after a `Connection: close` answer). */
function lingerOnClose(req: IncomingMessage, socket: Socket): void {
  if (lingering.has(socket)) return;
  lingering.add(socket);
  let started = false;
  socket.destroySoon = function lingeringClose(this: Socket) {
    if (this.destroyed || started) return;
    started = true;
    // Half-close: the answer and our FIN go out; the client's remaining bytes are read and
    // dropped until it closes its side, or the time or byte budget runs out.
    if (this.writable) this.end();
    req.removeAllListeners('data');
    req.resume();
    const startBytes = this.bytesRead;
    const stop = () => {
      clearTimeout(timer);
      clearInterval(watch);
      this.destroy();
    };
    const timer = setTimeout(stop, LINGER.ms);
    const watch = setInterval(() => {
      if (this.bytesRead - startBytes > LINGER.bytes) stop();
    }, 100);
    timer.unref();
    watch.unref();
    this.once('end', stop);
    this.once('close', stop);
  } as Socket['destroySoon'];
}

/** On Node's http server: lingering close for early answers, and `100 Continue` left to the app. */
export function readableEarlyAnswers(server: Server): void {
  // Deno's node:http serves without these hooks (its sockets are not Node's): skipped there.
  if (process.versions.deno) return;
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    // A request without a body is complete before any answer: nothing to linger for (the
    // same framing test as upload-pace.ts), and no wrapper made per request.
    const length = req.headers['content-length'];
    if (req.complete || (req.headers['transfer-encoding'] === undefined && (length === undefined || length === '0')))
      return;
    const writeHead = res.writeHead;
    res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
      if (!req.complete && !this.headersSent) {
        this.setHeader('Connection', 'close');
        lingerOnClose(req, req.socket);
      }
      return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as ServerResponse['writeHead'];
  });
  // With a listener here Node does not send `100 Continue` itself: the body guard sends it
  // when the body is first read, so a refusal is the only answer a refused client gets.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    (req as unknown as Record<symbol, boolean>)[AWAITING_CONTINUE] = true;
    server.emit('request', req, res);
  });
}
