// serve's first-start link: printed at start while the database has no account, and again
// whenever the account count returns to zero while the server runs (the last account
// deleted, through the app or `crewbell user delete`), so the server never stays locked.
import type { Db } from '../db.ts';
import { createFirstStartToken, needsFirstStartLink } from '../auth/users.ts';
import type { Io } from './command.ts';
import { printQr } from './qr.ts';

/** How often a running server looks whether the last account is gone (one indexed query). */
export const FIRST_START_CHECK_MS = 2_000;

/** Prints a first-start link (and its QR code on a terminal). */
export async function printFirstStartLink(io: Io, origin: string, token: string): Promise<void> {
  const link = `${origin}/signup?token=${token}`;
  io.out(
    'No account yet. Open this one-time link to make the admin account (it is replaced at the next start and dies once an account exists):',
  );
  if (io.isTTY) await printQr(io, link);
  io.out(link);
}

/** Every FIRST_START_CHECK_MS: a new link once no account and no live link are left. Returns the stop. */
export function watchForNoAccounts(db: Db, io: Io, origin: string, now: () => number): { name: string; stop(): void } {
  let busy = false;
  const timer = setInterval(() => {
    if (busy || !db.isOpen || !needsFirstStartLink(db, now())) return;
    const made = createFirstStartToken(db, now());
    if (!made) return;
    busy = true;
    void printFirstStartLink(io, origin, made.token).finally(() => (busy = false));
  }, FIRST_START_CHECK_MS);
  timer.unref();
  return { name: 'first-start link', stop: () => clearInterval(timer) };
}
