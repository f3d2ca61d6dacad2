// HTTP/1.1 by hand over a TCP socket, for what fetch hides: when an answer arrives while a
// body is still being sent, `Expect: 100-continue`, chunked uploads of any size, resets.
import net from 'node:net';
import { readFileSync } from 'node:fs';

export interface RawAnswer {
  /** Status of the first answer line (100 if the server sent `100 Continue`). */
  status: number;
  /** Everything the server sent, as text. */
  text: string;
  /** Bytes of body handed to the socket when the first answer line arrived. */
  sentWhenAnswered: number;
  /** Bytes of body sent in all before the socket closed. */
  sent: number;
  /** The socket ended with an error (a reset), not a close. */
  error?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Sends head, then body bytes in steps (chunked when the head says so) until `total` or
 * until the server closes. Until the answer arrives, each step waits up to stepWaitMs for it,
 * so "answered before N bytes were sent" does not depend on how loaded the machine is.
 */
export function rawUpload(
  port: number,
  head: string,
  total: number,
  options: { step?: number; stepWaitMs?: number; chunked?: boolean; stopOnAnswer?: boolean } = {},
): Promise<RawAnswer> {
  const step = options.step ?? 256 * 1024;
  const stepWaitMs = options.stepWaitMs ?? 500;
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    let sent = 0;
    let sentWhenAnswered = -1;
    let error: string | undefined;
    let closed = false;
    let wake: (() => void) | undefined;
    socket.on('data', (d) => {
      if (sentWhenAnswered < 0) sentWhenAnswered = sent;
      text += d.toString('latin1');
      wake?.();
    });
    socket.on('error', (err) => (error = (err as NodeJS.ErrnoException).code ?? err.message));
    socket.on('close', () => {
      closed = true;
      wake?.();
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, text, sentWhenAnswered, sent, error });
    });
    socket.once('connect', async () => {
      socket.write(head);
      const chunk = Buffer.alloc(step, 0x61);
      const frame = options.chunked
        ? Buffer.concat([Buffer.from(`${step.toString(16)}\r\n`), chunk, Buffer.from('\r\n')])
        : chunk;
      while (sent < total && !closed && !socket.destroyed && !socket.writableEnded) {
        if (options.stopOnAnswer && sentWhenAnswered >= 0) break;
        const flushed = socket.write(frame);
        sent += step;
        const waits: Promise<unknown>[] = [sleep(sentWhenAnswered < 0 ? stepWaitMs : 2_000)];
        if (sentWhenAnswered < 0) waits.push(new Promise<void>((r) => (wake = r)));
        if (!flushed) waits.push(new Promise((r) => socket.once('drain', r)));
        else if (sentWhenAnswered >= 0) waits[0] = Promise.resolve();
        await Promise.race(waits);
      }
      if (!closed && !socket.destroyed && options.chunked && sent >= total) socket.write('0\r\n\r\n');
      if (!closed) socket.end();
    });
  });
}

/** Head of a request; `Host` and the framing headers included. */
export function requestHead(method: string, path: string, headers: Record<string, string | number>): string {
  return `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
}

/** Resident memory of a process, in bytes (Linux). */
export function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (!kb) throw new Error(`no VmRSS for ${pid}`);
  return Number(kb) * 1024;
}

/**
 * A client that sends its whole body before it reads anything (as many simple HTTP clients
 * do), at a phone's pace: steps of `step` bytes every `paceMs`. If the server resets the
 * connection meanwhile, the kernel drops the answer that was waiting unread: status 0.
 */
export function sendThenRead(
  port: number,
  head: string,
  total: number,
  options: { step?: number; paceMs?: number } = {},
): Promise<RawAnswer> {
  const step = options.step ?? 64 * 1024;
  const paceMs = options.paceMs ?? 60;
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.pause();
    let text = '';
    let sent = 0;
    let error: string | undefined;
    socket.on('error', (err) => (error = (err as NodeJS.ErrnoException).code ?? err.message));
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, text, sentWhenAnswered: -1, sent, error });
    });
    socket.once('connect', async () => {
      socket.write(head);
      while (sent < total && !socket.destroyed) {
        socket.write(Buffer.alloc(Math.min(step, total - sent), 0x61));
        sent += Math.min(step, total - sent);
        await sleep(paceMs);
      }
      if (socket.destroyed) return;
      socket.on('data', (d) => (text += d.toString('latin1')));
      socket.resume();
    });
  });
}
