// The email worker's timer (src/email/worker.ts) on a real SQLite database: a refused email is
// retried by the timer alone, with no other kick, even when its retry falls due in the moment
// between the worker's last look at the due emails and its look for the next one. The relay
// here is a stand-in that refuses once (test/api/email.test.ts has the real SMTP server).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { openDatabase } from '../../src/db.ts';
import type { Clock } from '../../src/clock.ts';
import { silentLogger } from '../../src/log.ts';
import { requestAddress, verifyAddress } from '../../src/email/addresses.ts';
import { queueEmail } from '../../src/email/outbox.ts';
import { createEmailWorker } from '../../src/email/worker.ts';
import type { Relay } from '../../src/email/relay.ts';

/** A clock that moves `step` ms each time it is read, with timers run by hand. */
function movingClock(start: number, step: number) {
  let now = start;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let next = 1;
  const clock: Clock = {
    now: () => (now += step),
    setTimeout(fn, ms) {
      const id = next++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (id) => void timers.delete(id as number),
  };
  return {
    clock,
    pending: () => [...timers.values()].map((t) => t.at),
    /** Runs every timer (each at its time). */
    fireAll() {
      const due = [...timers.entries()];
      timers.clear();
      for (const [, t] of due) {
        now = Math.max(now, t.at);
        t.fn();
      }
    },
  };
}

test('an email refused once is sent by the retry timer, even when the retry fell due while the worker looked', async () => {
  const db = openDatabase(':memory:');
  const user = randomUUID();
  db.prepare("INSERT INTO users (id, username, created_at) VALUES (?, 'mate', 0)").run(user);
  const link = requestAddress(db, user, 'mate@boat.example', 'en', 0);
  assert.ok('token' in link);
  verifyAddress(db, link.token, 0);
  db.prepare('DELETE FROM email_outbox').run();
  // Each read of the clock moves it 2 ms; the first retry waits base/2 + jitter = 3 ms (Math.random 0.5):
  // the worker's look for due emails comes 2 ms after the refusal (not due), the next look 4 ms after.
  const { clock, pending, fireAll } = movingClock(1_000, 2);
  const sent: string[] = [];
  let refusals = 1;
  const relay: Relay = {
    async send(to) {
      if (refusals-- > 0) throw Object.assign(new Error('451 Try again later'), { responseCode: 451 });
      sent.push(to);
    },
    verify: async () => {},
    close: () => {},
  };
  const random = Math.random;
  Math.random = () => 0.5;
  try {
    const worker = createEmailWorker({
      db,
      clock,
      log: silentLogger,
      relay,
      origin: () => 'https://boat.example',
      retries: 3,
      retryBaseMs: 4,
    });
    queueEmail(db, user, 'changes', '/logbook/x', clock.now());
    worker.kick();
    await worker.idle();
    assert.deepEqual(sent, [], 'refused the first time');
    assert.equal(pending().length, 1, 'a timer for the retry');
    fireAll();
    await worker.idle();
    assert.deepEqual(sent, ['mate@boat.example']);
    assert.equal(db.prepare('SELECT COUNT(*) AS n FROM email_outbox').get()!.n, 0);
    await worker.stop();
  } finally {
    Math.random = random;
    db.close();
  }
});
